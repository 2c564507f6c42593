"""``carbonpeak pollutants``: the template, an import (all rows or none, every problem listed, exit 2), a
correction with its reason, the history and the synergy figures at the command line."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from carbonpeak.cli import app

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "240"})
    return result.exit_code, result.output


def test_template_import_correct_history_and_synergy(url: str, tmp_path: Path) -> None:
    code, _out = invoke("pollutants", "template", str(tmp_path / "t.csv"))
    assert code == 0 and "二氧化硫（t）" in (tmp_path / "t.csv").read_text(encoding="utf-8-sig")
    bad = tmp_path / "bad.csv"
    bad.write_text("facility_id,period,so2_t,nox_t,pm_t,source\nRA1,2025-01,-1,x,1,cems\n", encoding="utf-8")
    code, out = invoke("pollutants", "import", str(bad), "--db", url)
    assert code == 2 and "bad.csv" in out and "排放量不能为负数" in out and "应为以 t 计的数字" in out
    good = tmp_path / "good.csv"
    good.write_text("facility_id,period,so2_t,nox_t,pm_t,source\nRA1,2025-01,1,0.5,0.2,cems\n", encoding="utf-8")
    code, out = invoke("pollutants", "import", str(good), "--db", url, "--json")
    assert code == 0 and json.loads(out)["versions"] == [["RA1", "2025-01", 1]]
    args = ["--facility", "RA1", "--period", "2025-01", "--so2", "1.2", "--nox", "0.5", "--pm", "0.2"]
    code, out = invoke("pollutants", "add", *args, "--source", "permit_report", "--db", url)
    assert code == 2 and "更正须填写更正原因" in out
    code, out = invoke("pollutants", "add", *args, "--source", "permit_report", "--reason", "复核", "--db", url)
    assert code == 0 and "v2" in out
    code, out = invoke("pollutants", "history", "RA1", "--db", url, "--json")
    assert code == 0 and [(r["version"], r["so2_t"]) for r in json.loads(out)] == [(1, 1.0), (2, 1.2)]
    code, out = invoke("pollutants", "synergy", "--facility", "RA1", "--year", "2025", "--db", url)
    assert code == 0 and "二氧化硫" in out  # no counted month in this small province: the ledger alone
