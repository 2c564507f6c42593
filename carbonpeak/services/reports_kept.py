"""What the regulator's reports keep in memory between reports of one process (the web platform), by the
store's data state, as the cockpit keeps its facility-months (:func:`carbonpeak.store.facts.facility_months_cached`)
and the pathways page its plant stock.

A report made again, or another period's or region's report, on unchanged data does not read the month
states, read the plant stock or draw the pathways again: the month states are the whole store's (each
report takes its region's and its period's from them), the stock and the run are the region's. Any change
to what they are made of moves the key: :func:`carbonpeak.store.facts.data_state` (the newest audit event,
the newest result, the number of versions: every change to the registry, a submission or its status is
audited) with the database's address; the day the months are judged on and the report-due day for the
month states; the scenario, its draws and the parameters' digests for the run. A command that makes one
report reads everything once, as before.

The values are shared between reports: callers take what they need (a filtered copy) and change nothing.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from carbonpeak.indicators import definitions as ind
from carbonpeak.parameters import ParameterSet
from carbonpeak.store.coverage import month_states
from carbonpeak.store.facts import data_state


class Kept:
    """The last ``size`` values by key (the oldest is dropped first); thread-safe. Two threads asking for
    a missing key at once may both make it: the value is the same."""

    def __init__(self, size: int = 4) -> None:
        self.size = size
        self.items: dict[Any, Any] = {}
        self.lock = threading.Lock()

    def get(self, key: Any, make: Callable[[], Any]) -> Any:
        with self.lock:
            if key in self.items:
                return self.items[key]
        value = make()
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.pop(next(iter(self.items)))
        return value

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


STOCKS = Kept()  # the plant stock of a region (services.pathways.stock_of keys it by the data state)
STATES = Kept(size=2)  # the whole store's month states: the largest of the three
RUNS = Kept()  # the pathways run behind the peak probability


def store_key(session: Session) -> tuple[Any, ...]:
    """The database (its engine, by its address) and its data state."""
    return (repr(session.get_bind()), *data_state(session))


def kept_month_states(session: Session, params: ParameterSet, as_of: dt.date) -> pd.DataFrame:
    """:func:`carbonpeak.store.coverage.month_states` on ``as_of``, kept until the data change (a month is
    due by the parameter's report-due day: a new value of it is a new key)."""
    key = (*store_key(session), as_of.isoformat(), ind.due_day(params, as_of))
    frame: pd.DataFrame = STATES.get(key, lambda: month_states(session, as_of=as_of))
    return frame
