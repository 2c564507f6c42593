"""The web's reading store (docs/monitoring.md): opened on first use and kept for the app's life.

A DuckDB file is open in one process at a time: while ``carbonpeak monitor serve`` holds it, the web cannot
open it and answers with the coded ``monitoring.store_locked`` (409); where the web and the MQTT subscriber
must run together, both use PostgreSQL (``CARBONPEAK_READINGS_URL``).
"""

from __future__ import annotations

import threading
from pathlib import Path

from fastapi import Request

from carbonpeak.monitoring.store import ReadingStore, open_store
from carbonpeak.store import db
from carbonpeak.web.settings import Settings

_lock = threading.Lock()


def readings_url(settings: Settings, database_url: str) -> str:
    """The setting, else ``readings.duckdb`` beside a SQLite registry, else ``var/readings.duckdb``."""
    if settings.readings_url:
        return settings.readings_url
    url = db.database_url(database_url or None)
    if url.startswith("sqlite:///") and ":memory:" not in url:
        return str(Path(url.removeprefix("sqlite:///")).parent / "readings.duckdb")
    return "var/readings.duckdb"


def store_of(request: Request) -> ReadingStore:
    state = request.app.state
    with _lock:
        store = getattr(state, "readings", None)
        if store is None:
            store = open_store(readings_url(state.settings, state.database.url))
            state.readings = store
    return store
