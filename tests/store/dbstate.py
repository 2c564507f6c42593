"""What the store fixtures know about this test process's databases, in one module of its own.

pytest imports tests/store/conftest.py under the name ``conftest`` while other test folders import it as
``tests.store.conftest``: two module objects. Their state lives here, imported under one name by both, so that
the migrated templates (and the demo loaded into one) are made once per process, not once per module object.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

READY: dict[str, str | None] = {}  # "state": None once the session database exists, else why not; templates made
TEMPLATES: dict[str, Path] = {}  # kind -> the migrated SQLite file of this session
PG_SCHEMA: dict[str, Any] = {}  # "template" -> (revision, tables, sequences) of the migrated PostgreSQL template
