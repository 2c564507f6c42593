"""``carbonpeak ets ...`` on a copy of the demo: the annual report written whole with --out, a receipt, the
month shown as JSON, every bad value listed with exit status 2 and nothing written, the city's review."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from carbonpeak.cli import app as cli

AS_OF = "2026-01-20"


@pytest.mark.parametrize("demo_db_url", ["sqlite"], indirect=True)
def test_the_ets_noun(demo_db_url: str, tmp_path: Path) -> None:
    run = CliRunner()
    db = ["--db", demo_db_url]
    out = tmp_path / "annual.pdf"
    made = run.invoke(
        cli, ["ets", "annual", "--enterprise", "E02", "--year", "2025", "--as-of", AS_OF, "--out", str(out), *db]
    )
    assert made.exit_code == 0, made.output
    assert "ets_annual" in made.output and "临时报告" in made.output
    assert "温室气体排放报告" in PdfReader(str(out)).pages[0].extract_text().replace(" ", "")
    receipt = run.invoke(
        cli, ["ets", "receipt", "--enterprise", "E02", "--month", "2025-10", "--as-of", AS_OF, "--json", *db]
    )
    assert receipt.exit_code == 0, receipt.output
    assert json.loads(receipt.output)["provisional"] is False  # October was accepted
    shown = run.invoke(
        cli, ["ets", "show", "--enterprise", "E02", "--month", "2025-11", "--as-of", AS_OF, "--json", *db]
    )
    data = json.loads(shown.output)
    assert data["status"] == "deposited" and data["review"]["status"] == "overdue"
    bad = run.invoke(
        cli, ["ets", "save", "--enterprise", "E02", "--month", "2025-12", "AL03:output_t=x", "AL04:output_t=-2", *db]
    )
    assert bad.exit_code == 2 and "不是数值" in bad.output and "不能为负数" in bad.output
    evidence = tmp_path / "产量台账.pdf"
    evidence.write_bytes(b"%PDF-1.4 test")
    up = run.invoke(
        cli,
        ["ets", "upload", "--enterprise", "E02", "--month", "2025-12", "--item", "AL03:output_t", str(evidence), *db],
    )
    assert up.exit_code == 0 and "SHA-256" in up.output
    assert run.invoke(cli, ["ets", "deposit", "--enterprise", "E02", "--month", "2025-12", *db]).exit_code == 0
    reviewed = run.invoke(
        cli, ["ets", "review", "--enterprise", "E02", "--month", "2025-12", "--decision", "accept", *db]
    )
    assert reviewed.exit_code == 0 and "审核通过" in reviewed.output
    locked = run.invoke(cli, ["ets", "save", "--enterprise", "E02", "--month", "2025-12", *db])
    assert locked.exit_code == 2 and "锁定" in locked.output
    listed = run.invoke(cli, ["ets", "list", "--json", *db])
    assert {r["month"]: r["status"] for r in json.loads(listed.output)}["2025-12"] == "accepted"
