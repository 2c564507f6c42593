"""Warnings stored once and worked through with a kept history (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest

from carbonpeak.errors import InputError
from carbonpeak.indicators import warnings as w
from carbonpeak.services import warnings as cases
from carbonpeak.services.access import operator
from carbonpeak.store import db
from carbonpeak.store import warnings as stored


def raised() -> list[w.Raised]:
    return [
        w.Raised(
            key="late_submission:AL1:2025-01",
            kind="late_submission",
            severity="medium",
            message_zh="迟报",
            message_en="late",
            facility_code="AL1",
            period="2025-01",
            deadline=dt.date(2025, 2, 15),
            details={"days_late": 5},
        )
    ]


def test_refresh_is_idempotent_and_history_is_kept(db_url: str) -> None:
    with db.transaction(db_url) as session:
        assert stored.add_new(session, raised(), "system") == 1
        assert stored.add_new(session, raised(), "system") == 0  # the same situation is raised once
        (warning,) = stored.listing(session)
        warning_id = warning.id
    with db.transaction(db_url) as session:
        cases.act(session, operator("regulator:city1"), warning_id, "acknowledge", note="seen")
        with pytest.raises(InputError, match="assign to"):
            cases.act(session, operator("regulator:city1"), warning_id, "assign")
        cases.act(session, operator("regulator:city1"), warning_id, "assign", assignee="inspector:Li")
        closed = cases.act(session, operator("inspector:Li"), warning_id, "close", note="report received")
        assert (closed.status, closed.assignee, len(closed.events)) == ("closed", "inspector:Li", 4)
    with db.transaction(db_url) as session:
        with pytest.raises(InputError, match="reopen it first"):
            cases.act(session, operator("x"), warning_id, "assign", assignee="y")
        warning = stored.listing(session)[0]
        assert warning.status == "closed" and warning.assignee == "inspector:Li"
        history = stored.get(session, warning_id)
        assert history is not None
        assert [(e.action, e.actor, e.note) for e in history.events] == [
            ("raise", "system", None),
            ("acknowledge", "regulator:city1", "seen"),
            ("assign", "regulator:city1", "to inspector:Li"),
            ("close", "inspector:Li", "report received"),
        ]
        assert stored.add_new(session, raised(), "system") == 0  # closing does not make it come back
        cases.act(session, operator("regulator:city1"), warning_id, "reopen", note="late again")
        assert stored.listing(session, status="open")[0].id == warning_id
