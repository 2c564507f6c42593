"""Where the web's imports run: in a process of their own (``import_processes``, default 1), or in the
request's thread (0).

Parsing, checking, accounting and writing a large file is Python work: run in a thread of the server, it
holds the interpreter's lock for most of its time, and every other person's page waits behind it (a
40,000-row upload took the overview's p95 from about 150 ms to 770 ms). In a process of its own it uses
another core and the server stays free. The process opens its own transaction on the same database and
calls the same use case, ``services.intake.import_file``; its coded errors come back as they were raised.
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import multiprocessing as mp
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from carbonpeak.io.reading import Limits
from carbonpeak.services import intake
from carbonpeak.services.access import Principal

log = logging.getLogger("carbonpeak.web")


def _log_failure(future: cf.Future[Any]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.error("background task failed: %s", future.exception())


def _import_in_process(
    url: str, principal: Principal, content: bytes, name: str, submit: bool, limits: Limits, rejected_dir: Path | None
) -> intake.ImportResult:
    from carbonpeak.store import db

    with db.transaction(url) as session:
        return intake.import_file(
            session, principal, content, name, submit=submit, limits=limits, rejected_dir=rejected_dir
        )


class Imports:
    """The app's import runner; the pool of processes is started at the first import and kept."""

    def __init__(self, url: str, processes: int) -> None:
        self.url, self.processes = url, processes
        self._pool: cf.ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _executor(self) -> cf.ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                # spawn, not fork: the server has threads (and open connections) that a fork would copy
                self._pool = cf.ProcessPoolExecutor(self.processes, mp_context=mp.get_context("spawn"))
            return self._pool

    def run(
        self,
        session: Session,
        principal: Principal,
        content: bytes,
        name: str,
        *,
        submit: bool = False,
        limits: Limits,
        rejected_dir: Path | None = None,
    ) -> intake.ImportResult:
        """``intake.import_file``: committed when it returns, nothing written when it raises. Call it from a
        worker thread (a plain ``def`` handler), never on the event loop: it waits for the import."""
        if self.processes <= 0:
            report = intake.import_file(
                session, principal, content, name, submit=submit, limits=limits, rejected_dir=rejected_dir
            )
            session.commit()
            return report
        session.commit()  # the request's own transaction holds nothing while the import process writes
        future = self._executor().submit(
            _import_in_process, self.url, principal, content, name, submit, limits, rejected_dir
        )
        return future.result()

    def background(self, function: Callable[..., Any], *args: Any) -> None:
        """Run ``function(*args)`` (a module-level function that records its own outcome, e.g. a recompute
        job) in the import process and return at once; with no import process, here and now. Its failure
        is logged, never raised to the request that started it (the job says it failed)."""
        if self.processes <= 0:
            try:
                function(*args)
            except Exception:  # recorded on the job by the function itself
                log.exception("background task %s failed", getattr(function, "__name__", function))
            return
        future = self._executor().submit(function, *args)
        future.add_done_callback(_log_failure)

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None


def imports_of(app: Any) -> Imports:
    return app.state.imports  # type: ignore[no-any-return]
