"""The green register's tests use the demonstration province (SQLite, and PostgreSQL where a test says so)."""

from __future__ import annotations

from tests.store.conftest import _drop_session_database, demo_db_url  # noqa: F401
