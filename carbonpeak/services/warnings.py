"""Use cases of the warnings: raise the ones the data support, act on one (acknowledge, assign, close, reopen).

Each checks the person first (``warning.refresh``: a provincial regulator or the administrator;
``warning.act``: regulators and the administrator, on a warning within their scope), then applies the
rules of :mod:`carbonpeak.indicators.warnings` and writes in the caller's transaction. A warning's
events are its audit trail: every step is kept with who took it, when and why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from carbonpeak.indicators import warnings as rules
from carbonpeak.indicators.targets import evaluate_plan
from carbonpeak.services import access, limits
from carbonpeak.services.access import Principal
from carbonpeak.store import warnings as store
from carbonpeak.store.facts import indicator_inputs
from carbonpeak.store.warnings import WarningRecord


@dataclass(frozen=True)
class Refreshed:
    """What raising the warnings found: ``found`` conditions on ``as_of``, of which ``new`` were not stored yet."""

    as_of: dt.date
    found: int
    new: int


def refresh(
    session: Session,
    principal: Principal,
    *,
    as_of: dt.date,
    plan: str | None = None,
    region: str | None = None,
    benchmark_edition: str | None = None,
) -> Refreshed:
    """Raise every warning the counted data, the submissions and (given ``plan``) the plan's targets for
    ``region`` support on ``as_of``; each situation is stored once (by key) and existing warnings keep
    their status."""
    access.require(principal, "warning.refresh")
    if region is not None and principal.role != access.ADMIN:  # a regulator evaluates plans of their jurisdiction
        access.get_region(session, principal, region)
    facts, options = indicator_inputs(session, benchmark_edition=benchmark_edition)
    evaluations = (
        evaluate_plan(plan, facts, region=region, year=as_of.year, params=options.params, options=options)
        if plan
        else None
    )
    raised = rules.generate(
        facts,
        store.submissions_frame(session),
        store.facilities_frame(session),
        as_of=as_of,
        params=options.params,
        benchmark_edition=benchmark_edition,
        evaluations=evaluations,
    )
    return Refreshed(as_of=as_of, found=len(raised), new=store.add_new(session, raised, principal.actor))


def act(
    session: Session,
    principal: Principal,
    warning_id: int,
    action: str,
    *,
    note: str | None = None,
    assignee: str | None = None,
) -> WarningRecord:
    """Acknowledge, assign, close or reopen a warning; the step is kept in its history.

    Raises AccessDenied/NotFound before anything is read about the warning, and a coded InputError when
    the action is unknown, an assignment names nobody, or the warning's state does not allow it."""
    access.require(principal, "warning.act")
    warning = access.get_warning(session, principal, warning_id, "warning.act")
    limits.check_lengths({"note": note, "assignee": assignee})
    status = rules.next_status(warning.status, action, assignee)
    return store.record_step(session, warning, action, status, principal.actor, note=note, assignee=assignee)
