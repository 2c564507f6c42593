"""``carbonpeak energy-report``: a demo enterprise's 2025 report shown pre-filled, bad entries refused with
every problem named (exit 2, nothing written), filed, accepted by its city's regulator, locked; the report
made and written as PDF, and the NBS 205 workbook."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

from carbonpeak.cli import app

runner = CliRunner()


def run(url: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["energy-report", *args, "--db", url])
    return result.exit_code, result.output


def test_the_cli_walk(demo_sqlite_url: str, tmp_path: Path) -> None:
    code, out = run(demo_sqlite_url, "show", "--enterprise", "E02", "--year", "2025", "--json")
    assert code == 0, out
    shown = json.loads(out)
    assert shown["status"] == "none" and shown["key_unit"] == "key" and shown["provisional"]
    assert abs(shown["total_tce"] - shown["carriers_tce"]) < 0.01

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"t6": [{"target_tce": "-1"}], "t8": [{"name": "槽", "quantity": "abc"}]}), "utf-8")
    code, out = run(demo_sqlite_url, "save", "--enterprise", "E02", "--year", "2025", "--file", str(bad))
    assert code == 2
    assert "表6 节能目标完成情况 第 1 行“节能目标（吨标准煤）”：不能小于 0" in out
    assert "表8 主要耗能设备状况 第 1 行“数量（台/套）”：应为数字" in out

    good = tmp_path / "good.json"
    good.write_text(json.dumps({"t5": [{"factors": "产量下降"}], "t7": [{"evaluation": "完成"}]}), "utf-8")
    code, out = run(demo_sqlite_url, "submit", "--enterprise", "E02", "--year", "2025", "--file", str(good), "--json")
    assert code == 0, out
    assert json.loads(out)["status"] == "submitted"
    code, out = run(demo_sqlite_url, "review", "--enterprise", "E02", "--year", "2025", "--decision", "accept")
    assert code == 0, out
    code, out = run(demo_sqlite_url, "save", "--enterprise", "E02", "--year", "2025", "--file", str(good))
    assert code == 2 and "锁定" in out

    pdf = tmp_path / "report.pdf"
    code, out = run(
        demo_sqlite_url, "make", "--enterprise", "E02", "--year", "2025", "--as-of", "2026-01-20", "--out", str(pdf)
    )
    assert code == 0, out
    assert pdf.read_bytes().startswith(b"%PDF")
    word = tmp_path / "report_en.docx"
    code, out = run(
        demo_sqlite_url, "make", "--enterprise", "E02", "--year", "2025", "--report-lang", "en", "--out", str(word)
    )
    assert code == 0, out
    import docx

    paragraphs = [p.text for p in docx.Document(str(word)).paragraphs]
    assert "Energy-utilisation status report of a key energy-using unit" in paragraphs
    workbook = tmp_path / "nbs205.xlsx"
    code, out = run(demo_sqlite_url, "nbs205", "--enterprise", "E02", "--year", "2025", "--out", str(workbook))
    assert code == 0, out
    assert load_workbook(workbook).sheetnames == ["205-1", "205-2", "205-3"]
    code, out = run(demo_sqlite_url, "list", "--year", "2025", "--json")
    assert code == 0 and json.loads(out)[0]["status"] == "accepted"
