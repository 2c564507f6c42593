"""Shared fixtures: the shipped parameter set, loaded and validated once per session; the demonstration
province loaded once per session into a SQLite file that tests copy.

Loading the demo province (every version of some 4,000 facility-months, their results, the capacity ledger)
takes 15-40 s on two loaded cores; five modules used to load it each on their own. They now copy the file of
:func:`demo_sqlite` (a few milliseconds), each its own copy, so no module sees another's writes.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from carbonpeak.parameters import ParameterSet, load

# The CLI's consoles take their width from COLUMNS when their module is first imported: without it, a console
# imported outside a test that sets it wraps at 80 columns, and which test imports it first depends on the order
# (on two xdist workers, test_recompute_cli.py and test_cli.py then failed on a line break inside a sentence).
os.environ.setdefault("COLUMNS", "200")


@pytest.fixture(scope="session")
def params() -> ParameterSet:
    return load()


def build_demo_sqlite(path: Path) -> None:
    """Migrate ``path`` and load the demonstration province into it (as ``carbonpeak demo load`` does), then
    fold its write-ahead log into the file so that a plain copy of the file is the whole database."""
    from carbonpeak.services import demo as demo_service
    from carbonpeak.store import db

    url = f"sqlite:///{path}"
    db.upgrade(url)
    with db.transaction(url) as session:
        demo_service.load_demo(session)
    for mode in ("write", "read"):
        db.engine_for(url, mode=mode).dispose()
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


@pytest.fixture(scope="session")
def demo_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demonstration province in a SQLite file, built once per session; never opened by a test: use
    :func:`copy_demo` (or the ``demo_sqlite_url`` fixture) for a copy of its own."""
    path = tmp_path_factory.mktemp("demo-template") / "demo.db"
    build_demo_sqlite(path)
    return path


def copy_demo(template: Path, folder: Path, name: str = "demo.db") -> str:
    """A copy of the demo database of its own in ``folder``; its URL."""
    target = folder / name
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


@pytest.fixture(scope="module")
def demo_sqlite_url(demo_sqlite: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A module's own copy of the demo database (its tests may write; other modules do not see it)."""
    return copy_demo(demo_sqlite, tmp_path_factory.mktemp("demo"))
