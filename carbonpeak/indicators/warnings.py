"""Warnings a regulator works through: the rules that raise them and the steps of their workflow.

Generation is pure (:func:`generate` over the facts, the submissions and the facilities as plain frames,
and the targets' evaluations); :func:`next_status` decides what a step (acknowledge, assign, close,
reopen) does to a warning's status, refusing with a coded error what its state does not allow. The
store keeps the warnings and their history (:mod:`carbonpeak.store.warnings`); raising new ones and
acting on one are use cases (:mod:`carbonpeak.services.warnings`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from carbonpeak.accounting.benchmark import classify_facilities
from carbonpeak.errors import InputError, ParameterNotFound
from carbonpeak.indicators import definitions as ind
from carbonpeak.indicators.targets import Evaluation, reason_in
from carbonpeak.messages import Message
from carbonpeak.parameters import ParameterSet, load

KINDS = (
    "below_baseline",
    "baseline_deadline_passed",
    "late_submission",
    "missing_submission",
    "implausible_jump",
    "estimated_month",
    "over_capacity",
    "target_off_track",
)
_STATUS_ZH = {"missed": "未达成", "off_track": "进度滞后"}


def _reason_zh(evaluation: Evaluation) -> str:
    """The evaluation's reason in Chinese (coded parts from the message catalog), else as written."""
    return reason_in(evaluation.reason, "zh") or evaluation.reason


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
    """Every warning the data support on ``as_of``.

    ``facts``: counted facility-months (:func:`carbonpeak.store.facts.facility_months`);
    ``submissions``: the latest version of every reported month (facility_code, period, status,
    submitted_at); ``facilities``: facility_code, status, commissioning_year, retired_on,
    capacity_t_per_a, province_code.
    """
    params = params or load()
    due_day = int(params.value("indicators.warning_rule", period=as_of, item="report_due_day"))
    band = float(params.value("indicators.warning_rule", period=as_of, item="jump_band"))
    raised: list[Raised] = []
    retired_on = pd.to_datetime(facilities["retired_on"], errors="coerce")  # all-empty: a datetime column of NaT
    retired = retired_on.notna() & (retired_on <= pd.Timestamp(as_of))
    still_operating = facts[~facts["facility_code"].isin(facilities.loc[retired, "facility_code"])]
    raised += _benchmark_warnings(still_operating, params, benchmark_edition, as_of)  # exits need no warning
    raised += _reporting_warnings(submissions, facilities, as_of, due_day)
    raised += _jump_warnings(facts, band)
    raised += _estimate_warnings(facts)
    raised += _capacity_warnings(facts)
    for evaluation in evaluations or []:
        if evaluation.status in ("off_track", "missed"):
            raised.append(
                Raised(
                    key=f"target:{evaluation.plan}:{evaluation.target.id}",
                    kind="target_off_track",
                    severity="medium",
                    message_zh=f"规划目标 {evaluation.target.id} {_STATUS_ZH[evaluation.status]}："
                    f"{_reason_zh(evaluation)}",
                    message_en=f"plan target {evaluation.target.id} {evaluation.status.replace('_', ' ')}: "
                    f"{evaluation.reason}",
                    details={"plan": evaluation.plan, "status": evaluation.status},
                )
            )
    return raised


def _benchmark_warnings(facts: pd.DataFrame, params: ParameterSet, edition: str | None, as_of: dt.date) -> list[Raised]:
    """Each facility's latest classified year: below the baseline before its deadline, or still below after it."""
    years = ind.facility_year_frame(facts)
    years = years[(years["product"] != "") & (years["year"] <= as_of.year)]
    latest = years.sort_values("year").groupby("facility_id").tail(1)
    out: list[Raised] = []
    for (_year, _product), group in latest.groupby(["year", "product"]):
        try:
            table, _shares, _cited = classify_facilities(group, params, edition=edition)
        except ParameterNotFound:
            continue  # a product-year whose levels are not in carbonpeak raises no class warning; the board says why
        for _, row in table[table["class"] == "below_baseline"].iterrows():
            year = int(row["year"])
            deadline = dt.date.fromisoformat(str(row["deadline"]))
            passed = as_of > deadline
            kind = "baseline_deadline_passed" if passed else "below_baseline"
            text = f"{row['unit_consumption']:,.0f} {row['unit']} > {row['baseline_level']:,.0f}"
            out.append(
                Raised(
                    key=f"{kind}:{row['facility_id']}:{year}",
                    kind=kind,
                    severity="high",
                    facility_code=str(row["facility_id"]),
                    period=str(year),
                    deadline=deadline,
                    message_zh=f"{row['facility_id']} {year} 年单耗 {text}（基准水平，{row['edition']} 版），"
                    + (f"改造或退出期限 {deadline} 已过" if passed else f"须于 {deadline} 前完成改造或退出"),
                    message_en=f"{row['facility_id']} {year}: {text} (baseline, {row['edition']} edition); "
                    + (f"the deadline {deadline} has passed" if passed else f"upgrade or exit by {deadline}"),
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
    out: list[Raised] = []
    for _, row in submissions.iterrows():
        submitted = row["submitted_at"]
        if submitted is None or pd.isna(submitted):
            continue
        due = _due(row["period"], due_day)
        if pd.Timestamp(submitted).date() > due:
            days = (pd.Timestamp(submitted).date() - due).days
            out.append(
                Raised(
                    key=f"late_submission:{row['facility_code']}:{row['period']}",
                    kind="late_submission",
                    severity="medium",
                    facility_code=row["facility_code"],
                    period=row["period"],
                    deadline=due,
                    message_zh=f"{row['facility_code']} {row['period']} 月报迟报 {days} 天（应于 {due} 前报送）",
                    message_en=f"{row['facility_code']} {row['period']} reported {days} days late (due {due})",
                    details={"submitted_at": str(submitted), "days_late": days},
                )
            )
    reported = {(r.facility_code, r.period) for r in submissions.itertuples()}
    last_due = as_of.replace(day=1) - dt.timedelta(days=1)  # the last month whose report could be due
    if as_of.day <= due_day:
        last_due = last_due.replace(day=1) - dt.timedelta(days=1)
    last_month = f"{last_due.year:04d}-{last_due.month:02d}"
    first_reported = submissions.groupby("facility_code")["period"].min().to_dict()
    for _, facility in facilities.iterrows():
        code = facility["facility_code"]
        if code not in first_reported:
            continue
        end = last_month
        if facility.get("retired_on") is not None and not pd.isna(facility["retired_on"]):
            retired = pd.Timestamp(facility["retired_on"]).date()
            end = min(end, f"{retired.year:04d}-{retired.month:02d}")
        for period in _months(first_reported[code], end):
            if (code, period) not in reported:
                out.append(
                    Raised(
                        key=f"missing_submission:{code}:{period}",
                        kind="missing_submission",
                        severity="medium",
                        facility_code=code,
                        period=period,
                        deadline=_due(period, due_day),
                        message_zh=f"{code} {period} 月报缺报",
                        message_en=f"{code} {period} not reported",
                    )
                )
    return out


def _jump_warnings(facts: pd.DataFrame, band: float) -> list[Raised]:
    out: list[Raised] = []
    rows = facts[facts["output_t"].fillna(0) > 0].sort_values(["facility_code", "period"])
    for code, group in rows.groupby("facility_code"):
        for column, label_zh, label_en in (
            ("energy_tce", "单位产品能耗", "energy per tonne"),
            ("total_location_tco2e", "单位产品碳排放", "emissions per tonne"),
        ):
            per_t = (group[column] / group["output_t"]).to_numpy()
            change = np.abs(per_t[1:] / per_t[:-1] - 1.0) * 100.0
            periods = group["period"].to_numpy()
            for k in np.flatnonzero(change > band):
                period = str(periods[k + 1])
                out.append(
                    Raised(
                        key=f"implausible_jump:{code}:{period}:{column}",
                        kind="implausible_jump",
                        severity="low",
                        facility_code=str(code),
                        period=period,
                        message_zh=f"{code} {period} {label_zh}环比变化 {change[k]:.0f}%（超过 {band:g}%）",
                        message_en=f"{code} {period}: {label_en} changed {change[k]:.0f} % on the previous month "
                        f"(band {band:g} %)",
                        details={"previous": float(per_t[k]), "current": float(per_t[k + 1]), "column": column},
                    )
                )
    return out


def _estimate_warnings(facts: pd.DataFrame) -> list[Raised]:
    rows = facts[facts.get("metering", pd.Series("meter", index=facts.index)) == "estimate"]
    return [
        Raised(
            key=f"estimated_month:{r.facility_code}:{r.period}",
            kind="estimated_month",
            severity="low",
            facility_code=r.facility_code,
            period=r.period,
            message_zh=f"{r.facility_code} {r.period} 数据为估算值（无计量）",
            message_en=f"{r.facility_code} {r.period} filled by estimate, not meter readings",
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
                Raised(
                    key=f"over_capacity:{row.facility_code}:{row.year}",
                    kind="over_capacity",
                    severity="high",
                    facility_code=row.facility_code,
                    period=str(row.year),
                    message_zh=f"{row.facility_code} {row.year} 年化产量 {rate:,.0f} t "
                    f"超过核定产能 {row.capacity:,.0f} t/a",
                    message_en=f"{row.facility_code} {row.year}: output at {rate:,.0f} t/a exceeds approved capacity "
                    f"{row.capacity:,.0f} t/a",
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
