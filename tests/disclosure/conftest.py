"""Fixtures of the disclosure tests: the web test database (the demo province with an account per role,
tests/web/conftest.py), a copy of it per module that writes. tests/web goes on ``sys.path`` for its helpers."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for folder in (str(ROOT), str(ROOT / "tests" / "web")):
    if folder not in sys.path:
        sys.path.insert(0, folder)

from tests.store.conftest import _drop_session_database, demo_db_url  # noqa: E402, F401
from tests.web.conftest import demo_template  # noqa: E402, F401
