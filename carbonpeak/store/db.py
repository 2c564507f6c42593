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
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_URL = "sqlite:///var/carbonpeak.db"


def database_url(url: str | None = None) -> str:
    return url or os.environ.get("CARBONPEAK_DATABASE_URL") or DEFAULT_URL


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """One engine per URL. SQLite gets foreign keys, a busy timeout and serialised writers."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # let SQLAlchemy emit BEGIN itself
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection: Any) -> None:
            # Take the write lock at the start of every transaction: two imports of the same month
            # then run one after the other instead of failing half-way.
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True)


def session_factory(url: str | None = None) -> sessionmaker[Session]:
    return sessionmaker(engine_for(database_url(url)), expire_on_commit=False)


@contextmanager
def transaction(url: str | None = None) -> Iterator[Session]:
    """A session whose work is committed together, or not at all."""
    session = session_factory(url)()
    try:
        with session.begin():
            yield session
    finally:
        session.close()


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
