"""Fixtures of the synergy tests: the small province of the recycled-metal tests (E1 with RA1 and AL1, E2 with
RA2, SQLite) for the ledger's use cases; the web tests' demo database and clients for the pages and the report."""

from __future__ import annotations

import sys
from pathlib import Path

WEB = str(Path(__file__).resolve().parents[1] / "web")
if WEB not in sys.path:  # the web tests' helpers (webhelpers, chinese_scan) import by their own names
    sys.path.insert(0, WEB)

from tests.recycling.conftest import url  # noqa: E402,F401  (fixture)
from tests.web.conftest import clients, demo_template, fresh_app, fresh_url, shared_app, shared_url  # noqa: E402,F401
