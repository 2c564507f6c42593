"""Python's cyclic garbage collector paused while a report is made.

Making the 碳达峰监测报告 of a large province allocates hundreds of thousands of container objects
(pandas' frames of the figures, the state's month lists, WeasyPrint's boxes), nearly all freed by
reference counting as soon as they are done with. Those that outlive the young collections add up, and
when they pass a quarter of the process's long-lived objects a full collection walks every object of
the process: in a process that has made a report (about 300,000 objects: parameters, catalogs, kept
data) 0.15 s each, 2 per report made again and 6 in a process's first report on the 10x province
(measured, docs/benchmarks.md). Paused, those full collections are not made; the few cycles a report
leaves are collected by the next collection after it. Threads and nesting are counted: the collector
runs again when the last report being made ends, and only if it was running when the first began.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_LOCK = threading.Lock()
_STATE = {"depth": 0, "was_enabled": False}


@contextmanager
def paused() -> Iterator[None]:
    with _LOCK:
        if _STATE["depth"] == 0:
            _STATE["was_enabled"] = gc.isenabled()
            gc.disable()
        _STATE["depth"] += 1
    try:
        yield
    finally:
        with _LOCK:
            _STATE["depth"] -= 1
            if _STATE["depth"] == 0 and _STATE["was_enabled"]:
                gc.enable()
