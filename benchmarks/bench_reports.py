"""The provincial monthly 碳达峰监测报告 as a PDF, for a province ten times the demo: goal under 5 s.

The 10x province is ``benchmarks/bench_web.py``'s (the demo plus nine clones of every facility with its
counted months, scaled 0.7-1.3), built once and kept under ``var/bench``. The report is the demo
province's monthly report of 2025-12 judged on 2026-01-20 (the demo's day), made the way the web and
the CLI make it (:func:`carbonpeak.services.reports_monitoring.gather`, then
:func:`carbonpeak.reports.render.render`): figures from the store, the pathways' peak probability at the
report's 1,000 draws, the PDF drawn by WeasyPrint. Printed: the first run (cold: imports, fonts and the
parameter files read) and the median of ``--runs`` warm runs, each split into figures and PDF, with the CPU
time of the process (on a shared machine, closer to what an idle one would take than the wall time; the goal
is judged on both; the cold run's CPU time too) and the process's peak memory (maximum resident set of the
measuring process, which makes nothing else). A warm run is a second report in the same process on unchanged
data, as the web platform makes them: it finds the facility-months, the month states, the plant stock and the
pathways run kept (carbonpeak.services.reports_kept); the cold run reads and draws them all.

With ``--against DIR`` (another checkout of the repository, e.g. ``git archive main | tar -x -C DIR``) the
same report is measured with that checkout's code too, in the same run, alternately with this one's
(before, after, before, after, ... ``--rounds`` times, each in a process of its own): on a shared machine
the two are compared under the same load. Each of its rows is the median of the rounds.

    python benchmarks/bench_reports.py [--runs 3] [--out var/bench/reports.md] [--only demo|10x]
                                       [--against DIR --rounds 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_web import ROOT, database, url_of

from carbonpeak.store import db

GOAL_S = 5.0
AS_OF = dt.date(2026, 1, 20)


def one(url: str) -> tuple[float, float, int, float]:
    """(figures s, PDF s, PDF bytes, CPU s of both) of one provincial monthly report."""
    from carbonpeak.reports.render import render
    from carbonpeak.services import access
    from carbonpeak.services.reports_monitoring import MONTHLY, Asked, gather

    who = access.operator("bench:reports")
    cpu = time.process_time()
    start = time.perf_counter()
    with db.transaction(url, mode="read") as session:
        made = gather(session, who, Asked(MONTHLY, "demo", "2025-12", as_of=AS_OF))
    figures = time.perf_counter() - start
    start = time.perf_counter()
    pdf = render(made.document, "pdf")
    return figures, time.perf_counter() - start, len(pdf.data), time.process_time() - cpu


def measure(name: str, path: Path, runs: int) -> dict[str, object]:
    folder = Path(tempfile.mkdtemp(prefix="carbonpeak-bench-reports-"))
    try:
        copy = folder / "bench.db"
        shutil.copyfile(path, copy)
        url = url_of(copy)
        db.upgrade(url)  # the report tables, if the cached database predates them
        cold = one(url)
        warm = [one(url) for _ in range(runs)]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    totals = [f + p for f, p, _, _ in warm]
    return {
        "name": name,
        "cold": cold[0] + cold[1],
        "cold_cpu": cold[3],
        "figures": statistics.median(f for f, _, _, _ in warm),
        "pdf": statistics.median(p for _, p, _, _ in warm),
        "total": statistics.median(totals),
        "cpu": statistics.median(c for _, _, _, c in warm),
        "size": warm[-1][2],
        "rss_mib": rss_mib,
        "load": os.getloadavg()[0],  # the machine is shared: its load says how far the timings are inflated
    }


def met(seconds: float) -> str:
    return "yes" if seconds < GOAL_S else "no"


def markdown(rows: list[dict[str, object]], runs: int) -> str:
    lines = [
        f"Provincial monthly report (PDF), median of {runs} warm runs; goal under {GOAL_S:g} s",
        "",
        "| province | cold run s | cold CPU s | figures s | PDF s | total s | goal met (wall / CPU) | CPU s | PDF KiB "
        "| peak RSS MiB | load (1 min) |",
        "|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['name']} | {r['cold']:.2f} | {float(r['cold_cpu']):.2f} | {r['figures']:.2f} | {r['pdf']:.2f} | "
            f"{r['total']:.2f} | {met(float(r['total']))} / {met(float(r['cpu']))} | {float(r['cpu']):.2f} | "
            f"{int(r['size']) / 1024:.0f} | {r['rss_mib']:.0f} | "
            f"{float(r['load']):.1f} |"
        )
    return "\n".join(lines) + "\n"


def child(path: Path, name: str, runs: int, code: Path) -> dict[str, object]:
    """One database measured in a process of its own (its peak memory is the report's, not the database
    build's), with the carbonpeak of the checkout ``code``."""
    script = str(Path(__file__).resolve())
    command = [sys.executable, script, "--measure", str(path.resolve()), "--name", name, "--runs", str(runs)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(code), os.environ.get("PYTHONPATH")]))}
    out = subprocess.run(command, capture_output=True, text=True, env=env, cwd=code)
    if out.returncode != 0:
        sys.exit(out.stderr)
    found: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return found


def median_row(found: list[dict[str, object]]) -> dict[str, object]:
    """The median of each figure over rounds (the name and the PDF's size are the first round's)."""
    row = dict(found[0])
    for key, value in row.items():
        if key not in ("name", "size") and isinstance(value, (int, float)):
            row[key] = statistics.median(float(r[key]) for r in found)  # type: ignore[arg-type]
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=("demo", "10x"))
    parser.add_argument("--dir", default=str(ROOT / "var" / "bench"))
    parser.add_argument("--out", type=Path)
    parser.add_argument("--against", type=Path, help="another checkout measured in the same run (before)")
    parser.add_argument("--rounds", type=int, default=3, help="with --against: rounds of before and after")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # a child: one database, JSON out
    parser.add_argument("--name", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.name, args.measure, args.runs)))
        return
    rows: list[dict[str, object]] = []
    for name in ("demo", "10x"):
        if args.only and name != args.only:
            continue
        path = database(Path(args.dir), name, rebuild=False)
        assert isinstance(path, Path)
        if args.against is None:
            rows.append(child(path, name, args.runs, ROOT))
        else:  # before and after in turn, under the same load
            rounds: dict[str, list[dict[str, object]]] = {"before": [], "after": []}
            for _ in range(args.rounds):
                rounds["before"].append(child(path, f"{name} before", args.runs, args.against.resolve()))
                rounds["after"].append(child(path, f"{name} after", args.runs, ROOT))
            rows += [median_row(found) for found in rounds.values()]
        print(markdown(rows[-2 if args.against else -1 :], args.runs), flush=True)
    text = markdown(rows, args.runs)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
