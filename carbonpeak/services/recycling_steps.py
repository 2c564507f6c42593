"""The verifier's workflow for scrap intake ledgers: submit, verify, return, lock: the monthly submissions'
steps (:mod:`carbonpeak.services.submissions`) with the same permissions, the same refusals and the same texts.

Checked in this order: the person's permission for the step; every month (an unknown facility, one outside
the person's scope, and a month with nothing reported get the same ``submission.no_such_month``); the opinion
or reason the step records; each month's state; and, to submit, its metal balance (a balance that does not
close within its tolerance is never submitted: ``recycling.balance_open``). All months move, or none; each step
is in the audit log (entity ``scrap_ledger``).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.errors import InputError, NotFound, ValidationFailed
from carbonpeak.parameters import ParameterSet
from carbonpeak.recycling.ledger import SECTOR_METAL
from carbonpeak.services import access
from carbonpeak.services.access import Principal
from carbonpeak.services.recycling import balance_error, balance_of
from carbonpeak.services.submissions import step_note
from carbonpeak.store.models import Facility
from carbonpeak.store.recycling import repository as ledgers
from carbonpeak.store.recycling.models import ScrapLedger, ScrapLedgerVersion


def step(
    session: Session,
    principal: Principal,
    months: Iterable[tuple[str, str]],
    target: str,
    *,
    note: str | None = None,
    params: ParameterSet | None = None,
) -> list[ScrapLedgerVersion]:
    """Move the latest version of each (facility code, month) ledger to ``target``: all, or none."""
    if target not in access.STEP_PERMISSION:
        raise InputError(code="submission.unknown_step", field="status", value=target)
    access.require(principal, access.STEP_PERMISSION[target])
    chosen = list(dict.fromkeys((str(code), str(period)) for code, period in months))
    if not chosen:
        raise ValidationFailed([InputError(code="submission.no_months", field="months")])
    found = _latest_in_scope(session, principal, chosen)
    text = step_note(target, note)
    if target == "submitted":
        for key, version, facility in found:
            balance = balance_of(
                version.lots, version.outputs, key.split("@")[1], SECTOR_METAL[facility.sector], params
            )
            if not balance.closes:
                raise ValidationFailed([balance_error(key, balance)])
    ledgers.transition(session, [(key, version) for key, version, _f in found], target, principal.actor, text)
    return [version for _k, version, _f in found]


def _latest_in_scope(
    session: Session, principal: Principal, chosen: list[tuple[str, str]]
) -> list[tuple[str, ScrapLedgerVersion, Facility]]:
    codes = sorted({code for code, _p in chosen})
    mine = {
        f.code: f
        for f in session.scalars(select(Facility).where(Facility.code.in_(codes), access.facility_filter(principal)))
    }
    out = []
    for code, period in chosen:
        facility = mine.get(code)
        ledger = None
        if facility is not None:
            ledger = session.scalar(
                select(ScrapLedger).where(ScrapLedger.facility_id == facility.id, ScrapLedger.period == period)
            )
        if facility is None or ledger is None:
            raise NotFound(code="submission.no_such_month", facility=code, period=period)
        locked = ledgers.lock_ledgers(session, [(facility.id, period)])[(facility.id, period)]
        latest = ledgers.latest_versions(session, [locked.id]).get(locked.id)
        if latest is None:
            raise NotFound(code="submission.no_such_month", facility=code, period=period)
        out.append((f"{code}@{period}", latest, facility))
    return out
