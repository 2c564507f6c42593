"""Warnings a regulator works through: the rules that raise them and the steps of their workflow.

Generation is pure (:func:`evaluate` over the facts, the submissions and the facilities as plain frames,
and the targets' evaluations): it says which warnings the data support and what it checked, so that a
warning whose situation it checked and no longer finds can be cleared. :func:`next_status` decides what
a step (acknowledge, assign, close, reopen) does to a warning's status, refusing with a coded error what
its state does not allow. Each warning's text is rendered from the message catalog by code and
parameters (:mod:`carbonpeak.indicators.warning_texts`). The store keeps the warnings and their history
(:mod:`carbonpeak.store.warnings`); raising them (on each report, verification, parameter entry and
once a day) and acting on one are use cases (:mod:`carbonpeak.services.warnings`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from carbonpeak import messages
from carbonpeak.accounting.benchmark import classify_facilities
from carbonpeak.errors import InputError, ParameterNotFound
from carbonpeak.indicators import definitions as ind
from carbonpeak.indicators.targets import Evaluation, reason_in, target_map
from carbonpeak.indicators.warning_texts import coded
from carbonpeak.messages import Message
from carbonpeak.parameters import ParameterSet, load

KINDS = (
    "below_baseline",
    "baseline_deadline_passed",
    "late_submission",
    "missing_submission",
    "held_month",
    "implausible_jump",
    "estimated_month",
    "over_capacity",
    "target_off_track",
    "metered_month_differs",
)
METERED = "metered_month_differs"  # days secure the month: the metered month beyond the tolerance of the reported
BASELINE_KINDS = frozenset({"below_baseline", "baseline_deadline_passed"})
HELD_STATUSES = ("submitted", "returned")  # a reported month not verified yet: its plausibility warnings stand
_MEASURED = ("met", "on_track", "at_risk", "off_track", "missed")  # target statuses judged on a value
ACTIONS = {"acknowledge": "acknowledged", "assign": "assigned", "close": "closed", "reopen": "open"}


@dataclass
class Raised:
    key: str
    kind: str
    severity: str
    message_zh: str
    message_en: str
    facility_code: str | None = None
    period: str | None = None
    region: str = ""
    deadline: dt.date | None = None
    details: dict[str, Any] = field(default_factory=dict)


def _raised(key: str, kind: str, severity: str, params: dict[str, Any], **extra: Any) -> Raised:
    """A warning whose text is the catalog's ``warning.text.<kind>`` with ``params`` (kept in its details)."""
    texts, zh, en = coded(kind, **params)
    details = {**extra.pop("details", {}), **texts}
    return Raised(key=key, kind=kind, severity=severity, message_zh=zh, message_en=en, details=details, **extra)


@dataclass
class Outcome:
    """What one run of the rules raised, and what it checked (a warning it checked and did not raise again
    no longer holds)."""

    raised: list[Raised]
    kinds: frozenset[str]
    baseline: dict[str, str | None] = field(default_factory=dict)  # facility -> edition its class was judged by
    targets: frozenset[str] = frozenset()  # keys of the plan targets evaluated
    edition: str | None = None  # the benchmark edition asked for (None: the edition in force)
    metered: frozenset[tuple[str, str]] = frozenset()  # (facility, month) whose metered month was compared

    def covers(self, kind: str, facility_code: str | None, key: str, details: dict[str, Any] | None) -> bool:
        """Whether this run checked the situation of a stored warning (so its absence clears it). Only a
        warning the rules made (its key is theirs) is covered; a target only when its status was measured."""
        if kind == "target_off_track":  # judged by the same benchmark edition (a class share may depend on it)
            return key in self.targets and (details or {}).get("benchmark_edition", "?") == self.edition
        if kind not in self.kinds or not key.startswith(f"{kind}:{facility_code}:"):
            return False
        if kind == METERED:  # only the months compared in this run (a submission compares its own month)
            return (str(facility_code), key.rsplit(":", 1)[1]) in self.metered
        if kind in BASELINE_KINDS:
            if facility_code not in self.baseline:
                return False  # its product-year could not be classified: nothing known either way
            edition = self.baseline[facility_code]
            raised_by = ((details or {}).get("params") or {}).get("edition")
            return edition is None or raised_by is None or str(raised_by) == edition
        return True


def _due(period: str, day: int) -> dt.date:
    """The day a month's report is due: ``day`` of the following month."""
    year, month = int(period[:4]), int(period[5:7])
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return dt.date(year, month, day)


def _months(first: str, last: str) -> list[str]:
    out, (y, m) = [], (int(first[:4]), int(first[5:7]))
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def generate(
    facts: pd.DataFrame,
    submissions: pd.DataFrame,
    facilities: pd.DataFrame,
    *,
    as_of: dt.date,
    params: ParameterSet | None = None,
    benchmark_edition: str | None = None,
    evaluations: list[Evaluation] | None = None,
) -> list[Raised]:
    """Every warning the data support on ``as_of`` (:func:`evaluate` without what it checked)."""
    return evaluate(
        facts,
        submissions,
        facilities,
        as_of=as_of,
        params=params,
        benchmark_edition=benchmark_edition,
        evaluations=evaluations,
    ).raised


def evaluate(
    facts: pd.DataFrame,
    submissions: pd.DataFrame,
    facilities: pd.DataFrame,
    *,
    as_of: dt.date,
    params: ParameterSet | None = None,
    benchmark_edition: str | None = None,
    evaluations: list[Evaluation] | None = None,
    kinds: Collection[str] | None = None,
    regions: Mapping[str, str] | None = None,
    metered: list[dict[str, Any]] | None = None,
) -> Outcome:
    """Every warning the data support on ``as_of``, and what was checked.

    ``facts``: counted facility-months (:func:`carbonpeak.store.facts.facility_months`);
    ``submissions``: every month with a version (facility_code, period, status and flags of its latest
    version, submitted_at: when it was first reported, empty for a month only ever a draft);
    ``facilities``: facility_code, status, commissioning_year, retired_on, capacity_t_per_a.
    ``kinds``: only these rules (default all); ``regions``: plan -> the region its targets were evaluated for.
    ``metered``: the rows of the metered months compared with the reported ones
    (:func:`carbonpeak.services.monitoring_month.compare_month`); None: no reading store, nothing judged.
    """
    params = params or load()
    chosen = frozenset(kinds) & frozenset(KINDS) if kinds is not None else frozenset(KINDS)
    if metered is None:
        chosen -= {METERED}
    due_day = int(params.value("indicators.warning_rule", period=as_of, item="report_due_day"))
    band = float(params.value("indicators.warning_rule", period=as_of, item="jump_band"))
    outcome = Outcome(raised=[], kinds=chosen, edition=benchmark_edition)
    raised = outcome.raised
    retired_on = pd.to_datetime(facilities["retired_on"], errors="coerce")  # all-empty: a datetime column of NaT
    retired = retired_on.notna() & (retired_on <= pd.Timestamp(as_of))
    retired_codes = set(facilities.loc[retired, "facility_code"])
    if chosen & BASELINE_KINDS:
        still_operating = facts[~facts["facility_code"].isin(retired_codes)]
        raised += _benchmark_warnings(still_operating, params, benchmark_edition, as_of, outcome.baseline)
        outcome.baseline.update(dict.fromkeys(retired_codes))  # an exit needs no warning, by any edition
        raised[:] = [r for r in raised if r.kind in chosen]
    if chosen & {"late_submission", "missing_submission"}:
        raised += [r for r in _reporting_warnings(submissions, facilities, as_of, due_day) if r.kind in chosen]
    if "held_month" in chosen:
        raised += _held_warnings(submissions)
    if "implausible_jump" in chosen:
        raised += _jump_warnings(facts, band)
    if "estimated_month" in chosen:
        raised += _estimate_warnings(facts)
    if "over_capacity" in chosen:
        raised += _capacity_warnings(facts)
    if METERED in chosen and metered is not None:
        raised += _metered_warnings(metered)
        outcome.metered = frozenset(
            (r["facility_code"], r["month"]) for r in metered if r["state"] in ("within", "beyond")
        )
    if "target_off_track" in chosen and evaluations:
        raised += _target_warnings(evaluations, regions or {}, benchmark_edition)
        measured = [e for e in evaluations if e.status in _MEASURED]  # no data says nothing either way
        outcome.targets = frozenset(f"target:{e.plan}:{e.target.id}" for e in measured)
    return outcome


def _metered_warnings(rows: list[dict[str, Any]]) -> list[Raised]:
    """Days secure the month: one warning per facility-month with a figure beyond its tolerance, to the
    enterprise and its verifier (both see the warnings of the facility), each figure with both values."""
    beyond: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:
        if row["state"] == "beyond":
            beyond.setdefault((row["facility_code"], row["month"]), []).append(row)
    out = []
    for (code, period), found in sorted(beyond.items()):
        figures = [
            {
                "figure": r["figure"],
                "metered": r["metered"],
                "reported": r["reported"],
                "difference_pct": r["difference_pct"],
                "tolerance_pct": r.get("tolerance_pct"),
                "estimated": r.get("estimated"),
            }
            for r in found
        ]
        out.append(
            _raised(
                f"{METERED}:{code}:{period}",
                METERED,
                "medium",
                {"facility": code, "period": period, "figures": coded_figures(figures)},
                facility_code=code,
                period=period,
                details={"figures": figures, "addressed_to": ["enterprise", "verifier"]},
            )
        )
    return out


def coded_figures(figures: list[dict[str, Any]]) -> dict[str, str]:
    """The figures beyond the tolerance as the warning's text lists them, in zh and en."""

    def one(f: dict[str, Any], lang: str) -> str:
        diff = f["difference_pct"]
        return messages.render(
            "monitoring_month.figure_beyond",
            lang,
            {
                "figure": messages.render(f"monitoring_month.figure.{f['figure']}", lang),
                "metered": f"{f['metered']:,.1f}",
                "reported": f"{f['reported']:,.1f}",
                "difference": "—" if diff is None else f"{diff:+.1f}",
                "tolerance": "—" if f.get("tolerance_pct") is None else f"{f['tolerance_pct']:g}",
                "unit": messages.render(f"monitoring_month.unit.{f['figure']}", lang),
            },
        )

    return {lang: ("；" if lang == "zh" else "; ").join(one(f, lang) for f in figures) for lang in ("zh", "en")}


def _target_warnings(evaluations: list[Evaluation], regions: Mapping[str, str], edition: str | None) -> list[Raised]:
    out = []
    for evaluation in evaluations:
        if evaluation.status not in ("off_track", "missed"):
            continue
        target_id = evaluation.target.id
        indicator_zh = target_map().get(target_id, {}).get("zh") or evaluation.target.indicator
        out.append(
            _raised(
                f"target:{evaluation.plan}:{target_id}",
                "target_off_track",
                "medium",
                {
                    "target": {
                        "zh": f"{_quoted(evaluation.plan_title.get('zh'))}{target_id}（{indicator_zh}）",
                        "en": f"{target_id}" + (f" ({evaluation.plan_title['en']})" if evaluation.plan_title else ""),
                    },
                    "status": evaluation.status,
                    "reason": {
                        "zh": reason_in(evaluation.reason, "zh") or evaluation.reason,
                        "en": str(evaluation.reason),
                    },
                },
                region=regions.get(evaluation.plan, ""),
                details={"plan": evaluation.plan, "status": evaluation.status, "benchmark_edition": edition},
            )
        )
    return out


def _quoted(title: str | None) -> str:
    """A plan's title as Chinese texts cite it: 《贵州省有色金属行业碳达峰实施方案》 (its 译名 mark outside)."""
    if not title:
        return ""
    mark = "（译名）"
    return f"《{title.removesuffix(mark)}》{mark if title.endswith(mark) else ''}"


def _benchmark_warnings(
    facts: pd.DataFrame, params: ParameterSet, edition: str | None, as_of: dt.date, checked: dict[str, str | None]
) -> list[Raised]:
    """Each facility's latest classified year: below the baseline before its deadline, or still below after it.
    ``checked`` gets each facility whose class was judged, with the edition judged by."""
    years = ind.facility_year_frame(facts)
    years = years[(years["product"] != "") & (years["year"] <= as_of.year)]
    latest = years.sort_values("year").groupby("facility_id").tail(1)
    out: list[Raised] = []
    for (_year, _product), group in latest.groupby(["year", "product"]):
        try:
            table, _shares, _cited = classify_facilities(group, params, edition=edition)
        except ParameterNotFound:
            continue  # a product-year whose levels are not in carbonpeak raises no class warning; the board says why
        checked.update({str(r.facility_id): str(r.edition) for r in table.itertuples()})
        for _, row in table[table["class"] == "below_baseline"].iterrows():
            year = int(row["year"])
            deadline = dt.date.fromisoformat(str(row["deadline"]))
            kind = "baseline_deadline_passed" if as_of > deadline else "below_baseline"
            code = str(row["facility_id"])
            out.append(
                _raised(
                    f"{kind}:{code}:{year}",
                    kind,
                    "high",
                    {
                        "facility": code,
                        "year": year,
                        "value": float(row["unit_consumption"]),
                        "baseline": float(row["baseline_level"]),
                        "unit": str(row["unit"]),
                        "edition": str(row["edition"]),
                        "deadline": deadline,
                    },
                    facility_code=code,
                    period=str(year),
                    deadline=deadline,
                    details={
                        "unit_consumption": row["unit_consumption"],
                        "baseline_level": row["baseline_level"],
                        "product": row["product"],
                        "capacity_t_per_a": row["capacity_t_per_a"],
                    },
                )
            )
    return out


def _reporting_warnings(
    submissions: pd.DataFrame, facilities: pd.DataFrame, as_of: dt.date, due_day: int
) -> list[Raised]:
    """Months first reported after their due day, and months not reported (a draft is not a report) from a
    facility's first report up to the last month due on ``as_of`` (or its retirement)."""
    out: list[Raised] = []
    reported = submissions[submissions["submitted_at"].notna()]
    dues = {p: _due(p, due_day) for p in reported["period"].unique()}
    for row in reported.itertuples():
        submitted = pd.Timestamp(row.submitted_at).date()
        due = dues[row.period]
        if submitted > due:
            days = (submitted - due).days
            out.append(
                _raised(
                    f"late_submission:{row.facility_code}:{row.period}",
                    "late_submission",
                    "medium",
                    {"facility": row.facility_code, "period": row.period, "days": days, "due": due},
                    facility_code=row.facility_code,
                    period=row.period,
                    deadline=due,
                    details={"submitted_at": str(row.submitted_at), "days_late": days},
                )
            )
    done = set(zip(reported["facility_code"], reported["period"], strict=True))
    last_due = as_of.replace(day=1) - dt.timedelta(days=1)  # the last month whose report could be due
    if as_of.day <= due_day:
        last_due = last_due.replace(day=1) - dt.timedelta(days=1)
    last_month = f"{last_due.year:04d}-{last_due.month:02d}"
    first_reported = reported.groupby("facility_code")["period"].min().to_dict()
    for facility in facilities.itertuples():
        code = facility.facility_code
        if code not in first_reported:
            continue
        end = last_month
        if facility.retired_on is not None and not pd.isna(facility.retired_on):
            retired = pd.Timestamp(facility.retired_on).date()
            end = min(end, f"{retired.year:04d}-{retired.month:02d}")
        for period in _months(first_reported[code], end):
            if (code, period) not in done:
                due = _due(period, due_day)
                out.append(
                    _raised(
                        f"missing_submission:{code}:{period}",
                        "missing_submission",
                        "medium",
                        {"facility": code, "period": period, "due": due},
                        facility_code=code,
                        period=period,
                        deadline=due,
                    )
                )
    return out


def _held_warnings(submissions: pd.DataFrame) -> list[Raised]:
    """Reported months saved with plausibility warnings and not verified yet: kept out of the regulators'
    aggregates until a verifier resolves them (the flags are the plausibility gate's, on the version)."""
    if "flags" not in submissions.columns:
        return []
    out = []
    rows = submissions[submissions["status"].isin(HELD_STATUSES)]
    for row in rows.itertuples():
        flags = [f for f in (row.flags or []) if isinstance(f, dict) and f.get("severity", "warning") == "warning"]
        if not flags:
            continue
        fields = list(dict.fromkeys(str(f["field"]) for f in flags if f.get("field")))
        out.append(
            _raised(
                f"held_month:{row.facility_code}:{row.period}",
                "held_month",
                "medium",
                {"facility": row.facility_code, "period": row.period, "count": len(flags), "fields": fields},
                facility_code=row.facility_code,
                period=row.period,
                details={"rules": [str(f.get("rule", "")) for f in flags]},
            )
        )
    return out


_JUMP_COLUMNS = ("energy_tce", "total_location_tco2e")  # per tonne of output: unit consumption, intensity


def _jump_warnings(facts: pd.DataFrame, band: float) -> list[Raised]:
    out: list[Raised] = []
    rows = facts[facts["output_t"].fillna(0) > 0].sort_values(["facility_code", "period"])
    for code, group in rows.groupby("facility_code"):
        for column in _JUMP_COLUMNS:
            per_t = (group[column] / group["output_t"]).to_numpy()
            change = np.abs(per_t[1:] / per_t[:-1] - 1.0) * 100.0
            periods = group["period"].to_numpy()
            for k in np.flatnonzero(change > band):
                period = str(periods[k + 1])
                out.append(
                    _raised(
                        f"implausible_jump:{code}:{period}:{column}",
                        "implausible_jump",
                        "low",
                        {
                            "facility": str(code),
                            "period": period,
                            "column": column,
                            "change": round(float(change[k])),
                            "band": band,
                        },
                        facility_code=str(code),
                        period=period,
                        details={"previous": float(per_t[k]), "current": float(per_t[k + 1]), "column": column},
                    )
                )
    return out


def _estimate_warnings(facts: pd.DataFrame) -> list[Raised]:
    rows = facts[facts.get("metering", pd.Series("meter", index=facts.index)) == "estimate"]
    return [
        _raised(
            f"estimated_month:{r.facility_code}:{r.period}",
            "estimated_month",
            "low",
            {"facility": r.facility_code, "period": r.period},
            facility_code=r.facility_code,
            period=r.period,
        )
        for r in rows.itertuples()
    ]


def _capacity_warnings(facts: pd.DataFrame) -> list[Raised]:
    out: list[Raised] = []
    years = (
        facts.groupby(["facility_code", "year"])
        .agg(output_t=("output_t", "sum"), months=("period", "count"), capacity=("capacity_t_per_a", "max"))
        .reset_index()
    )
    years = years[(years["capacity"] > 0) & (years["months"] > 0)]
    annualised = years["output_t"] * 12.0 / years["months"]
    for row, rate in zip(years.itertuples(), annualised, strict=True):
        if rate > row.capacity:
            out.append(
                _raised(
                    f"over_capacity:{row.facility_code}:{row.year}",
                    "over_capacity",
                    "high",
                    {
                        "facility": row.facility_code,
                        "year": int(row.year),
                        "output": float(rate),
                        "capacity": float(row.capacity),
                    },
                    facility_code=row.facility_code,
                    period=str(row.year),
                    details={"annualised_output_t": float(rate), "capacity_t_per_a": float(row.capacity)},
                )
            )
    return out


# ---------------------------------------------------------------- the workflow


def next_status(status: str, action: str, assignee: str | None = None) -> str:
    """The status a warning in ``status`` moves to by ``action``; a coded :class:`InputError` when the
    action is unknown, an assignment names nobody, or the warning's state does not allow the step."""
    if action not in ACTIONS:
        raise InputError(code="warning.unknown_action", field="action", value=action)
    if action == "assign" and not assignee:
        raise InputError(code="warning.needs_assignee", field="assignee")
    if action == "reopen" and status != "closed":
        raise InputError(code="warning.reopen_only_closed", field="action", status=Message(f"warning.status.{status}"))
    if action != "reopen" and status == "closed":
        raise InputError(code="warning.closed", field="action", value=action)
    return ACTIONS[action]
