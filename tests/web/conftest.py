"""Fixtures of the web platform's tests: one demonstration database per test session (the demo
province, one account per role, a second province outside everyone's scope but the administrator's,
warnings raised), copied for tests that write; apps and logged-in clients per role.

Accounts hash their passwords with a cheap argon2 cost here (the production cost is a setting).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from webhelpers import ROLES, build, client, copy_db, make_app


@pytest.fixture(scope="session")
def demo_template(demo_sqlite: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demonstration database, built once per session (from the session's demo province of
    tests/conftest.py); never opened by an app (tests copy it)."""
    path = tmp_path_factory.mktemp("web-demo") / "template.db"
    build(path, demo_sqlite)
    return path


@pytest.fixture(scope="session")
def shared_url(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A copy for tests that only read."""
    return copy_db(demo_template, tmp_path_factory.mktemp("web-shared"), "shared.db")


@pytest.fixture
def fresh_url(demo_template: Path, tmp_path: Path) -> str:
    """A copy of its own for a test that writes."""
    return copy_db(demo_template, tmp_path, "fresh.db")


@pytest.fixture(scope="session")
def shared_app(shared_url: str) -> Any:
    return make_app(shared_url)


@pytest.fixture(scope="session")
def clients(shared_app: Any) -> dict[str, TestClient]:
    """A logged-in client per role on the shared (read-only) app."""
    return {role: client(shared_app, role) for role in ROLES}


@pytest.fixture
def fresh_app(fresh_url: str) -> Iterator[Any]:
    yield make_app(fresh_url)
