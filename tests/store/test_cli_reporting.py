"""Issue #3's scenario from the CLI, on the demo province: download a template, fill it, import it, see
the results, correct a month, see both versions and the audit trail."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from carbonpeak.cli import app

runner = CliRunner()


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


@pytest.fixture
def demo_db(demo_db_url: str) -> str:
    """The demo province as ``carbonpeak demo load`` leaves it: a copy of the session's (tests/store/conftest.py;
    loading it anew for each test cost 15-100 s). The command itself: tests/web/test_cli_web.py."""
    return demo_db_url


def fill_template(path: Path, values: dict[str, object]) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book["activity"]
    headers = [cell.value for cell in sheet[1]]
    for column, header in enumerate(headers, start=1):
        name = str(header).split("[")[0]
        if name in values:
            sheet.cell(row=3, column=column, value=values[name])
    book.save(path)


def test_template_fill_import_correct_and_audit(demo_db: str, tmp_path: Path) -> None:
    db = ("--db", demo_db)
    template = tmp_path / "ra05.xlsx"
    code, out = cli(
        "template", "recycled_aluminium", "--enterprise", "E02", "--lang", "zh", "--out", str(template), *db
    )
    assert code == 0, out
    book = openpyxl.load_workbook(template)
    lists = "\n".join(str(c.value) for row in book["lists"].iter_rows() for c in row if c.value)
    assert "RA05" in lists  # the enterprise's own facility is offered in the drop-down

    month = {
        "facility_id": "RA05",
        "sector": "recycled_aluminium",
        "region": "shaanxi",
        "period": "2024-09",
        "output_t": 2000,
        "scrap_input_t": 2150,
        "grid_electricity_mwh": 260,
        "fuel:natural_gas": 15,
    }
    fill_template(template, month)
    code, out = cli("import", str(template), "--actor", "enterprise:E02", "--json", *db)
    assert code == 0, out
    report = json.loads(out)
    assert report["rows"] == 1 and report["results"] == 1 and report["versions"] == [["RA05", "2024-09", 1]]

    code, out = cli("submissions", "show", "RA05", "2024-09", "--json", *db)
    shown = json.loads(out)
    first = shown["versions"][0]
    # 260 MWh × 0.5366 (2024 → 2022 national average) + 15 × 10^4 Nm3 gas × 389.31 GJ × 15.3 t C/TJ × 99 % × 44/12
    gas = 15 * 389.31 / 1000 * 15.3 * 0.99 * 44 / 12
    assert first["results"][0]["total_location_tco2e"] == pytest.approx(260 * 0.5366 + gas, rel=1e-9)

    for verb, who, *note in (
        ("submit", "enterprise:E02"),
        ("verify", "verifier:V1", "--opinion", "产量与过磅记录一致"),
        ("lock", "verifier:V1"),
    ):
        code, out = cli("submissions", verb, "RA05", "2024-09", "--actor", who, *note, *db)
        assert code == 0, out
    code, out = cli("import", str(template), *db)  # the same record again: nothing to add, nothing refused
    assert code == 0 and "0 versions, 1 unchanged" in out, out
    fill_template(template, {**month, "output_t": 2001})
    code, out = cli("import", str(template), *db)  # the locked month refuses a changed plain re-import
    assert code == 2 and "该月份已锁定" in out and "未写入任何内容" in out  # the person's language: zh

    corrected = tmp_path / "fix.json"
    corrected.write_text(
        json.dumps(
            [
                {
                    **{k: v for k, v in month.items() if ":" not in k},
                    "output_t": 2100,
                    "fuels": [{"fuel": "natural_gas", "amount": 15}],
                }
            ]
        )
    )
    code, out = cli(
        "submissions",
        "correct",
        "RA05",
        "2024-09",
        str(corrected),
        "--reason",
        "月末盘点更正产量",
        "--actor",
        "enterprise:E02",
        *db,
    )
    assert code == 0, out
    code, out = cli("submissions", "show", "RA05", "2024-09", "--json", *db)
    shown = json.loads(out)
    assert [(v["version"], v["status"], v["reason"]) for v in shown["versions"]] == [
        (1, "locked", None),
        (2, "draft", "月末盘点更正产量"),
    ]
    assert shown["versions"][0]["record"]["output_t"] == 2000 and shown["versions"][1]["record"]["output_t"] == 2100
    assert [a["action"] for a in shown["audit"]] == ["save", "submit", "verify", "lock", "correct"]
    assert shown["audit"][2]["after_status"] == "verified"

    export = tmp_path / "export.xlsx"
    code, out = cli("export", "--out", str(export), "--facility", "RA05", "--from", "2024-09", "--to", "2024-09", *db)
    assert code == 0, out
    exported = openpyxl.load_workbook(export)
    assert exported["submissions"].max_row == 3  # header + both versions


def test_bad_workbook_is_rejected_with_an_annotated_copy(demo_db: str, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    template = tmp_path / "bad.xlsx"
    cli("template", "recycled_aluminium", "--out", str(template), "--db", demo_db)
    fill_template(
        template,
        {
            "facility_id": "NOPE",
            "sector": "recycled_aluminium",
            "region": "shaanxi",
            "period": "2024-09",
            "output_t": -5,
        },
    )
    code, out = cli("import", str(template), "--db", demo_db)
    assert code == 2
    # scope first: an unregistered facility gets that answer alone, its other cells are not checked
    assert "工作表 activity，第 3 行" in out and "设施编号" in out and "未写入任何内容" in out
    annotated = tmp_path / "var" / "rejected" / "bad.errors.xlsx"
    assert annotated.exists()
    assert "errors" in openpyxl.load_workbook(annotated).sheetnames


def test_results_wait_for_an_unpublished_factor(demo_db: str, tmp_path: Path) -> None:
    path = tmp_path / "jan2026.csv"
    path.write_text(
        "facility_id,sector,region,period,output_t,grid_electricity_mwh\n"
        "RA05,recycled_aluminium,shaanxi,2026-01,2000,260\n"
    )
    code, out = cli("import", str(path), "--json", "--db", demo_db)
    assert code == 0, out
    report = json.loads(out)
    assert report["results"] == 0 and report["versions"] == [["RA05", "2026-01", 1]]
    pending = report["results_pending"][0]  # the parameter named by its title, not by its key
    assert pending.startswith("1 month(s) of 2026 have no result yet") and "Electricity CO2 emission factors" in pending
    assert "data_year" not in pending and "electricity.grid_factor" not in pending
