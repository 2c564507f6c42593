"""Intake tests: the store tests' databases (SQLite, and PostgreSQL where it answers), a tiny province
with two enterprises, and the people acting on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from intakehelpers import populate

from tests.store.conftest import _drop_session_database, db_url, fresh_sqlite  # noqa: F401


@pytest.fixture
def province(db_url: str) -> str:  # noqa: F811
    populate(db_url)
    return db_url


@pytest.fixture
def sqlite_province(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The same province on SQLite only (tests whose subject is the file, not the database)."""
    url = fresh_sqlite(tmp_path_factory, tmp_path / "intake.db")
    populate(url)
    yield url
