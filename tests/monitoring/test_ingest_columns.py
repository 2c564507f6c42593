"""The columnar ingest path agrees with the reading-by-reading one: the NumPy time parser takes exactly the
times Python's reader takes (and gives the same instant), a batch of many messages keeps their order (a
later value is a later version) with a bad message among good ones, and the DuckDB store, which has no
primary-key index, never gives one key the same version twice."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest

from carbonpeak.monitoring.batch import columns, pg_binary_copy
from carbonpeak.monitoring.payload import _time, instants
from carbonpeak.monitoring.store import DuckDBStore, PostgresStore
from carbonpeak.services.monitoring_ingest import Message, MeterIndex, ingest

NOW = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
METERS = MeterIndex.of(
    [
        {"meter_code": "A", "enterprise_code": "E1", "interval_min": 15, "status": "active"},
        {"meter_code": "B", "enterprise_code": "E1", "interval_min": 30, "status": "active"},
    ]
)


def _expected(text: str) -> int | None:
    """What the reading-by-reading decoder makes of a time: UTC epoch nanoseconds, or None (refused)."""
    parsed = _time(text)
    if parsed is None:
        return None
    return (parsed - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(microseconds=1) * 1000


@pytest.mark.parametrize(
    "text",
    [
        "2026-03-01T10:00:00+08:00",
        "2026-03-01T02:00:00Z",
        "2026-03-01 10:00:00+08:00",
        "2026-03-01T10:00:00-05:30",
        "2026-03-01T10:00:00+23:59",
        "2024-02-29T00:00:00+00:00",
        "2026-02-29T00:00:00+00:00",  # no such day
        "2026-02-30T00:00:00Z",
        "2026-13-01T00:00:00Z",
        "2026-03-01T24:00:00Z",
        "2026-03-01T10:60:00Z",
        "2026-03-01T10:00:60Z",
        "2026-03-01T10:00:00+24:00",
        "2026-03-01T10:00:00+08:60",
        "2026-03-01T10:00:00 08:00",
        "2026-03-01X10:00:00+08:00",
        "2026-03-0a T10:00:00+08:0",
        "0000-01-01T00:00:00Z",
        "2500-01-01T00:00:00Z",
        "2026-03-01T10:00:00",  # no offset
        "2026-03-01T10:00:00.500+08:00",  # another shape: pandas' parser
    ],
)
def test_the_numpy_time_parser_agrees_with_python(text: str) -> None:
    """A time the parser takes is the instant Python's reader gives; one it does not take sends its message
    reading by reading (Python's reader decides: it also takes oddities such as ``+08:60``)."""
    got = instants([text])
    if got is not None:
        assert int(got[0]) == _expected(text)


def test_the_usual_shapes_take_the_fast_parser() -> None:
    texts = ["2026-03-01T10:00:00+08:00", "2026-03-01T10:00:00-05:30", "2026-03-01 10:00:00+08:00"]
    assert instants(texts) is not None
    assert instants(["2026-03-01T02:00:00Z", "2024-02-29T00:00:00Z"]) is not None


def test_one_bad_time_among_many_refuses_the_whole_set() -> None:
    good = ["2026-03-01T10:00:00+08:00"] * 3
    assert instants(good) is not None
    assert instants([*good, "2026-02-30T00:00:00+08:00"]) is None


def _message(message_id: str, readings: list[tuple[str, str, float]], **extra: object) -> bytes:
    return json.dumps(
        {
            "message_id": message_id,
            "gateway": "GW",
            "readings": [{"meter": m, "start": s, "value": v} for m, s, v in readings],
            **extra,
        }
    ).encode()


def test_many_messages_keep_their_order_and_a_bad_one_is_named(tmp_path: Path) -> None:
    store = DuckDBStore(tmp_path / "r.duckdb")
    messages = [
        Message(_message("m1", [("A", "2026-03-01T10:00:00+08:00", 1.0), ("B", "2026-03-01T02:30:00Z", 5.0)]), "E1"),
        # the slow path (a reading off the grid) between fast ones: its good reading still lands in order
        Message(
            _message("m2", [("A", "2026-03-01T10:00:00+08:00", 2.0), ("A", "2026-03-01T10:07:00+08:00", 3.0)]), "E1"
        ),
        Message(_message("m3", [("A", "2026-03-01T02:00:00Z", 4.0)], source="resend"), "E1"),
        Message(_message("m4", [("B", "2026-03-01T02:30:00Z", 5.0)]), "E1"),  # a duplicate of m1's
    ]
    result = ingest(store, METERS, messages, received_at=NOW)
    assert result.message_ids == ["m1", "m2", "m3", "m4"]
    assert result.rejected_per_message == [0, 1, 0, 0]
    assert result.rejected[0][0] == "m2" and result.rejected[0][1].code == "monitoring.not_aligned"
    assert (result.written.new, result.written.duplicates, result.written.corrections) == (2, 1, 2)
    at = dt.datetime(2026, 3, 1, 2, 0, tzinfo=dt.UTC)
    versions = store.versions("A", at)
    assert [(v["version"], v["value"], v["message_id"], v["source"]) for v in versions] == [
        (1, 1.0, "m1", "live"),
        (2, 2.0, "m2", "live"),
        (3, 4.0, "m3", "resend"),
    ]
    store.close()


def test_single_reading_messages_batched_like_one_big_message(tmp_path: Path) -> None:
    store = DuckDBStore(tmp_path / "r.duckdb")
    start = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    singles = [
        Message(_message(f"s{i}", [("A", (start + i * dt.timedelta(minutes=15)).isoformat(), float(i))]), "E1")
        for i in range(50)
    ]
    first = ingest(store, METERS, singles, received_at=NOW)
    again = ingest(store, METERS, singles, received_at=NOW)
    assert (first.written.new, again.written.duplicates, store.count()) == (50, 50, 50)
    store.close()


def test_duckdb_versions_stay_unique_without_an_index(tmp_path: Path) -> None:
    store = DuckDBStore(tmp_path / "r.duckdb")
    start = np.datetime64("2026-03-01T00:00:00", "us")
    rng = np.random.default_rng(7)
    for round_ in range(6):
        meter = rng.choice(["A", "B", "C"], 300)
        step = rng.integers(0, 40, 300)
        value = rng.integers(0, 3, 300).astype(float)  # few values: duplicates, corrections and returns
        store.write_batch(columns(meter, start + step * np.timedelta64(15, "m"), value, NOW, f"r{round_}"))
    twice = store.con.execute(
        "SELECT count(*) FROM (SELECT meter, interval_start, version FROM meter_reading"
        " GROUP BY ALL HAVING count(*) > 1)"
    ).fetchone()
    gaps = store.con.execute(
        "SELECT count(*) FROM (SELECT meter, interval_start, max(version) AS top, count(*) AS n FROM meter_reading"
        " GROUP BY ALL) WHERE top <> n"
    ).fetchone()
    assert twice == (0,) and gaps == (0,)
    store.close()


def test_arrivals_and_odd_message_ids_alike_on_both_stores(store: DuckDBStore | PostgresStore) -> None:
    """PostgreSQL writes a batch by COPY (strings escaped, versions and arrivals counted by NumPy): the same
    versions and arrival rows as DuckDB's SQL merge, for a message id sent twice in one batch, one with a
    tab and a backslash, and none."""
    at = np.datetime64("2026-03-01T00:00:00", "us") + np.arange(4) * np.timedelta64(15, "m")
    odd = "gw\t1\\x"
    store.write_batch(columns(["A", "A", "B", "B"], at, [1.0, 2.0, 3.0, 4.0], NOW, ["m", odd, "m", None]))
    result = store.write_batch(
        columns(["A", "A", "B", "B"], at, [1.0, 9.0, 3.0, 4.0], NOW + dt.timedelta(hours=1), [odd, "m", "m", "m"])
    )
    assert (result.new, result.duplicates, result.corrections) == (0, 3, 1)
    assert [v["message_id"] for v in store.versions("A", dt.datetime(2026, 3, 1, 0, 15, tzinfo=dt.UTC))] == [odd, "m"]
    rows = [
        (
            r.message_id if isinstance(r.message_id, str) else None,
            r.meter,
            r.readings,
            r.new,
            r.duplicates,
            r.corrections,
        )
        for r in store.arrivals().itertuples()
    ]
    assert sorted(rows, key=str) == sorted(
        [
            ("m", "A", 1, 1, 0, 0),
            (odd, "A", 1, 1, 0, 0),
            ("m", "B", 1, 1, 0, 0),
            (None, "B", 1, 1, 0, 0),
            (odd, "A", 1, 0, 1, 0),
            ("m", "A", 1, 0, 0, 1),
            ("m", "B", 2, 0, 2, 0),
        ],
        key=str,
    )


def test_the_binary_copy_has_one_fixed_width_row_per_reading() -> None:
    batch = columns(["A", "B", "A"], ["2026-03-01T00:00:00Z"] * 3, [1.0, 2.0, 3.0], NOW, "m", "live")
    data = pg_binary_copy(batch)
    row = 2 + 7 * 4 + 8 + 4 + 8 + 8 + 8 + 4 + 4
    assert data.startswith(b"PGCOPY\n\xff\r\n\x00") and data.endswith(b"\xff\xff")
    assert len(data) == 19 + 3 * row + 2
