"""The demonstration province's months against the gate (they are loaded directly, not through the intake):
the latest version of every month trips no error, and few carry warnings; the deliberately wrong first
versions behind the demo's corrections are refused, as they should be."""

from __future__ import annotations

from collections import Counter
from functools import cache

from carbonpeak.accounting import account
from carbonpeak.demo import DemoProvince, generate
from carbonpeak.io.activity import parse_records
from carbonpeak.parameters import load
from carbonpeak.plausibility import check


@cache
def province() -> DemoProvince:
    return generate(seed=2026)


def findings(records: list[dict]) -> list:
    params = load()
    batch = parse_records(records, source="demo", collect=True)
    table = account(batch, params).table
    capacity = {f["code"]: f.get("capacity_t_per_a") for f in province().facilities}
    results = {"energy_tce": table["energy_tce"].to_numpy(), "fuel_tce": table["fuel_tce"].to_numpy()}
    return check(batch, params, capacity=capacity, results=results)


def test_the_latest_version_of_every_demo_month_trips_no_error() -> None:
    months = province().submissions
    found = findings([sub["versions"][-1]["record"] for sub in months])
    assert [f for f in found if f.severity == "error"] == []
    by_rule = Counter(f.rule for f in found)
    # idle magnesium and silicon months keep some grid power: a warning each (13 months)
    assert by_rule["energy_without_output"] == 13
    flagged = {f.index for f in found}
    assert len(months) == 4242 and len(flagged) <= 30  # 21 when written: under 1 % of the months
    assert set(by_rule) <= {"energy_without_output", "output_year", "output_month"}


def test_the_wrong_first_versions_behind_the_demo_corrections_are_refused() -> None:
    corrected = [sub for sub in province().submissions if len(sub["versions"]) > 1]
    found = findings([sub["versions"][0]["record"] for sub in corrected])
    errors = {
        (corrected[f.index]["facility_code"], corrected[f.index]["period"], f.rule)
        for f in found
        if f.severity == "error"
    }
    assert errors == {
        ("AL03", "2024-03", "electricity_balance"),  # the potline meter read 10 % high
        ("AL05", "2024-06", "ac_power_per_t"),  # output with a digit missing: 132,428 kWh/t
        ("AL05", "2024-06", "fuel_per_t"),
    }
