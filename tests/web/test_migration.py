"""Migrations 0005 and 0009 create exactly the tables of carbonpeak/store/accounts.py, and go down again."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from carbonpeak.store import accounts as models  # noqa: F401  (registers the web tables on Base)
from carbonpeak.store import db
from carbonpeak.store.models import Base

WEB_TABLES = {"web_user", "web_verifier_assignment", "web_api_token", "web_session", "web_login_throttle"}


def test_migration_matches_the_models_and_downgrades(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    db.upgrade(url)
    with db.engine_for(url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = [d for d in compare_metadata(context, Base.metadata) if _web(d)]
    assert not differences, differences
    command.downgrade(db.alembic_config(url), "0004")
    with db.engine_for(url).connect() as connection:
        from sqlalchemy import inspect

        assert not WEB_TABLES & set(inspect(connection).get_table_names())
    db.upgrade(url)
    head = ScriptDirectory.from_config(db.alembic_config(url)).get_current_head()
    assert db.current_revision(url) == head and head is not None and head >= "0005"


def _web(difference: object) -> bool:
    text = repr(difference)
    return any(name in text for name in WEB_TABLES)
