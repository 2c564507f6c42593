"""``carbonpeak recycling``: the template, an import (all rows or none, every problem listed), the balance and the
verification steps at the command line, as the operator (an administrator)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from carbonpeak.cli import app
from tests.recycling.conftest import workbook

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "240"})
    return result.exit_code, result.output


def test_template_import_balance_and_steps(url: str, tmp_path: Path) -> None:
    code, _out = invoke("recycling", "template", str(tmp_path / "t.xlsx"), "--lang", "en")
    assert code == 0 and (tmp_path / "t.xlsx").read_bytes()[:2] == b"PK"
    good = tmp_path / "台账.xlsx"
    good.write_bytes(workbook())
    code, out = invoke("recycling", "import", str(good), "--submit", "--db", url, "--json")
    assert code == 0 and json.loads(out) == [{"facility": "RA1", "period": "2025-01", "version": 1, "state": "new"}]
    code, out = invoke("recycling", "balance", "--db", url, "--json")
    (row,) = json.loads(out)
    assert code == 0 and row["residual_pct"] == 1.0 and row["closes"] is True
    code, out = invoke("recycling", "verify", "RA1@2025-01", "--db", url)
    assert code == 2 and "核查须填写核查意见" in out
    code, _out = invoke("recycling", "verify", "RA1@2025-01", "--opinion", "与过磅单一致", "--db", url)
    assert code == 0
    code, out = invoke("recycling", "list", "--db", url, "--json")
    assert json.loads(out)[0]["status"] == "已核查"


def test_a_bad_file_exits_2_with_every_problem(url: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "facility_id,period,lot,supplier,source_category,grade_scheme,grade,consumer_status,origin,"
        "customs_declaration,product,mass_t,metal_yield,note\n"
        "RA1,2025-01,L1,甲,垃圾场,trade,废铝,post_consumer,domestic,,recycled_aluminium_alloy_ingot,abc,0.9,\n",
        encoding="utf-8",
    )
    code, out = invoke("recycling", "import", str(bad), "--db", url)
    assert code == 2 and "不在可选值中" in out and "应为数字" in out and "未写入任何内容" in out
    code, out = invoke("recycling", "list", "--db", url, "--json")
    assert json.loads(out) == []
