"""``carbonpeak green``: the register by year, designate, decide, file, the board and the gaps at the command line
on a copy of the demo, as the operator (an administrator); a bad entry lists every problem and exits 2."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from carbonpeak.cli import app

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "240"})
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes else "")


def test_green_verbs(demo_sqlite_url: str) -> None:
    db = ("--db", demo_sqlite_url)
    code, out = invoke("green", "list", "--year", "2023", *db, "--json")
    rows = json.loads(out)
    assert code == 0 and {r["code"] for r in rows if r["in_force"] and r["kind"] == "park"} == {"PK02", "PK07"}
    assert not next(r for r in rows if r["code"] == "E09")["in_force"]
    code, out = invoke(
        "green", "designate", "--subject", "E10", "--kind", "factory", "--level", "planet", "--year", "2025", *db
    )
    assert code == 2 and "national" in out
    code, out = invoke(
        "green", "designate", "--subject", "E10", "--kind", "factory", "--level", "provincial", "--year", "2025", *db
    )
    assert code == 0 and out.startswith("designated #")
    designation = out.split("#")[1].split()[0]
    code, out = invoke("green", "decide", "--id", designation, "--action", "warn", "--reason", "能耗数据异常", *db)
    assert code == 0 and out.startswith("warn")
    code, out = invoke("green", "file", "--enterprise", "E10", "--year", "2025", "--value", "renewable_share=3.5", *db)
    assert code == 0 and "v1" in out
    code, out = invoke("green", "status", "--year", "2025", *db, "--json")
    status = {r["enterprise"]: r for r in json.loads(out)}
    assert status["E10"]["state"] in ("filed", "filed_late") and status["E03"]["state"] in ("due", "overdue")
    code, out = invoke("green", "gaps", "--enterprise", "E02", "--year", "2024", *db, "--json")
    gaps = json.loads(out)
    assert code == 0 and len(gaps) == 8 and all(g["baseline"] is None for g in gaps)
