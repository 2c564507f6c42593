"""The reading store on DuckDB and PostgreSQL: a resent duplicate changes nothing, a different value is a
correction kept beside the old one, late data lands in its real interval, and what write() returned is
already committed (another connection, or the reopened file, sees it)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from carbonpeak.monitoring.readings import UTC, Reading, aligned, rounds
from carbonpeak.monitoring.store import DuckDBStore, PostgresStore, open_store

T0 = dt.datetime(2025, 3, 1, 0, 0, tzinfo=UTC)
Q = dt.timedelta(minutes=15)
LATER = dt.datetime(2025, 3, 2, 9, 0, tzinfo=UTC)


def batch(values: list[float], message: str, start: dt.datetime = T0, meter: str = "M1") -> list[Reading]:
    return [Reading(meter, start + i * Q, v, received_at=LATER, message_id=message) for i, v in enumerate(values)]


def test_resent_batch_changes_nothing(store: DuckDBStore | PostgresStore) -> None:
    first = store.write(batch([10.0, 11.0, 12.0], "m1"))
    assert (first.new, first.duplicates, first.corrections) == (3, 0, 0)
    before = store.current()
    again = store.write(batch([10.0, 11.0, 12.0], "m1"))
    assert (again.new, again.duplicates, again.corrections) == (0, 3, 0)
    after = store.current()
    assert store.count() == 3
    assert before.equals(after)
    assert [v["version"] for v in store.versions("M1", T0)] == [1]


def test_correction_is_a_new_version_beside_the_old(store: DuckDBStore | PostgresStore) -> None:
    store.write(batch([10.0, 11.0], "m1"))
    result = store.write([Reading("M1", T0 + Q, 11.5, received_at=LATER + Q, message_id="m2", source="manual")])
    assert (result.new, result.duplicates, result.corrections) == (0, 0, 1)
    versions = store.versions("M1", T0 + Q)
    assert [(v["version"], v["value"], v["message_id"]) for v in versions] == [(1, 11.0, "m1"), (2, 11.5, "m2")]
    current = store.current()
    assert current.set_index("interval_start").loc[T0 + Q, "value"] == 11.5
    # the corrected value sent again is a duplicate of version 2; the old value sent again is a correction back
    assert store.write([Reading("M1", T0 + Q, 11.5, received_at=LATER, message_id="m3")]).duplicates == 1
    assert store.write([Reading("M1", T0 + Q, 11.0, received_at=LATER, message_id="m4")]).corrections == 1
    assert [v["version"] for v in store.versions("M1", T0 + Q)] == [1, 2, 3]


def test_late_data_lands_in_its_real_interval(store: DuckDBStore | PostgresStore) -> None:
    store.write(batch([1.0, 2.0], "live", start=T0 + 4 * Q))
    late = dt.datetime(2025, 3, 5, tzinfo=UTC)
    store.write([Reading("M1", T0 + Q, 7.0, received_at=late, message_id="resend", source="resend")])
    current = store.current()
    assert list(current["interval_start"]) == [T0 + Q, T0 + 4 * Q, T0 + 5 * Q]
    row = current.iloc[0]
    assert (row["value"], row["source"], row["received_at"]) == (7.0, "resend", late)


def test_same_key_twice_in_one_batch(store: DuckDBStore | PostgresStore) -> None:
    result = store.write(
        [
            Reading("M1", T0, 1.0, received_at=LATER, message_id="x"),
            Reading("M1", T0, 1.0, received_at=LATER, message_id="x"),
            Reading("M1", T0, 2.0, received_at=LATER, message_id="x"),
        ]
    )
    assert (result.new, result.duplicates, result.corrections) == (1, 1, 1)
    assert [v["value"] for v in store.versions("M1", T0)] == [1.0, 2.0]


def test_arrivals_count_every_duplicate(store: DuckDBStore | PostgresStore) -> None:
    store.write(batch([1.0, 2.0], "a"))
    store.write(batch([1.0, 2.0], "a"))
    arrivals = store.arrivals()
    assert int(arrivals["readings"].sum()) == 4
    assert int(arrivals["new"].sum()) == 2
    assert int(arrivals["duplicates"].sum()) == 2


def test_selection_by_meter_and_period(store: DuckDBStore | PostgresStore) -> None:
    store.write(batch([1.0, 2.0, 3.0], "a") + batch([5.0], "a", meter="M2"))
    assert list(store.current(meters=["M2"])["value"]) == [5.0]
    assert list(store.current(start=T0 + Q, end=T0 + 2 * Q)["value"]) == [2.0]
    assert store.current(meters=[]).empty


def test_duckdb_write_is_durable_when_it_returns(tmp_path: Path) -> None:
    path = tmp_path / "r.duckdb"
    first = DuckDBStore(path)
    first.write(batch([1.0, 2.0], "a"))
    first.close()
    reopened = open_store(f"duckdb:///{path}")
    assert reopened.count() == 2
    assert reopened.write(batch([1.0, 2.0], "a")).duplicates == 2
    reopened.close()


def test_postgres_write_is_committed_when_it_returns() -> None:
    from tests.monitoring.conftest import fresh_postgres_url

    url = fresh_postgres_url()
    writer, reader = PostgresStore(url), PostgresStore(url)
    try:
        writer.write(batch([1.0, 2.0, 3.0], "a"))
        assert reader.count() == 3  # another connection: committed, not just written
    finally:
        writer.close()
        reader.close()


def test_duckdb_parquet_by_month(tmp_path: Path) -> None:
    store = DuckDBStore()
    store.write(batch([1.0], "a") + batch([2.0], "a", start=dt.datetime(2025, 4, 1, tzinfo=UTC)))
    folder = store.export_parquet(tmp_path / "parquet")
    assert sorted(p.name for p in folder.iterdir()) == ["month=2025-03", "month=2025-04"]


def test_alignment_and_rounds() -> None:
    assert aligned(dt.datetime(2025, 3, 1, 8, 15, tzinfo=UTC), 15) == dt.datetime(2025, 3, 1, 8, 15, tzinfo=UTC)
    assert aligned(dt.datetime(2025, 3, 1, 8, 16, tzinfo=UTC), 15) is None
    near = dt.datetime(2025, 3, 1, 8, 59, 30, tzinfo=UTC)
    assert aligned(near, 60, tolerance_s=60) == dt.datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    local = dt.datetime(2025, 3, 1, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert aligned(local, 30) == dt.datetime(2025, 3, 1, 0, 30, tzinfo=UTC)
    parts = rounds(batch([1.0], "a") + batch([1.0], "a") + batch([3.0], "a"))
    assert [len(p) for p in parts] == [1, 1, 1]
    with pytest.raises(ValueError):
        Reading("M1", dt.datetime(2025, 3, 1), 1.0)


def test_a_duckdb_file_in_use_elsewhere_is_a_coded_error(tmp_path: Path) -> None:
    import subprocess
    import sys

    from carbonpeak.errors import Conflict

    path = tmp_path / "busy.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(path)!r}); print('open', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with pytest.raises(Conflict) as caught:
            DuckDBStore(path)
        assert caught.value.code == "monitoring.store_locked"
        assert "PostgreSQL" in caught.value.text("zh") and "one process at a time" in caught.value.text("en")
    finally:
        holder.kill()
        holder.wait()
