"""The store fixtures (SQLite and PostgreSQL) for the capacity ledger's tests."""

from tests.store.conftest import _drop_session_database, db_url, demo_db_url, registry  # noqa: F401
