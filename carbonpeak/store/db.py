"""Database engines and schema migrations.

The URL comes from the caller, else ``CARBONPEAK_DATABASE_URL``, else the embedded default
``sqlite:///var/carbonpeak.db``. ``upgrade(url)`` brings any database to the current schema with
Alembic (``carbonpeak db init`` / ``carbonpeak db upgrade``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from carbonpeak.errors import Busy

DEFAULT_URL = "sqlite:///var/carbonpeak.db"


def database_url(url: str | None = None) -> str:
    return url or os.environ.get("CARBONPEAK_DATABASE_URL") or DEFAULT_URL


BUSY_TIMEOUT_S = 60.0  # how long a writer waits for SQLite's write lock (CARBONPEAK_SQLITE_BUSY_TIMEOUT)
BRIEF_TIMEOUT_S = 1.0  # how long bookkeeping (a token's last use, a login) waits before it is skipped


def busy_timeout() -> float:
    """Seconds a writer waits for SQLite's write lock before giving up with :class:`~carbonpeak.errors.Busy`:
    ``CARBONPEAK_SQLITE_BUSY_TIMEOUT``, else 60."""
    text = os.environ.get("CARBONPEAK_SQLITE_BUSY_TIMEOUT", "").strip()
    try:
        value = float(text) if text else BUSY_TIMEOUT_S
    except ValueError:
        value = BUSY_TIMEOUT_S
    return value if value > 0 else BUSY_TIMEOUT_S


def engine_for(url: str, *, mode: str = "write") -> Engine:
    """One engine per URL and use. SQLite gets foreign keys, WAL and a busy timeout, and by ``mode``:

    * ``write``: every transaction takes the write lock at once (``BEGIN IMMEDIATE``), so two writers run
      one after the other instead of failing half-way; a writer waits :func:`busy_timeout` for it;
    * ``read``: transactions begin deferred (``BEGIN``): in WAL mode readers never wait for a writer;
    * ``brief``: deferred, and a write waits only :data:`BRIEF_TIMEOUT_S` for the lock (bookkeeping that
      is skipped rather than kept waiting while a long import holds the lock).

    PostgreSQL has no database-wide write lock: one engine serves every mode.
    """
    if not url.startswith("sqlite"):
        return _engine(url, "write", 0.0)
    timeout = BRIEF_TIMEOUT_S if mode == "brief" else busy_timeout()
    return _engine(url, mode, timeout)


@lru_cache(maxsize=16)
def _engine(url: str, mode: str, timeout: float) -> Engine:
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": timeout, "check_same_thread": False})
    begin = "BEGIN IMMEDIATE" if mode == "write" else "BEGIN"

    @event.listens_for(engine, "connect")
    def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy emit BEGIN itself
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)

    return engine


def is_busy(exc: BaseException) -> bool:
    """Whether a database error means "locked by another writer, try again" (SQLite's busy timeout ran
    out; on PostgreSQL a lock timeout), as opposed to a fault."""
    if not isinstance(exc, OperationalError):
        return False
    original = exc.orig
    if getattr(original, "sqlstate", None) == "55P03":  # PostgreSQL: lock_not_available
        return True
    text = str(original).lower()
    return "database is locked" in text or "database table is locked" in text or "database is busy" in text


def session_factory(url: str | None = None, *, mode: str = "write") -> sessionmaker[Session]:
    return sessionmaker(engine_for(database_url(url), mode=mode), expire_on_commit=False)


@contextmanager
def transaction(url: str | None = None, *, mode: str = "write") -> Iterator[Session]:
    """A session whose work is committed together, or not at all. A database that stays locked by another
    writer raises :class:`~carbonpeak.errors.Busy` (nothing was written), not a driver error."""
    session = session_factory(url, mode=mode)()
    try:
        try:
            with session.begin():
                yield session
        except OperationalError as exc:
            if is_busy(exc):
                raise Busy() from exc
            raise
    finally:
        session.close()


@contextmanager
def reading(session: Session) -> Iterator[Session]:
    """Where a use case reads what it checks before it writes. On SQLite, when ``session`` has not touched
    the database yet (no connection, nothing pending), the reads run in a session of their own on the same
    file whose transaction begins deferred: it takes no write lock (in WAL mode it never waits for a
    writer), so the write lock is held only while ``session`` writes. Otherwise, and on PostgreSQL (no
    database-wide lock), ``session`` itself. Objects read stay usable after (detached, loaded).

    What was read may change before the write: the writer re-reads under its lock what must not
    (:func:`carbonpeak.store.repository.lock_months`)."""
    bind = session.get_bind()
    database = bind.url.database or ""
    if bind.dialect.name != "sqlite" or database in ("", ":memory:") or _has_begun(session):
        yield session
        return
    reader = Session(engine_for(bind.url.render_as_string(hide_password=False), mode="read"), expire_on_commit=False)
    try:
        with reader.begin():
            yield reader
    finally:
        reader.close()


def _has_begun(session: Session) -> bool:
    """Whether ``session`` holds a connection (on SQLite: the write lock) or changes not yet flushed."""
    if session.new or session.dirty or session.deleted:
        return True
    transaction = session.get_transaction()
    if transaction is None:
        return False
    held = getattr(transaction, "connections", None)  # SQLAlchemy >= 2.1.7
    if held is None:
        held = getattr(transaction, "_connections", {})
    return bool(held)


def alembic_config(url: str | None = None) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files("carbonpeak.store") / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url(url).replace("%", "%%"))
    return config


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Create or upgrade the schema to ``revision`` (Alembic)."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def current_revision(url: str | None = None) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine_for(database_url(url)).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
