"""Scrap intake ledger of recycled-metal casthouses: import a file (Excel, CSV, JSON: the web upload, the form,
``POST /api/v1/recycling/imports`` and ``carbonpeak recycling import`` all come here), correct a month.

Checked in the monthly intake's order (:mod:`carbonpeak.services.intake`):

1. **who may report** (``submission.report``) and, per row, the facility: one the person may not report for,
   whether it exists or not, gets only ``intake.facility_not_yours`` and nothing else is said of its row; a
   facility that is not a recycled-metal casthouse is refused (``recycling.not_a_casthouse``);
2. **the fields and the lots** (:mod:`carbonpeak.recycling.ledger`): every problem of every row at once;
3. **the month's state**: a submitted, verified or locked month takes only a correction (with its reason), as a
   monthly submission does;
4. **the metal balance** (:mod:`carbonpeak.engine.recycling`) within ``recycling.balance_tolerance``: a month
   whose balance does not close is saved as a draft with the gap named, and is never submitted
   (``recycling.balance_open``); asked to submit, the file is refused with that error.

Nothing is written unless every row passes. A month whose latest version holds the same lots and outputs gets
no new version (``unchanged``). The file is kept as evidence (SHA-256), like a monthly upload.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.engine.recycling import Balance, mass_balance
from carbonpeak.errors import InputError, ParameterNotFound, ValidationFailed
from carbonpeak.io import scrap_file
from carbonpeak.messages import Message
from carbonpeak.parameters import ParameterSet, load
from carbonpeak.recycling.ledger import SECTOR_METAL, Month, check
from carbonpeak.services import access
from carbonpeak.services.access import Principal
from carbonpeak.services.limits import check_lengths
from carbonpeak.store import repository as repo
from carbonpeak.store.models import Facility
from carbonpeak.store.recycling import repository as ledgers
from carbonpeak.store.recycling.models import ScrapLedgerVersion

REPORT = "submission.report"
TOLERANCE = "recycling.balance_tolerance"


@dataclass
class LedgerImport:
    """What an import or a correction did."""

    file: str
    lots: int
    sha256: str | None = None  # of the evidence file kept (None when nothing new was written)
    versions: list[tuple[str, str, int]] = field(default_factory=list)  # (facility, period, version) added
    unchanged: list[tuple[str, str, int]] = field(default_factory=list)
    submitted: bool = False
    open_balances: list[InputError] = field(default_factory=list)  # drafts whose balance does not close


def tolerance(period: str, metal: str, params: ParameterSet | None = None) -> tuple[float, Any]:
    """The balance tolerance [%] in force for the month and metal (the metal's own entry, else "default"), with
    its citation."""
    params = params or load()
    try:
        cited = params.at(TOLERANCE, period=period, metal=metal)
    except ParameterNotFound:
        cited = params.at(TOLERANCE, period=period, metal="default")
    return float(cited.value), cited


def balance_of(
    lots: list[dict[str, Any]], outputs: list[dict[str, Any]], period: str, metal: str, params: ParameterSet | None
) -> Balance:
    """The month's metal balance from its lots and outputs (all products together)."""
    pct, _cited = tolerance(period, metal, params)
    return mass_balance(
        [lot["mass_t"] for lot in lots],
        [lot["metal_yield"] for lot in lots],
        other_metal_t=sum(o.get("other_metal_input_t") or 0.0 for o in outputs),
        output_t=sum(o["output_t"] for o in outputs),
        stock_change_t=sum(o.get("stock_change_t") or 0.0 for o in outputs),
        losses_t=sum(o.get("losses_t") or 0.0 for o in outputs),
        tolerance_pct=pct,
    )


def balance_error(key: str, balance: Balance, *, file: str | None = None) -> InputError:
    """The coded error of a balance that does not close: where, by how much, and the tolerance."""
    residual = "—" if balance.residual_pct is None else f"{balance.residual_pct:+.2f}"
    return InputError(
        code="recycling.balance_open",
        file=file,
        record=key,
        field="output_t",
        metal_in=f"{balance.metal_in_t:,.3f}",
        accounted=f"{balance.accounted_t:,.3f}",
        residual=residual,
        tolerance=f"{balance.tolerance_pct:g}",
    )


def import_file(
    session: Session,
    principal: Principal,
    content: bytes,
    filename: str,
    *,
    submit: bool = False,
    reason: str | None = None,
    params: ParameterSet | None = None,
    actor: str | None = None,
) -> LedgerImport:
    """Import a scrap intake file: all rows, or none. With ``reason`` every month in it is a correction."""
    access.require(principal, REPORT)
    if reason is not None:
        reason = reason.strip()
        if not reason:
            raise ValidationFailed([InputError(code="intake.reason_required", field="reason")])
        check_lengths({"reason": reason})
    read = scrap_file.read(filename, content)
    facilities, refused = _facilities(session, principal, read)
    metals = {code: SECTOR_METAL[f.sector] for code, f in facilities.items() if f.sector in SECTOR_METAL}
    _drop_rows(read, set(refused))  # a refused facility's rows are not looked at any further
    checked = check(read, metals)
    errors = refused_errors(read, refused, facilities, filename) + checked.errors
    if errors:
        raise ValidationFailed(sorted(errors, key=_order), file=filename)
    return _write(session, principal, checked.months, facilities, filename, content, submit, reason, params, actor)


def _order(error: InputError) -> tuple[str, int, str]:
    return (str(error.sheet or ""), error.row or 0, str(error.field or ""))


def _facilities(session: Session, principal: Principal, read: scrap_file.Read) -> tuple[dict[str, Facility], list[str]]:
    """The facilities named in the file that the person may report for, and the codes refused."""
    codes = sorted({str(r.get("facility_id") or "").strip() for k in ("lots", "outputs") for _s, _n, r in read.rows(k)})
    codes = [c for c in codes if c]
    query = select(Facility).where(Facility.code.in_(codes), access.facility_filter(principal))
    mine = {f.code: f for f in session.scalars(query)} if codes else {}
    return mine, [c for c in codes if c not in mine]


def _drop_rows(read: scrap_file.Read, refused: set[str]) -> None:
    for sheet in read.sheets:
        sheet.rows = [(n, r) for n, r in sheet.rows if str(r.get("facility_id") or "").strip() not in refused]


def refused_errors(
    read: scrap_file.Read, refused: list[str], facilities: dict[str, Facility], filename: str
) -> list[InputError]:
    """One ``intake.facility_not_yours`` per refused code (its first row), and a casthouse check per facility."""
    out: list[InputError] = []
    named: set[str] = set()
    for sheet in read.sheets:
        for number, row in sheet.rows:
            code = str(row.get("facility_id") or "").strip()
            facility = facilities.get(code)
            if facility is not None and facility.sector not in SECTOR_METAL and code not in named:
                named.add(code)
                out.append(
                    InputError(
                        code="recycling.not_a_casthouse",
                        file=filename,
                        sheet=sheet.name,
                        row=number,
                        field="facility_id",
                        value=code,
                    )
                )
    for code in refused:
        out.append(InputError(code="intake.facility_not_yours", file=filename, field="facility_id", value=code))
    return out


def _write(
    session: Session,
    principal: Principal,
    months: dict[tuple[str, str], Month],
    facilities: dict[str, Facility],
    filename: str,
    content: bytes | None,
    submit: bool,
    reason: str | None,
    params: ParameterSet | None,
    actor: str | None,
) -> LedgerImport:
    actor = actor or principal.actor
    params = params or load()
    pairs = {key: (facilities[key[0]].id, key[1]) for key in months}
    locked = ledgers.lock_ledgers(session, list(pairs.values()))
    latest = ledgers.latest_versions(session, [x.id for x in locked.values()])
    errors: list[InputError] = []
    balances: dict[tuple[str, str], Balance] = {}
    for key, month in months.items():
        ledger = locked[pairs[key]]
        previous = latest.get(ledger.id)
        same = previous is not None and previous.sha256 == ledgers.canonical_sha256(month.lots, month.outputs)
        refusal = None if same else repo.check_can_receive(previous, correction=reason is not None)  # type: ignore[arg-type]
        if refusal is not None:
            errors.append(InputError(refusal, file=filename, record=f"{key[0]}@{key[1]}", field="period"))
        balances[key] = balance_of(month.lots, month.outputs, key[1], SECTOR_METAL[facilities[key[0]].sector], params)
        if submit and not balances[key].closes:
            errors.append(balance_error(f"{key[0]}@{key[1]}", balances[key], file=filename))
    if errors:
        raise ValidationFailed(errors, file=filename)
    result = LedgerImport(file=filename, lots=sum(len(m.lots) for m in months.values()))
    upload_id = None
    to_submit: list[tuple[str, ScrapLedgerVersion]] = []
    for key, month in sorted(months.items()):
        ledger = locked[pairs[key]]
        previous = latest.get(ledger.id)
        label = f"{key[0]}@{key[1]}"
        if previous is not None and previous.sha256 == ledgers.canonical_sha256(month.lots, month.outputs):
            result.unchanged.append((*key, previous.version))
            if submit and previous.status == "draft":
                to_submit.append((label, previous))
            continue
        if upload_id is None and content is not None:
            upload = repo.store_upload(session, filename, content, actor, result.lots)
            upload_id, result.sha256 = upload.id, upload.sha256
        version = ledgers.add_version(
            session, ledger, previous, month.lots, month.outputs, actor, reason=reason, upload_id=upload_id, key=label
        )
        result.versions.append((*key, version.version))
        if not balances[key].closes:
            result.open_balances.append(balance_error(label, balances[key], file=filename))
        if submit:
            to_submit.append((label, version))
    if submit and to_submit:
        access.require(principal, access.STEP_PERMISSION["submitted"])
        ledgers.transition(session, to_submit, "submitted", actor, None)
        result.submitted = True
    return result


def save_form(
    session: Session,
    principal: Principal,
    facility_code: str,
    period: str,
    lots: list[dict[str, Any]],
    outputs: list[dict[str, Any]],
    *,
    submit: bool = False,
    reason: str | None = None,
    params: ParameterSet | None = None,
) -> LedgerImport:
    """One casthouse-month entered in the web form: the same checks as a file (errors name the form's rows)."""
    access.require(principal, REPORT)
    read = scrap_file.Read()
    for kind, rows in (("lots", lots), ("outputs", outputs)):
        sheet = scrap_file.Sheet(kind, "form", kind)
        for number, row in enumerate(rows, start=1):
            if any(v not in (None, "") for v in row.values()):
                sheet.rows.append((number, {**row, "facility_id": facility_code, "period": period}))
        read.sheets.append(sheet)
    if not any(s.rows for s in read.sheets if s.kind == "lots"):
        raise ValidationFailed([InputError(code="recycling.no_lots", file="form")], file="form")
    facilities, refused = _facilities(session, principal, read)
    if refused:
        raise ValidationFailed(refused_errors(read, refused, facilities, "form"), file="form")
    metals = {code: SECTOR_METAL[f.sector] for code, f in facilities.items() if f.sector in SECTOR_METAL}
    checked = check(read, metals)
    errors = refused_errors(read, [], facilities, "form") + checked.errors
    if errors:
        raise ValidationFailed(sorted(errors, key=_order), file="form")
    if reason is not None:
        reason = reason.strip() or None
        if reason:
            check_lengths({"reason": reason})
    return _write(session, principal, checked.months, facilities, "form", None, submit, reason, params, None)


def messages_of(errors: list[InputError]) -> list[Message]:
    return [Message(e.code or "", **e.params) for e in errors]
