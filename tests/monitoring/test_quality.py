"""Data-quality indices against a hand-built facility of two local days (Asia/Shanghai): a plant meter with
resent duplicates, a process meter silent on the second day and late, a process meter past its calibration
date with a spike and a negative value, a stuck heat meter and an inactive meter; the counts, indices and
composite (weights from the parameter file) computed by hand below."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest

from carbonpeak.monitoring import quality as q
from carbonpeak.monitoring.rollups import frames, interval_consumption, rollup
from carbonpeak.parameters import ParameterSet

UTC = dt.UTC
START = dt.datetime(2025, 2, 28, 16, tzinfo=UTC)  # local midnight of 1 March 2025
Q = dt.timedelta(minutes=15)


def series(meter: str, values: list[float], delay_min: float) -> pd.DataFrame:
    starts = [START + i * Q for i in range(len(values))]
    return pd.DataFrame(
        {
            "meter": meter,
            "interval_start": pd.to_datetime(starts, utc=True),
            "value": values,
            "received_at": pd.to_datetime([s + Q + dt.timedelta(minutes=delay_min) for s in starts], utc=True),
        }
    )


def meter(
    code: str, point: str, energy: str = "electricity", due: str = "2026-01-01", status: str = "active"
) -> dict[str, object]:
    return {
        "meter_code": code,
        "facility_code": "F1",
        "enterprise_code": "E1",
        "energy_type": energy,
        "measuring_point": point,
        "reading_kind": "interval",
        "interval_min": 15,
        "multiplier": 1.0,
        "calibration_due": due,
        "status": status,
    }


@pytest.fixture
def facility(params: ParameterSet) -> dict[str, object]:
    b = [4.0 if i % 2 == 0 else 5.0 for i in range(192)]
    b[10], b[20] = 100.0, -1.0  # a spike (above 5 x the median 4.5) and a negative value
    s = [3.0] * 10 + [2.0 if i % 2 == 0 else 3.0 for i in range(182)]  # a run of ten equal values: nine stuck
    readings = pd.concat(
        [
            series("P", [10.0 if i % 2 == 0 else 11.0 for i in range(192)], 5),
            series("A", [6.0 if i % 2 == 0 else 7.0 for i in range(96)], 120),  # day one only, two hours late
            series("B", b, 0),
            series("S", s, 0),
        ]
    )
    meters = [
        meter("P", "plant"),
        meter("A", "process"),
        meter("B", "process", due="2025-01-01"),  # past its calibration date
        meter("S", "line", energy="heat"),
        meter("X", "process", status="inactive"),
    ]
    con = duckdb.connect()
    r, m, x = frames(con, readings, meters)
    arrivals = con.from_df(
        pd.DataFrame({"meter": ["P"], "first_interval": pd.to_datetime([START + 10 * Q], utc=True), "duplicates": [5]})
    )
    consumption = interval_consumption(con, r, m, x)
    rules = q.Rules.load(params, dt.date(2025, 3, 1))
    counts = q.meter_quality(
        con, r, m, arrivals, consumption, dt.date(2025, 3, 1), dt.date(2025, 3, 3), rules, tz="Asia/Shanghai"
    )
    return {"con": con, "r": r, "m": m, "rules": rules, "counts": counts, "consumption": consumption}


def test_counts_per_meter(facility: dict[str, object]) -> None:
    rows = {row["meter"]: row for row in q.as_records(facility["counts"])}  # type: ignore[arg-type]
    assert sorted(rows) == ["A", "B", "P", "S"]  # the inactive meter is not expected to send
    pick = (
        "expected",
        "received",
        "days",
        "days_with_data",
        "calibrated",
        "negatives",
        "spikes",
        "stuck",
        "duplicates",
    )
    assert {k: tuple(rows[k][c] for c in pick) for k in rows} == {
        "P": (192, 192, 2, 2, 1, 0, 0, 0, 5),
        "A": (192, 96, 2, 1, 1, 0, 0, 0, 0),
        "B": (192, 192, 2, 2, 0, 1, 1, 0, 0),
        "S": (192, 192, 2, 2, 1, 0, 0, 9, 0),
    }
    assert rows["A"]["median_delay_min"] == pytest.approx(120) and rows["A"]["timely"] == 0
    assert rows["P"]["timely"] == 192


def test_indices_and_composite_of_the_facility(facility: dict[str, object]) -> None:
    con, rules = facility["con"], facility["rules"]
    assert rules.weights == {"online": 0.1, "completeness": 0.3, "accuracy": 0.4, "correctness": 0.2}  # type: ignore[attr-defined]
    (row,) = q.as_records(q.indices(con, facility["counts"], rules, "facility"))  # type: ignore[arg-type]
    assert row["completeness"] == pytest.approx(672 / 768)  # 0.875, below the 90 % rule
    assert row["completeness_met"] is False
    assert row["online"] == pytest.approx(7 / 8)
    assert row["accuracy"] == pytest.approx(3 / 4)
    assert row["timeliness"] == pytest.approx(576 / 672)
    correctness = 1 - (5 + 2 + 9) / (672 + 5)
    assert row["correctness"] == pytest.approx(correctness)
    assert row["composite"] == pytest.approx(0.1 * 7 / 8 + 0.3 * 672 / 768 + 0.4 * 3 / 4 + 0.2 * correctness)
    meters = {r["meter"]: r for r in q.as_records(q.indices(con, facility["counts"], rules, "meter"))}  # type: ignore[arg-type]
    assert meters["P"]["completeness"] == 1.0 and meters["P"]["completeness_met"] is True
    assert meters["B"]["accuracy"] == 0.0


def test_process_meters_against_the_plant_meter(facility: dict[str, object]) -> None:
    con = facility["con"]
    daily = rollup(con, facility["consumption"], "day", "Asia/Shanghai")  # type: ignore[arg-type]
    rows = q.as_records(q.process_plant_consistency(con, daily, facility["m"], facility["rules"]))  # type: ignore[arg-type]
    # day 1: plant 96 x 10.5 = 1008; A 48 x 6 + 48 x 7 = 624; B 48 x 4 + 48 x 5 + 96 - 5 = 523
    # day 2: plant 1008; A nothing; B 432
    assert [(r["day"], r["plant"], r["parts"]) for r in rows] == [
        (dt.datetime(2025, 3, 1), 1008.0, 1147.0),
        (dt.datetime(2025, 3, 2), 1008.0, 432.0),
    ]
    assert rows[0]["difference_pct"] == pytest.approx(100 * 139 / 1008)
    assert [r["within"] for r in rows] == [False, False]


def test_day_month_consistency_within_five_percent(facility: dict[str, object]) -> None:
    con = facility["con"]
    daily = rollup(con, facility["consumption"], "day", "Asia/Shanghai")  # type: ignore[arg-type]
    monthly = con.from_df(  # type: ignore[attr-defined]
        pd.DataFrame({"meter": ["P", "A"], "month": [dt.date(2025, 3, 1)] * 2, "quantity": [2100.0, 700.0]})
    )
    rows = {r["meter"]: r for r in q.as_records(q.day_month_consistency(con, daily, monthly, facility["rules"]))}  # type: ignore[arg-type]
    assert rows["P"]["days_sum"] == 2016.0 and rows["P"]["within"] is True  # -4 %
    assert rows["A"]["days_sum"] == 624.0 and rows["A"]["within"] is False  # -10.9 %


def test_gaps_listed_as_runs(facility: dict[str, object]) -> None:
    con = facility["con"]
    found = q.as_records(
        q.gaps(con, facility["r"], facility["m"], dt.date(2025, 3, 1), dt.date(2025, 3, 3), tz="Asia/Shanghai")
    )  # type: ignore[arg-type]
    assert [(g["meter"], g["gap_start"], g["gap_end"], g["missing"]) for g in found] == [
        ("A", START + 96 * Q, START + 192 * Q, 96)
    ]


def test_a_period_not_yet_ended_expects_points_only_up_to_now(facility: dict[str, object]) -> None:
    lo, hi, days = q.bounds(dt.date(2025, 3, 1), dt.date(2025, 4, 1), "Asia/Shanghai", START + 100 * Q)
    assert (lo, hi, days) == (START, START + 100 * Q, 2)
