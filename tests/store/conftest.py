"""Store tests run on SQLite (a file in tmp_path) and on a real PostgreSQL server on loopback.

PostgreSQL: the server of ``CARBONPEAK_TEST_POSTGRES_URL`` (default postgresql+psycopg://postgres@127.0.0.1:5432).
Each test session (each pytest-xdist worker: its own process id) creates its own databases
(carbonpeak_test_<pid> and its template carbonpeak_test_<pid>_template) and drops them at the end, so two test
runs on one machine never share tables. Where no server answers, the PostgreSQL cases are skipped with a message
saying what to install.

The migrations run once per session and database kind, into a template; each test gets a fresh copy of it (SQLite:
the file copied; PostgreSQL: ``CREATE DATABASE ... TEMPLATE``). Running the Alembic chain for every test cost
2-4 s of set-up each (on two loaded cores); the copy costs a few milliseconds (SQLite) or a fraction of a second
(PostgreSQL). tests/store/test_migrations.py still checks what the migrations build against the models.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from carbonpeak.store import db
from carbonpeak.store import repository as repo
from carbonpeak.uscc import check_character
from tests.store import dbstate

SERVER_URL = os.environ.get("CARBONPEAK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432")
POSTGRES_URL = make_url(SERVER_URL).set(database=f"carbonpeak_test_{os.getpid()}").render_as_string(hide_password=False)
INSTALL_HINT = (
    "PostgreSQL is not reachable at {url}: install and start it (Debian: apt-get install postgresql; "
    "pg_ctlcluster 15 main start) or set CARBONPEAK_TEST_POSTGRES_URL"
)


_READY = dbstate.READY
_TEMPLATES = dbstate.TEMPLATES
_PG_SCHEMA = dbstate.PG_SCHEMA
TEMPLATE_DATABASE = f"{make_url(POSTGRES_URL).database}_template"
TEMPLATE_URL = make_url(POSTGRES_URL).set(database=TEMPLATE_DATABASE).render_as_string(hide_password=False)
DEMO_DATABASE = f"{make_url(POSTGRES_URL).database}_demo"  # the template with the demo province loaded
DEMO_URL = make_url(POSTGRES_URL).set(database=DEMO_DATABASE).render_as_string(hide_password=False)


def _admin() -> Engine:
    return create_engine(make_url(POSTGRES_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")


def _postgres_ready() -> str | None:
    """None once this session's database exists; else why PostgreSQL cannot be used (asked once)."""
    if "state" not in _READY:
        name = make_url(POSTGRES_URL).database
        try:
            admin = _admin()
            with admin.connect() as connection:
                exists = connection.execute(text("select 1 from pg_database where datname = :n"), {"n": name}).scalar()
                if not exists:
                    connection.execute(text(f'create database "{name}"'))
            admin.dispose()
            _READY["state"] = None
        except Exception as exc:  # any failure to connect means: no server to test against
            _READY["state"] = f"{INSTALL_HINT.format(url=SERVER_URL)} ({type(exc).__name__})"
    return _READY["state"]


@pytest.fixture(scope="session", autouse=True)
def _drop_session_database() -> Iterator[None]:
    """Drop this session's PostgreSQL database at the end, if one was made."""
    yield
    if "state" in _READY and _READY["state"] is None:
        db.engine_for(POSTGRES_URL).dispose()
        admin = _admin()
        with admin.connect() as connection:
            connection.execute(text(f'drop database if exists "{make_url(POSTGRES_URL).database}" with (force)'))
            connection.execute(text(f'drop database if exists "{DEMO_DATABASE}" with (force)'))
            connection.execute(text(f'drop database if exists "{TEMPLATE_DATABASE}" with (force)'))
        admin.dispose()


def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This session's SQLite file at the head revision (migrated once), its WAL folded into the file."""
    if "sqlite" not in _TEMPLATES:
        path = tmp_path_factory.mktemp("store-template") / "template.db"
        url = f"sqlite:///{path}"
        db.upgrade(url)
        db.engine_for(url).dispose()  # the migrations ran on the store's own engine (migrations/env.py)
        with sqlite3.connect(path) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        _TEMPLATES["sqlite"] = path
    return _TEMPLATES["sqlite"]


def fresh_sqlite(tmp_path_factory: pytest.TempPathFactory, target: Path) -> str:
    """A migrated SQLite database of its own at ``target``: a copy of the session's template."""
    shutil.copyfile(migrated_sqlite(tmp_path_factory), target)
    return f"sqlite:///{target}"


def fresh_postgres(demo: bool = False) -> str:
    """:data:`POSTGRES_URL` at the head revision without rows, or with ``demo`` holding the demonstration province;
    skips where no server answers.

    Each comes from a template database of this session, migrated once (the demo loaded once into a copy of it):
    ``CREATE DATABASE ... TEMPLATE``. An emptied database is emptied again by deleting its rows and restarting
    its sequences (one round trip, tens of milliseconds) where it still has the template's revision and tables;
    otherwise (a test downgraded it or added tables, or the demo was loaded) it is dropped and copied anew from
    the template (a fraction of a second to seconds: PostgreSQL checkpoints on DROP DATABASE)."""
    problem = _postgres_ready()
    if problem:
        pytest.skip(problem)
    if not demo and _READY.get("postgresql-current") == "empty" and _emptied(POSTGRES_URL):
        return POSTGRES_URL
    db.engine_for(POSTGRES_URL).dispose()  # its pooled connections would keep the database from being dropped
    name = make_url(POSTGRES_URL).database
    template = postgres_template(demo)
    admin = _admin()
    try:
        with admin.connect() as connection:
            connection.execute(text(f'drop database if exists "{name}" with (force)'))
            connection.execute(text(f'create database "{name}" template "{template}"'))
            _READY["postgresql-current"] = "demo" if demo else "empty"
    finally:
        admin.dispose()
    return POSTGRES_URL


def postgres_template(demo: bool = False) -> str:
    """The name of this session's template database (made on first use): migrated, and with ``demo`` the
    demonstration province loaded as ``carbonpeak demo load`` loads it. Copy it with CREATE DATABASE ... TEMPLATE;
    never connect to it (a template must have no connection when it is copied)."""
    problem = _postgres_ready()
    if problem:
        pytest.skip(problem)
    admin = _admin()
    try:
        with admin.connect() as connection:
            if "postgresql" not in _READY:
                connection.execute(text(f'drop database if exists "{TEMPLATE_DATABASE}" with (force)'))
                connection.execute(text(f'create database "{TEMPLATE_DATABASE}"'))
                db.upgrade(TEMPLATE_URL)
                _PG_SCHEMA["template"] = _schema(db.engine_for(TEMPLATE_URL))
                db.engine_for(TEMPLATE_URL).dispose()  # a template must have no connection when it is copied
                _READY["postgresql"] = None
            if demo and "postgresql-demo" not in _READY:
                from carbonpeak.services import demo as demo_service

                connection.execute(text(f'drop database if exists "{DEMO_DATABASE}" with (force)'))
                connection.execute(text(f'create database "{DEMO_DATABASE}" template "{TEMPLATE_DATABASE}"'))
                with db.transaction(DEMO_URL) as session:
                    demo_service.load_demo(session)
                db.engine_for(DEMO_URL).dispose()
                _READY["postgresql-demo"] = None
    finally:
        admin.dispose()
    return DEMO_DATABASE if demo else TEMPLATE_DATABASE


def _schema(engine: Engine) -> tuple[str | None, frozenset[str], tuple[str, ...]]:
    """(Alembic revision, tables, sequences) of the public schema."""
    with engine.connect() as connection:
        tables = frozenset(
            connection.execute(text("select tablename from pg_tables where schemaname = 'public'")).scalars()
        )
        revision = (
            connection.execute(text("select version_num from alembic_version")).scalar()
            if "alembic_version" in tables
            else None
        )
        sequences = tuple(
            connection.execute(text("select sequencename from pg_sequences where schemaname = 'public'")).scalars()
        )
    return revision, tables, sequences


def _emptied(url: str) -> bool:
    """Delete every row (but the revision) and restart every sequence of the database at ``url`` when its
    revision and tables are the template's; False (nothing done) when they are not, or when a lock held by a
    connection left open keeps it from being done within seconds."""
    engine = db.engine_for(url)
    try:
        revision, tables, sequences = _schema(engine)
        if (revision, tables) != _PG_SCHEMA["template"][:2]:
            return False
        with engine.begin() as connection:
            connection.execute(text("set local lock_timeout = '5s'"))
            connection.execute(text("set local session_replication_role = replica"))  # no foreign-key order
            connection.execute(
                text("; ".join(f'delete from "{table}"' for table in sorted(tables) if table != "alembic_version"))
            )
            if sequences:
                connection.execute(text("select " + ", ".join(f"setval('\"{name}\"', 1, false)" for name in sequences)))
    except Exception:  # a lock not granted, a dropped connection: copy the template anew instead
        return False
    return True


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database at the head revision and without rows, of its own for the test."""
    return fresh_sqlite(tmp_path_factory, tmp_path / "store.db") if request.param == "sqlite" else fresh_postgres()


@pytest.fixture(params=["sqlite", "postgresql"])
def demo_db_url(request: pytest.FixtureRequest, tmp_path: Path, demo_sqlite: Path) -> str:
    """A database holding the demonstration province (as ``carbonpeak demo load`` leaves it), of its own for the
    test: a copy of the session's SQLite demo (tests/conftest.py) or of the PostgreSQL demo template."""
    if request.param == "sqlite":
        target = tmp_path / "store.db"
        shutil.copyfile(demo_sqlite, target)
        return f"sqlite:///{target}"
    return fresh_postgres(demo=True)


def uscc(seed: str) -> str:
    first17 = ("91610000" + seed.upper()).ljust(17, "0")[:17]
    return first17 + check_character(first17)


@pytest.fixture
def registry(db_url: str) -> str:
    """A tiny province: one city, one enterprise, an aluminium line and a copper line."""
    actor = "test:setup"
    with db.transaction(db_url) as session:
        repo.add_region(
            session,
            {
                "code": "P",
                "name_zh": "测试省",
                "name_en": "Test province",
                "level": "province",
                "grid_province": "shaanxi",
            },
            actor,
        )
        repo.add_region(
            session,
            {"code": "C1", "name_zh": "测试市", "name_en": "Test city", "level": "city", "parent_code": "P"},
            actor,
        )
        repo.add_enterprise(
            session,
            {
                "code": "E1",
                "name_zh": "测试铝业",
                "name_en": "Test Aluminium",
                "uscc": uscc("E1"),
                "region_code": "C1",
                "key_energy_user": True,
            },
            actor,
        )
        repo.add_facility(
            session,
            {
                "code": "AL1",
                "enterprise_code": "E1",
                "name_zh": "电解一厂",
                "name_en": "Potline 1",
                "region_code": "C1",
                "sector": "electrolytic_aluminium",
                "technology": "PFPB_M",
                "capacity_t_per_a": 200000,
            },
            actor,
        )
        repo.add_facility(
            session,
            {
                "code": "CU1",
                "enterprise_code": "E1",
                "name_zh": "铜冶炼厂",
                "name_en": "Copper smelter",
                "region_code": "C1",
                "sector": "copper",
                "capacity_t_per_a": 100000,
                "retired_on": "2024-06-30",
            },
            actor,
        )
    return db_url
