"""Fixtures of the disclosure tests: the demo province on SQLite and PostgreSQL (tests/store/conftest.py).
The web, API and CLI tests of disclosure are tests/web/test_disclosure_web.py (they share the web test
database, whose accounts and tokens are made once per session)."""

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from tests.store.conftest import _drop_session_database, demo_db_url  # noqa: E402, F401
