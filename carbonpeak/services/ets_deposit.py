"""The monthly evidence deposit (月度信息化存证) as people do it: the enterprise saves the month's values
(prefilled from its monthly report), uploads evidence files, and deposits the month; the regulators of its
region review it within the configured window and accept it (then it is locked) or return it with a
reason. Every change is a new version in the store and the audit log; nothing is overwritten.

Each function checks access first (:func:`ets_deposit_reads.enterprise_for`), then the input (every problem
at once, coded, naming the field), then writes in the caller's transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from carbonpeak.errors import Conflict, InputError, ValidationFailed
from carbonpeak.ets import config as ets_config
from carbonpeak.ets import deposit as rules
from carbonpeak.services import ets_deposit_reads as reads
from carbonpeak.services.access import Principal
from carbonpeak.store import repository as repo
from carbonpeak.store.ets.models import EtsDeposit, EtsDepositFile, EtsDepositVersion
from carbonpeak.store.models import Enterprise, utcnow

EDITABLE = ("draft", "returned")  # the enterprise changes a month only before it is deposited or once returned


def _raise(problems: list[InputError]) -> None:
    if problems:
        raise problems[0] if len(problems) == 1 else ValidationFailed(problems)


def _key(row: EtsDeposit) -> str:
    return f"{row.enterprise_code}:{row.month}"


def _editable(session: Session, who: Principal, code: str, month: str) -> tuple[Enterprise, EtsDeposit | None]:
    enterprise = reads.enterprise_for(session, who, code, "ets.deposit")
    reads.check_month(month)
    row = reads.stored(session, enterprise, month)
    if row is not None and row.status == "accepted":
        raise Conflict(code="ets.locked", month=month, by=row.reviewed_by or "")
    if row is not None and row.status not in EDITABLE:
        raise Conflict(code="ets.under_review", month=month)
    return enterprise, row


def _new(session: Session, enterprise: Enterprise, month: str, demo: bool) -> EtsDeposit:
    row = EtsDeposit(
        enterprise_code=enterprise.code,
        month=month,
        status="draft",
        version=0,
        values={},
        edition=ets_config.load().edition,
        demo=demo,
    )
    session.add(row)
    session.flush()
    return row


def save(
    session: Session,
    who: Principal,
    code: str,
    month: str,
    values: Mapping[str, Any] | None = None,
    *,
    reason: str | None = None,
    demo: bool = False,
) -> reads.View:
    """Save the month's values as its next version (``values`` None: the month's report's values, as
    prefilled). Keys are ``facility:item`` (``facility:fuel_consumption:fuel`` per fuel line)."""
    enterprise, row = _editable(session, who, code, month)
    cfg = ets_config.load()
    facilities = reads.aluminium_facilities(session, enterprise)
    records = reads.report_records(session, facilities, month)
    keys = reads.keys_of(facilities, records, cfg)
    if values is None:
        given: dict[str, Any] = {}
        for f in facilities:
            given.update(rules.prefill(cfg.items, f.code, records[f.code].record if f.code in records else None))
        if row is not None:  # what the report does not give stays as deposited
            given.update({k: v for k, v in row.values.items() if given.get(k) is None})
    else:
        given = {**(row.values if row is not None else {}), **dict(values)}
    clean, problems = rules.checked_values(given, [k for k, _ in keys])
    if reason is not None and len(reason) > 2000:
        problems.append(InputError(code="ets.too_long", field="reason", limit=2000))
    _raise(problems)
    row = row or _new(session, enterprise, month, demo)
    before = dict(row.values)
    row.version += 1
    row.values = clean
    row.versions.append(  # through the relationship: the month's history is current in this session
        EtsDepositVersion(
            deposit_id=row.id, version=row.version, values=clean, reason=reason or None, created_by=who.actor
        )
    )
    session.flush()
    repo.audit(
        session, who.actor, "save", "ets_deposit", _key(row), before or None, {"version": row.version, "values": clean}
    )
    return reads.view_of(session, enterprise, month, dt.date.today(), meters=False)


def upload(
    session: Session, who: Principal, code: str, month: str, item: str, name: str, data: bytes, *, demo: bool = False
) -> EtsDepositFile:
    """Store an evidence file for an item (``facility:item``) with its SHA-256; the same item and name again
    is its next version (the earlier ones stay). Every problem of the file at once."""
    enterprise, row = _editable(session, who, code, month)
    cfg = ets_config.load()
    facilities = reads.aluminium_facilities(session, enterprise)
    allowed = sorted({f"{f.code}:{i.key}" for f in facilities for i in cfg.items})
    count = len({f.name for f in row.files if f.item == item}) if row is not None else 0
    clean = (name or "").strip()
    again = row is not None and any(f.item == item and f.name == clean for f in row.files)
    _raise(rules.checked_file(clean, data, item, allowed, 0 if again else count, cfg))
    row = row or _new(session, enterprise, month, demo)
    version = 1 + max((f.version for f in row.files if f.item == item and f.name == clean), default=0)
    stored = EtsDepositFile(
        deposit_id=row.id,
        item=item,
        name=clean,
        version=version,
        sha256=rules.sha256(data),
        size=len(data),
        content=data,
        demo=demo,
        uploaded_by=who.actor,
    )
    row.files.append(stored)  # through the relationship: the month's files are current in this session
    session.flush()
    repo.audit(
        session,
        who.actor,
        "upload",
        "ets_deposit",
        _key(row),
        None,
        {"item": item, "name": clean, "version": version, "sha256": stored.sha256},
    )
    return stored


def deposit(session: Session, who: Principal, code: str, month: str, *, at: dt.datetime | None = None) -> reads.View:
    """Deposit the month: every value given and every required evidence file there, else every gap at once.
    ``at``: when (default now; the demonstration dates its months)."""
    enterprise, row = _editable(session, who, code, month)
    cfg = ets_config.load()
    facilities = reads.aluminium_facilities(session, enterprise)
    records = reads.report_records(session, facilities, month)
    keys = reads.keys_of(facilities, records, cfg)
    values = dict(row.values) if row is not None else {}
    _raise(rules.missing_for_deposit(keys, values, {f.item for f in row.files} if row is not None else set()))
    assert row is not None  # a month with every value given has a row
    before = row.status
    row.status, row.deposited_by, row.deposited_at = "deposited", who.actor, at or utcnow()
    row.reviewed_by, row.reviewed_at, row.review_reason = None, None, None
    session.flush()
    repo.audit(
        session,
        who.actor,
        "deposit",
        "ets_deposit",
        _key(row),
        {"status": before},
        {"status": "deposited", "version": row.version},
    )
    return reads.view_of(session, enterprise, month, dt.date.today(), meters=False)


def review(
    session: Session,
    who: Principal,
    code: str,
    month: str,
    decision: str,
    reason: str = "",
    *,
    at: dt.datetime | None = None,
) -> reads.View:
    """The city's review of a deposited month: ``accept`` (the month is locked from then on) or ``return``
    (with a reason; the enterprise corrects and deposits again)."""
    enterprise = reads.enterprise_for(session, who, code, "ets.review")
    reads.check_month(month)
    problems = []
    if decision not in ("accept", "return"):
        problems.append(InputError(code="ets.bad_decision", field="decision", value=decision))
    if decision == "return" and not (reason or "").strip():
        problems.append(InputError(code="ets.reason_required", field="reason"))
    if len(reason or "") > 2000:
        problems.append(InputError(code="ets.too_long", field="reason", limit=2000))
    _raise(problems)
    row = reads.stored(session, enterprise, month)
    if row is None or row.status != "deposited":
        raise Conflict(
            code="ets.locked" if row is not None and row.status == "accepted" else "ets.not_deposited",
            month=month,
            by=(row.reviewed_by or "") if row else "",
        )
    row.status = "accepted" if decision == "accept" else "returned"
    row.reviewed_by, row.reviewed_at = who.actor, at or utcnow()
    row.review_reason = reason.strip() or None
    session.flush()
    repo.audit(
        session,
        who.actor,
        decision,
        "ets_deposit",
        _key(row),
        {"status": "deposited"},
        {"status": row.status, "reason": row.review_reason},
    )
    return reads.view_of(session, enterprise, month, dt.date.today(), meters=False)
