"""The monthly workflow steps: submit, verify, lock (draft → submitted → verified → locked).

One use case for the web page, the API and the CLI: the person's permission for the step and their
scope on every facility are checked first (so a refusal reveals nothing), then each month's state; all
months move, or none.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from carbonpeak.services import access
from carbonpeak.services import warnings as warning_cases
from carbonpeak.services.access import Principal
from carbonpeak.store import repository as repo
from carbonpeak.store.models import SubmissionVersion


def step(
    session: Session, principal: Principal, months: Iterable[tuple[str, str]], target: str
) -> list[SubmissionVersion]:
    """Move the latest version of each (facility code, month) to ``target`` (submitted, verified, locked).

    Raises AccessDenied/NotFound before anything is read about the months, and a coded InputError when
    a month is not in the state the step needs (the caller's transaction is then rolled back)."""
    chosen = list(months)
    action = access.STEP_PERMISSION[target]
    access.require(principal, action)
    for code in sorted({code for code, _period in chosen}):
        access.get_facility(session, principal, code, action)
    moved = [repo.transition(session, code, period, target, principal.actor) for code, period in chosen]
    warning_cases.after_change(session, principal.actor, facilities={code for code, _period in chosen})
    return moved
