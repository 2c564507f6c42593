"""Intake tests: the store tests' databases (SQLite, and PostgreSQL where it answers), a tiny province
with two enterprises, and the people acting on it."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import pytest
from intakehelpers import populate

from carbonpeak.store import db

_spec = importlib.util.spec_from_file_location("_store_conftest", Path(__file__).parents[2] / "store" / "conftest.py")
assert _spec and _spec.loader
_store = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_store)

db_url = _store.db_url
_drop_session_database = _store._drop_session_database


@pytest.fixture
def province(db_url: str) -> str:
    populate(db_url)
    return db_url


@pytest.fixture
def sqlite_province(tmp_path: Path) -> Iterator[str]:
    """The same province on SQLite only (tests whose subject is the file, not the database)."""
    url = f"sqlite:///{tmp_path / 'intake.db'}"
    db.upgrade(url)
    populate(url)
    yield url
