"""What the monitoring web tests share: a copy of the demo database with the demonstration's meters and their
simulated history (carbonpeak monitor demo) in a reading store of its own beside it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from webhelpers import copy_db

from carbonpeak.monitoring.store import DuckDBStore
from carbonpeak.services import monitoring_demo_history as history
from carbonpeak.store import db

TODAY = dt.date(2026, 1, 20)  # the demo province's day (make run: CARBONPEAK_TODAY)


def with_history(template: Path, folder: Path, name: str = "monitoring.db", limit: int | None = 4) -> dict[str, Any]:
    """A copy of ``template`` in ``folder`` with demo meters on ``limit`` facilities and their history in
    ``folder/readings.duckdb`` (where the web looks beside a SQLite registry)."""
    url = copy_db(template, folder, name)
    readings = folder / "readings.duckdb"
    store = DuckDBStore(readings)
    try:
        with db.transaction(url) as session:
            loaded = history.load_history(session, store, TODAY, limit=limit)
    finally:
        store.close()
    db.engine_for(url).dispose()
    return {"url": url, "readings": str(readings), "loaded": loaded}
