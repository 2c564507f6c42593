"""Warnings stored once and worked through with a kept history (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest

from carbonpeak.errors import InputError
from carbonpeak.indicators import warnings as w
from carbonpeak.store import db


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
        assert w.refresh(session, raised(), "system") == 1
        assert w.refresh(session, raised(), "system") == 0  # the same situation is raised once
        (warning,) = w.listing(session)
        warning_id = warning.id
    with db.transaction(db_url) as session:
        w.act(session, warning_id, "acknowledge", "regulator:city1", note="seen")
        with pytest.raises(InputError, match="assign to"):
            w.act(session, warning_id, "assign", "regulator:city1")
        w.act(session, warning_id, "assign", "regulator:city1", assignee="inspector:Li")
        w.act(session, warning_id, "close", "inspector:Li", note="report received")
    with db.transaction(db_url) as session:
        with pytest.raises(InputError, match="reopen it first"):
            w.act(session, warning_id, "assign", "x", assignee="y")
        warning = w.listing(session)[0]
        assert warning.status == "closed" and warning.assignee == "inspector:Li"
        assert [(e.action, e.actor) for e in warning.events] == [
            ("raise", "system"),
            ("acknowledge", "regulator:city1"),
            ("assign", "regulator:city1"),
            ("close", "inspector:Li"),
        ]
        assert w.refresh(session, raised(), "system") == 0  # closing does not make it come back
        w.act(session, warning_id, "reopen", "regulator:city1", note="late again")
        assert w.listing(session, status="open")[0].id == warning_id
