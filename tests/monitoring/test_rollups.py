"""Rollups against hand-computed examples: interval values and register differences, a register rollover, a
meter replacement, a gap spread and marked estimated, a negative step kept out, and days and months cut at
local midnight (Asia/Shanghai, UTC+8)."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest

from carbonpeak.monitoring.rollups import frames, interval_consumption, local_timezone, rollup

UTC = dt.UTC


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def readings(meter: str, rows: list[tuple[str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "meter": meter,
            "interval_start": pd.to_datetime([at(t) for t, _ in rows], utc=True),
            "value": [v for _, v in rows],
        }
    )


def meter(code: str, kind: str, multiplier: float = 1.0, rollover: float | None = None) -> dict[str, object]:
    return {
        "meter_code": code,
        "reading_kind": kind,
        "interval_min": 15,
        "multiplier": multiplier,
        "rollover_at": rollover,
    }


def run(
    data: pd.DataFrame, meters: list[dict[str, object]], grain: str, replacements: list[dict[str, object]] | None = None
) -> list[tuple[object, ...]]:
    con = duckdb.connect()
    r, m, x = frames(con, data, meters, replacements)
    result = rollup(con, interval_consumption(con, r, m, x), grain, "Asia/Shanghai")
    return [tuple(row) for row in result.project("meter, period, quantity, intervals, estimated, flagged").fetchall()]


def test_interval_values_cut_at_local_midnight() -> None:
    # UTC 15:30..16:15 on 1 March is local 23:30..00:15 across midnight; multiplier 10.
    data = readings(
        "E", [("2025-03-01T15:30", 1), ("2025-03-01T15:45", 2), ("2025-03-01T16:00", 3), ("2025-03-01T16:15", 4)]
    )
    m = [meter("E", "interval", multiplier=10)]
    assert run(data, m, "day") == [
        ("E", dt.datetime(2025, 3, 1), 30.0, 2, 0, 0),  # (1 + 2) x 10
        ("E", dt.datetime(2025, 3, 2), 70.0, 2, 0, 0),  # (3 + 4) x 10
    ]
    assert run(data, m, "hour") == [
        ("E", dt.datetime(2025, 3, 1, 23), 30.0, 2, 0, 0),
        ("E", dt.datetime(2025, 3, 2, 0), 70.0, 2, 0, 0),
    ]
    assert run(data, m, "month") == [("E", dt.datetime(2025, 3, 1), 100.0, 4, 0, 0)]
    # the last quarter of 31 March local (UTC 15:45) is March; local midnight of 1 April (UTC 16:00) is April
    edge = readings("E", [("2025-03-31T15:45", 5), ("2025-03-31T16:00", 6)])
    assert run(edge, m, "month") == [
        ("E", dt.datetime(2025, 3, 1), 50.0, 1, 0, 0),
        ("E", dt.datetime(2025, 4, 1), 60.0, 1, 0, 0),
    ]


def test_register_differences_and_rollover() -> None:
    # register 99990, 99995, 5, 10, 20 with rollover at 100000, multiplier 2:
    # steps 5, 10 (= 5 - 99995 + 100000), 5, 10 -> 10, 20, 10, 20; the last reading has no next value.
    data = readings(
        "R",
        [
            ("2025-03-01T00:00", 99990),
            ("2025-03-01T00:15", 99995),
            ("2025-03-01T00:30", 5),
            ("2025-03-01T00:45", 10),
            ("2025-03-01T01:00", 20),
        ],
    )
    rows = run(data, [meter("R", "register", multiplier=2, rollover=100000)], "hour")
    assert rows == [("R", dt.datetime(2025, 3, 1, 8), 60.0, 4, 0, 0)]  # UTC 00:00 is local 08:00


def test_meter_replacement_is_not_a_negative_step() -> None:
    # 100, 110, then the meter replaced at 00:20 (old register 115, new register 0), then 4, 10:
    # steps 10, (115 - 110) + (4 - 0) = 9, 6 -> 25
    data = readings(
        "R", [("2025-03-01T00:00", 100), ("2025-03-01T00:15", 110), ("2025-03-01T00:30", 4), ("2025-03-01T00:45", 10)]
    )
    replacement = [{"meter": "R", "replaced_at": at("2025-03-01T00:20"), "old_final": 115.0, "new_initial": 0.0}]
    assert run(data, [meter("R", "register")], "day", replacement) == [("R", dt.datetime(2025, 3, 1), 25.0, 3, 0, 0)]
    # without the replacement recorded, 110 -> 4 is a negative step: kept out and flagged
    assert run(data, [meter("R", "register")], "day") == [("R", dt.datetime(2025, 3, 1), 16.0, 2, 0, 1)]


def test_gap_spread_evenly_and_marked_estimated() -> None:
    # register 0 at 15:00 UTC, 40 at 16:00 UTC (three readings missing): 10 per quarter, two quarters on
    # each side of local midnight (16:00 UTC), all four marked estimated
    data = readings("R", [("2025-03-01T15:30", 0), ("2025-03-01T16:30", 40)])
    assert run(data, [meter("R", "register")], "day") == [
        ("R", dt.datetime(2025, 3, 1), 20.0, 2, 2, 0),
        ("R", dt.datetime(2025, 3, 2), 20.0, 2, 2, 0),
    ]


def test_time_zone_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert local_timezone() == "Asia/Shanghai"
    monkeypatch.setenv("CARBONPEAK_MONITORING_TZ", "UTC")
    assert local_timezone() == "UTC"
    con = duckdb.connect()
    data = readings("E", [("2025-03-01T15:30", 1), ("2025-03-01T16:00", 3)])
    r, m, x = frames(con, data, [meter("E", "interval")])
    days = rollup(con, interval_consumption(con, r, m, x), "day").project("period, quantity").fetchall()
    assert days == [(dt.datetime(2025, 3, 1), 4.0)]


def test_a_short_gap_of_an_interval_meter_filled_on_request() -> None:
    # 15-min values 4 at 00:00 and 8 at 01:00 (three intervals missing): filled with (4 + 8) / 2 = 6 each,
    # marked estimated, only when asked and only for gaps of at most fill_gaps intervals
    data = readings("E", [("2025-03-01T00:00", 4), ("2025-03-01T01:00", 8)])
    con = duckdb.connect()
    r, m, x = frames(con, data, [meter("E", "interval")])
    plain = rollup(con, interval_consumption(con, r, m, x), "day", "Asia/Shanghai")
    assert plain.project("quantity, intervals, estimated").fetchall() == [(12.0, 2, 0)]
    filled = rollup(con, interval_consumption(con, r, m, x, fill_gaps=3), "day", "Asia/Shanghai")
    assert filled.project("quantity, intervals, estimated").fetchall() == [(30.0, 5, 3)]
    too_long = rollup(con, interval_consumption(con, r, m, x, fill_gaps=2), "day", "Asia/Shanghai")
    assert too_long.project("quantity, intervals, estimated").fetchall() == [(12.0, 2, 0)]
