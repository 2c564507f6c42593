"""The monthly workflow steps: submit, verify, return, lock.

draft → submitted → verified → locked. A verifier may instead return a submitted month to the enterprise
(returned, 退回修改) with a reason; the enterprise answers with a correction (services.intake.correct: a new
draft version, the correction's reason its answer) and submits it again.

One use case for the web page, the API and the CLI, checked in this order:

1. the person's permission for the step (a role that may not take it is refused, whatever the month);
2. every month: an unknown facility, a facility outside the person's scope and a month with nothing reported
   all get the same refusal (``submission.no_such_month``), so an answer never tells whether another
   enterprise's month exists;
3. the text the step records: verifying needs an opinion (核查意见), returning a reason, each limited in
   length (services.limits);
4. each month's state: the step before; and to be verified, a month needs a result (a month waiting for a
   parameter value cannot be verified).

All months move, or none; each step is in the audit log with its opinion or reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak import messages
from carbonpeak.errors import InputError, NotFound, ValidationFailed
from carbonpeak.messages import Message
from carbonpeak.services import access
from carbonpeak.services import warnings as warning_cases
from carbonpeak.services.access import Principal
from carbonpeak.services.limits import check_lengths
from carbonpeak.store import repository as repo
from carbonpeak.store.models import Facility, SubmissionVersion

# the text a step records, by the field that holds it, and the refusal when it is missing
NOTE_FIELD = {"verified": "opinion", "returned": "reason"}
_NOTE_MISSING = {"verified": "submission.opinion_required", "returned": "submission.return_reason_required"}


def step(
    session: Session,
    principal: Principal,
    months: Iterable[tuple[str, str]],
    target: str,
    *,
    note: str | None = None,
) -> list[SubmissionVersion]:
    """Move the latest version of each (facility code, month) to ``target`` (submitted, verified, returned,
    locked); ``note`` is the opinion of a verification or the reason of a return.

    Raises AccessDenied (the role) or NotFound (``submission.no_such_month``) before anything else is said
    about the months; then ValidationFailed for a missing or too long opinion or reason, and a coded
    InputError for a month not in the state the step needs or without a result. Nothing is written then
    (the caller's transaction is rolled back)."""
    if target not in access.STEP_PERMISSION:
        raise InputError(code="submission.unknown_step", field="status", value=target)
    access.require(principal, access.STEP_PERMISSION[target])
    chosen = list(dict.fromkeys((str(code), str(period)) for code, period in months))
    if not chosen:
        raise ValidationFailed([InputError(code="submission.no_months", field="months")])
    versions = _latest_in_scope(session, principal, chosen)
    text = step_note(target, note)
    if target == "verified":
        _refuse_without_result(session, chosen, versions)
    repo.transition_many(session, versions, target, principal.actor, note=text)
    warning_cases.after_change(
        session,
        principal.actor,
        facilities={code for code, _period in chosen},
        months=chosen if target == "submitted" else None,  # a month submitted: its metered month is compared
    )
    return versions


def verify(
    session: Session, principal: Principal, months: Iterable[tuple[str, str]], opinion: str | None
) -> list[SubmissionVersion]:
    """Verify submitted months with one opinion (核查意见) for all of them: all, or none."""
    return step(session, principal, months, "verified", note=opinion)


def return_months(
    session: Session, principal: Principal, months: Iterable[tuple[str, str]], reason: str | None
) -> list[SubmissionVersion]:
    """Return submitted months to their enterprise (退回修改) with one reason for all of them: all, or none."""
    return step(session, principal, months, "returned", note=reason)


def _no_such_month(code: str, period: str) -> NotFound:
    return NotFound(code="submission.no_such_month", facility=code, period=period)


def _latest_in_scope(
    session: Session, principal: Principal, chosen: Sequence[tuple[str, str]]
) -> list[SubmissionVersion]:
    """The latest version of each month, read under the months' lock; one refusal for a month the person may
    not act on, whether its facility is unknown, outside their scope, or has nothing reported that month."""
    codes = sorted({code for code, _period in chosen})
    query = select(Facility).where(Facility.code.in_(codes), access.facility_filter(principal))
    mine = {f.code: f for f in session.scalars(query)} if codes else {}
    for code, period in chosen:
        if code not in mine:
            raise _no_such_month(code, period)
    pairs = [(mine[code].id, period) for code, period in chosen]
    known = repo.latest_of_months(session, pairs)  # read first: a refused month creates no row
    for (code, period), pair in zip(chosen, pairs, strict=True):
        if pair not in known:
            raise _no_such_month(code, period)
    locked = repo.lock_months(session, pairs)  # a concurrent correction or step decides before or after this
    latest = repo.latest_versions(session, [locked.ids[pair] for pair in pairs])
    return [latest[locked.ids[pair]] for pair in pairs]


def step_note(target: str, note: str | None) -> str | None:
    """The opinion or reason a step records, checked (required, limited in length); None for a step without."""
    field = NOTE_FIELD.get(target)
    if field is None:
        return None
    text = (note or "").strip()
    if not text:
        raise ValidationFailed([InputError(code=_NOTE_MISSING[target], field=field)])
    check_lengths({field: text})
    return text


def _refuse_without_result(
    session: Session, chosen: Sequence[tuple[str, str]], versions: Sequence[SubmissionVersion]
) -> None:
    """A month whose latest version has no result cannot be verified: the verifier would pass figures nobody
    has seen (its status is checked first: a draft is refused as a draft)."""
    waiting = repo.without_result(session, [v.id for v in versions if v.status == repo.NEXT_STATUS["verified"]])
    for (code, period), version in zip(chosen, versions, strict=True):
        if version.id not in waiting:
            continue
        why = version.waiting or {}  # the coded reason it waits (the parameter missing), when one was kept
        refusal = Message("submission.no_result", version=version.version)
        if isinstance(why.get("code"), str) and messages.known(why["code"]):
            reason = Message(why["code"], **(why.get("params") or {}))
            refusal = Message("submission.no_result_waiting", version=version.version, why=reason)
        raise InputError(refusal, record=f"{code}@{period}", field="status")
