"""Alembic environment: carbonpeak's models, any URL, batch mode on SQLite."""

from __future__ import annotations

from alembic import context

from carbonpeak.store.db import engine_for
from carbonpeak.store.models import Base

config = context.config
url = config.get_main_option("sqlalchemy.url")
assert url is not None

with engine_for(url).connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
