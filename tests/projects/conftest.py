"""The store fixtures (SQLite and PostgreSQL) for the tests of stored projects.

The repository root goes on ``sys.path`` first, so that ``tests.store.conftest`` imports whether pytest runs as
``python -m pytest`` (which adds the working directory) or as the ``pytest`` script (which does not).
"""

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from tests.store.conftest import _drop_session_database, db_url, registry  # noqa: E402, F401
