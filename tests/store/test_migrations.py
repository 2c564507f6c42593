"""The migrations build exactly the schema the models declare, on SQLite and PostgreSQL.

Several modules add tables (store, projects, statistics, web users); this catches a model changed
without its migration, or a migration that drifted from its model.
"""

from __future__ import annotations

import importlib
import pkgutil

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import carbonpeak
from carbonpeak.store import db
from carbonpeak.store.models import Base


def _import_every_models_module() -> None:
    for module in pkgutil.walk_packages(carbonpeak.__path__, "carbonpeak."):
        if module.name.endswith(".models"):
            importlib.import_module(module.name)


def test_migrated_schema_equals_the_models(db_url: str) -> None:
    _import_every_models_module()
    with db.engine_for(db_url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == [], differences
    assert db.current_revision(db_url) is not None
