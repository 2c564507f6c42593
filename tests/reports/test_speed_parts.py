"""What the report's speed rests on does not change what it says (issue #17): the registry's digest sorted
in Python is the digest of the frame sorted by pandas; the garbage collector pause restores the
collector however reports nest or fail; the kept month states are read again when the data change."""

from __future__ import annotations

import datetime as dt
import gc
import threading

import numpy as np
import pandas as pd
import pytest

from carbonpeak.reports import collection
from carbonpeak.reports.state import sha256
from carbonpeak.services.reports_state import frame_digest


def sorted_by_pandas(frame: pd.DataFrame, columns: list[str] | None = None) -> str:
    """The digest as it was first written: the frame sorted by every column (missing values last)."""
    chosen = (frame[columns] if columns else frame).astype(str)
    ordered = chosen.sort_values(list(chosen.columns), kind="stable").to_numpy().tolist()
    return sha256([list(chosen.columns), ordered])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_digest_of_a_table_is_the_one_of_the_table_sorted_by_pandas(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 400
    codes = np.array(["AL01", "AL02", "铜01", "ZN9", "al01", ""], dtype=object)
    frame = pd.DataFrame(
        {
            "facility_code": pd.array(rng.choice(codes, n), dtype="str"),
            "sector": pd.array(np.where(rng.random(n) < 0.2, None, rng.choice(["铝", "铜", "铅锌"], n)), dtype="str"),
            "capacity_t_per_a": np.where(rng.random(n) < 0.1, np.nan, rng.integers(0, 5, n) * 1000.5),
            "city_code": rng.choice(np.array(["C1", "C2", None], dtype=object), n),
            "year": rng.integers(2020, 2026, n),
        }
    )
    assert frame_digest(frame) == sorted_by_pandas(frame)
    columns = ["city_code", "facility_code", "capacity_t_per_a"]
    assert frame_digest(frame, columns) == sorted_by_pandas(frame, columns)
    assert frame_digest(frame.sample(frac=1.0, random_state=seed)) == frame_digest(frame)  # order of rows
    assert frame_digest(frame.iloc[1:]) != frame_digest(frame)


def test_the_collector_runs_again_after_nested_threaded_and_failed_reports() -> None:
    assert gc.isenabled()
    with collection.paused():
        assert not gc.isenabled()
        with collection.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer report is still being made
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collection.paused():
        raise RuntimeError("a report that fails")
    assert gc.isenabled()
    inside = threading.Event()
    release = threading.Event()

    def other_report() -> None:
        with collection.paused():
            inside.set()
            release.wait(5)

    thread = threading.Thread(target=other_report)
    thread.start()
    inside.wait(5)
    with collection.paused():
        pass
    assert not gc.isenabled()  # the other thread's report is still being made
    release.set()
    thread.join(5)
    assert gc.isenabled()


def test_a_process_without_the_collector_keeps_it_off() -> None:
    gc.disable()
    try:
        with collection.paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_kept_month_states_are_read_again_when_the_data_change(demo_sqlite_url: str) -> None:
    from sqlalchemy import select

    from carbonpeak.services import reports_kept
    from carbonpeak.store import db
    from carbonpeak.store import repository as repo
    from carbonpeak.store.models import Facility
    from carbonpeak.store.parameters import parameter_set

    day = dt.date(2026, 1, 20)
    with db.transaction(demo_sqlite_url, mode="read") as session:
        first = reports_kept.kept_month_states(session, parameter_set(session), day)
        again = reports_kept.kept_month_states(session, parameter_set(session), day)
        other_day = reports_kept.kept_month_states(session, parameter_set(session), dt.date(2026, 2, 20))
    assert again is first  # unchanged data: not read again
    assert other_day is not first  # another day judges other months due
    with db.transaction(demo_sqlite_url) as session:
        facility = session.scalars(select(Facility).order_by(Facility.id)).first()
        assert facility is not None
        repo.audit(session, "test:speed", "update", "facility", facility.code, {}, {})
    with db.transaction(demo_sqlite_url, mode="read") as session:
        after = reports_kept.kept_month_states(session, parameter_set(session), day)
    assert after is not first
    pd.testing.assert_frame_equal(after, first)
