"""The verifier's queue: the months to verify (or returned, or verified and waiting to be locked) of the
enterprises assigned to the verifier, each with what a verifier weighs before deciding.

Each row has its enterprise and facility (names, not codes only), month, status, the plausibility warnings of
the version as saved (``SubmissionVersion.flags``, rendered from the message catalog by their code), the
enterprise's explanation (the record field ``explanation``, 情况说明, when given), and its unit consumption
with the change on the month before:

* electrolytic aluminium: 铝液交流电耗 = electrolysis AC power × 1000 / liquid aluminium output [kWh/t]
  (GB 21346-2022 §3);
* every other sector: 单位产品综合能耗 = comprehensive energy × 1000 / output [kgce/t] (GB/T 2589-2020 §3),
  from the month's result (none while the month waits for a parameter value).

The decisions themselves (verify with an opinion, return with a reason) are :mod:`carbonpeak.services.submissions`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak import messages
from carbonpeak.engine.energy import unit_consumption
from carbonpeak.errors import InputError
from carbonpeak.messages import Message
from carbonpeak.services import access
from carbonpeak.services.access import Principal
from carbonpeak.store import queue as stored
from carbonpeak.store import repository as repo
from carbonpeak.store.models import Enterprise, Facility, Submission, SubmissionVersion
from carbonpeak.vocabulary import Sector

# What the queue shows when no status is chosen, in this order: to verify, sent back, to lock.
QUEUE_STATUSES = ("submitted", "returned", "verified")
LIMIT = 500  # rows shown at once; the count says how many there are


@dataclass(frozen=True)
class Measure:
    """A unit consumption: its code (message ``verification.unit.<code>``), unit and how it is made."""

    code: str
    unit: str
    numerator: str  # the facts figure divided by output (× 1000)

    @property
    def label(self) -> Message:
        return Message(f"verification.unit.{self.code}")


AC_POWER = Measure("ac_power_liquid_aluminium", "kWh/t", "electrolysis_ac_mwh")
ENERGY = Measure("comprehensive_energy", "kgce/t", "energy_tce")


def measure_of(sector: str) -> Measure:
    return AC_POWER if sector == Sector.ELECTROLYTIC_ALUMINIUM.value else ENERGY


class FieldName(Message):
    """A record field's label in the reader's language, as a message parameter."""

    def __init__(self, name: str) -> None:
        super().__init__("", name=name)

    def text(self, lang: str = messages.DEFAULT_LANG) -> str:
        return messages.field_label(str(self.params["name"]), lang)


@dataclass
class QueueRow:
    facility: Facility
    enterprise: Enterprise
    period: str
    version: SubmissionVersion
    flags: list[Message]
    explanation: str | None
    measure: Measure
    value: float | None  # this month's unit consumption
    previous: float | None  # the month before's (its latest version)
    change_pct: float | None  # (value - previous) / previous × 100
    has_result: bool

    @property
    def actionable(self) -> bool:
        """Whether the verifier can verify or return it now."""
        return self.version.status == "submitted"


@dataclass
class Queue:
    rows: list[QueueRow]
    total: int  # months matching the filters (the rows are the first LIMIT)
    flagged: int  # of those, how many carry plausibility warnings
    enterprises: list[Enterprise] = field(default_factory=list)  # in scope, for the filter


def flag_messages(flags: list[Any] | None) -> list[Message]:
    """The plausibility warnings of a version as coded messages; a code the catalog does not know (a rule
    retired since) still says which field it was about."""
    out: list[Message] = []
    for flag in flags or []:
        if not isinstance(flag, dict):
            continue
        code, params = flag.get("code"), flag.get("params") or {}
        if isinstance(code, str) and messages.known(code) and isinstance(params, dict):
            out.append(Message(code, **params))
        else:
            out.append(Message("verification.flag_unlisted", field=FieldName(str(flag.get("field") or ""))))
    return out


def queue(
    session: Session,
    principal: Principal,
    *,
    enterprise: str | None = None,
    period: str | None = None,
    status: str | None = None,
    flagged_only: bool = False,
    limit: int = LIMIT,
) -> Queue:
    """The verifier's queue, filtered by enterprise code, month (YYYY-MM), status and flags."""
    access.require(principal, "submission.verify")
    if status and status not in repo.STATUSES:
        raise InputError(code="verification.unknown_status", field="status", value=status)
    statuses = (status,) if status else QUEUE_STATUSES
    months = stored.latest_months(
        session, access.facility_filter(principal), statuses, enterprise_code=enterprise or None, period=period or None
    )
    if flagged_only:
        months = [(s, v) for s, v in months if v.flags]
    order = {s: i for i, s in enumerate(statuses)}
    months.sort(key=lambda m: order.get(m[1].status, len(order)))  # stable: enterprise, facility, month within
    shown = months[:limit]
    rows = _rows(session, shown)
    in_scope = session.scalars(select(Enterprise).where(access.enterprise_filter(principal)).order_by(Enterprise.code))
    return Queue(rows, len(months), sum(1 for _s, v in months if v.flags), list(in_scope))


def _previous(period: str) -> str:
    year, month = int(period[:4]), int(period[5:7])
    return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"


def _rows(session: Session, months: list[tuple[Submission, SubmissionVersion]]) -> list[QueueRow]:
    if not months:
        return []
    now = stored.figures(session, [v.id for _s, v in months])
    before = stored.previous_figures(session, [(s.facility_id, _previous(s.period)) for s, _v in months])
    chosen = [measure_of(s.facility.sector) for s, _v in months]
    empty = stored.Figures(None, None, None, False)

    def consumption(found: list[stored.Figures]) -> np.ndarray:
        totals = [getattr(f, m.numerator) for f, m in zip(found, chosen, strict=True)]
        output = [f.output_t for f in found]
        # no output (or an idle month) gives no unit consumption, never a division by zero
        return unit_consumption(np.array(totals, dtype=float), np.array(output, dtype=float), 1000.0)

    current = [now.get(v.id, empty) for _s, v in months]
    earlier = [before.get((s.facility_id, _previous(s.period)), empty) for s, _v in months]
    values, previous = consumption(current), consumption(earlier)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(previous > 0, (values - previous) / previous * 100.0, np.nan)
    rows = []
    for i, (submission, version) in enumerate(months):
        explanation = (version.record or {}).get("explanation")
        rows.append(
            QueueRow(
                facility=submission.facility,
                enterprise=submission.facility.enterprise,
                period=submission.period,
                version=version,
                flags=flag_messages(version.flags),
                explanation=str(explanation).strip() or None if explanation is not None else None,
                measure=chosen[i],
                value=_number(values[i]),
                previous=_number(previous[i]),
                change_pct=_number(change[i]),
                has_result=current[i].has_result,
            )
        )
    return rows


def _number(value: Any) -> float | None:
    number = float(value)
    return None if np.isnan(number) or np.isinf(number) else number
