"""A month's results as its page shows them: why it waits, a provisional figure, and the result history.

* **Waiting**: the coded reason kept on the version (which value is missing, who publishes it, when it
  is expected), as a message to render in the reader's language.
* **Provisional** (暂估): the month accounted with the latest earlier published value in place of the
  missing one, with the value used. Computed for reading only: never stored, never in a total.
* **History**: each result of the version (when, method, totals) and, between two results, the
  parameter values that differ (from the snapshots the results were computed with).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from carbonpeak.accounting.waiting import Missing, Substitute, message_of, parameter_label, provisional
from carbonpeak.errors import CarbonpeakError
from carbonpeak.io.activity import parse_records
from carbonpeak.messages import Bilingual, Message
from carbonpeak.parameters import ParameterSet
from carbonpeak.services import access
from carbonpeak.services.access import Principal
from carbonpeak.store import jobs as stored
from carbonpeak.store import repository as repo
from carbonpeak.store.models import Result, SubmissionVersion
from carbonpeak.store.parameters import parameter_set

SHOWN = ("energy_tce", "total_location_tco2e", "total_market_tco2e", "intensity_location_tco2e_per_t")


@dataclass(frozen=True)
class Provisional:
    """A figure computed with earlier published values standing in for missing ones (暂估)."""

    values: dict[str, Any]  # result columns (SHOWN)
    method: str
    used: list[Message]  # per value that stood in: what, for which period, the value used and its source


@dataclass(frozen=True)
class ParameterChange:
    label: Bilingual
    before: Any  # None: not used by the earlier result
    after: Any  # None: not used by the later result
    unit: str
    source: str  # the later value's citation (the earlier one's when the later result did not use it)


@dataclass(frozen=True)
class HistoryStep:
    result: Result
    changes: list[ParameterChange] = field(default_factory=list)  # against the result before it


@dataclass(frozen=True)
class MonthResults:
    version: SubmissionVersion
    waiting: Message | None
    provisional: Provisional | None
    history: list[HistoryStep]


def month_results(session: Session, principal: Principal, facility_code: str, period: str) -> MonthResults | None:
    """The latest version's waiting reason, provisional figure and result history (None: no such month)."""
    facility = access.get_facility(session, principal, facility_code)
    versions = repo.versions_of(session, facility.code, period)
    if not versions:
        return None
    version = versions[-1]
    results = repo.results_of(session, version)
    params = parameter_set(session)
    waiting = message_of(version.waiting) if version.waiting and not results else None
    shown = provisional_figure(version, params) if not results else None
    return MonthResults(
        version, waiting if isinstance(waiting, Message) else None, shown, history(session, results, params)
    )


def provisional_figure(version: SubmissionVersion, params: ParameterSet) -> Provisional | None:
    """The version accounted with earlier values in place of missing ones; None when none exists."""
    record = {
        **version.record,
        "record_id": f"{version.record['facility_id']}@{version.record['period']}#v{version.version}",
    }
    try:
        found = provisional(parse_records([record], source="store"), params)
    except CarbonpeakError:
        return None
    if found is None or not found[1]:
        return None
    result, used = found
    row = result.table.iloc[0]
    values = {name: _plain(row[name]) for name in SHOWN if name in row}
    return Provisional(values, str(row["method"]), [_used(s) for s in used])


def _used(substitute: Substitute) -> Message:
    source = substitute.document + (f" {substitute.number}" if substitute.number else "")
    return Message(
        "recompute.provisional_used",
        parameter=message_of(substitute.label),
        period=message_of(substitute.period),
        used_period=message_of(substitute.used_period),
        value=substitute.value,
        unit=substitute.unit,
        source=source,
    )


def _plain(value: Any) -> Any:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return value
    return None if number != number else number


# ---------------------------------------------------------------- history


def history(session: Session, results: list[Result], params: ParameterSet) -> list[HistoryStep]:
    """Each result with the parameter values that differ from the result before it."""
    cited = stored.snapshots(session, [r.parameter_fingerprint for r in results])
    steps: list[HistoryStep] = []
    previous: Result | None = None
    for result in results:
        changes = []
        if previous is not None and previous.parameter_fingerprint != result.parameter_fingerprint:
            changes = differences(
                cited.get(previous.parameter_fingerprint, []), cited.get(result.parameter_fingerprint, []), params
            )
        steps.append(HistoryStep(result, changes))
        previous = result
    return steps


def _identity(cited: dict[str, Any]) -> str:
    key = {str(k): str(v) for k, v in (cited.get("key") or {}).items()}
    return json.dumps([cited.get("parameter"), key, cited.get("edition")], sort_keys=True, ensure_ascii=False)


def _citation(cited: dict[str, Any]) -> str:
    source = cited.get("source") or {}
    parts = [source.get("document") or ""]
    if source.get("number") and source["number"] not in parts[0]:
        parts.append(source["number"])
    if source.get("issuer"):
        parts.append(source["issuer"])
    return " · ".join(p for p in parts if p)


def differences(
    before: list[dict[str, Any]], after: list[dict[str, Any]], params: ParameterSet
) -> list[ParameterChange]:
    """The cited values that differ between two snapshots: a value, its source or its period changed, or a
    value used by only one of them."""
    old = {_identity(c): c for c in before}
    new = {_identity(c): c for c in after}
    out = []
    for ident in sorted(old.keys() | new.keys()):
        a, b = old.get(ident), new.get(ident)
        if a is not None and b is not None and _same(a, b):
            continue
        shown = b if b is not None else a
        assert shown is not None
        label = parameter_label(params, Missing(str(shown.get("parameter")), dict(shown.get("key") or {})))
        out.append(
            ParameterChange(
                label=Bilingual(label["zh"], label["en"]),
                before=None if a is None else a.get("value"),
                after=None if b is None else b.get("value"),
                unit=str(shown.get("unit") or ""),
                source=_citation(shown),
            )
        )
    return out


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    fields = ("value", "unit", "valid_from", "valid_to", "source")
    return all(
        json.dumps(a.get(f), sort_keys=True, default=str) == json.dumps(b.get(f), sort_keys=True, default=str)
        for f in fields
    )
