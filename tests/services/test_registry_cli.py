"""The registry from the command line, from an empty database: a province from one workbook, changes,
history, a proposal decided, and coded errors in zh or en."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from carbonpeak.cli import app
from tests.services.test_registry_bulk import workbook

runner = CliRunner()


def cli(url: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*args, "--db", url], env={"COLUMNS": "240"})
    return result.exit_code, result.output


def test_a_province_from_an_empty_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    template = tmp_path / "registry.xlsx"
    assert runner.invoke(app, ["registry", "template", "--lang", "en", "--out", str(template)]).exit_code == 0
    filled = tmp_path / "province.xlsx"
    filled.write_bytes(workbook("zh"))
    code, out = cli(url, "registry", "import", str(filled), "--json")
    assert code == 0, out
    assert json.loads(out)["created"]["facilities"] == ["AL1", "CU1"]
    code, out = cli(url, "facility", "change", "AL1", "capacity_t_per_a=320000", "capacity_effective_on=2025-01-01")
    assert code == 0 and "capacity_t_per_a" in out and "1 capacity ledger event" in out, out
    code, out = cli(url, "facility", "history", "AL1", "--json")
    versions = json.loads(out)
    assert [v["action"] for v in versions] == ["create", "change"]
    assert "capacity_t_per_a: 300000.0 → 320000.0" in versions[1]["changed"]
    code, out = cli(url, "facility", "list", "--json")
    assert [f["facility_code"] for f in json.loads(out)] == ["AL1", "CU1"]

    # Bad input: every problem, coded, in the language asked; nothing written.
    code, out = cli(url, "enterprise", "add", "E1", "name_zh=重复", "uscc=123", "region_code=NOWHERE", "--lang", "en")
    assert code == 2
    assert "this code is already used" in out and "18 characters" in out and "no such region" in out
    code, out = cli(
        url, "facility", "add", "X1", "enterprise_code=E1", "name_zh=新线", "sector=电解铝", "capacity_t_per_a=-1"
    )
    assert code == 2 and "产能不能小于零" in out

    # Accounts (the people part's CLI), then a proposal decided by the city's regulator.
    for args in (
        ("users", "create", "e1", "--role", "enterprise", "--enterprise", "E1", "--password", "Xianyang-Al-2025!"),
        ("users", "create", "xy", "--role", "city_regulator", "--region", "XY", "--password", "Xianyang-Al-2025!"),
    ):
        code, out = cli(url, *args)
        assert code == 0, out
    code, out = cli(url, "facility", "change", "AL1", "technology=CWPB", "--as", "e1")
    assert code == 2 and "无权" in out  # an enterprise proposes, it does not change
    code, out = cli(url, "proposals", "propose", "AL1", "status=idle", "status_since=2025-06-01", "--as", "e1")
    assert code == 0 and "pending" in out, out
    code, out = cli(url, "proposals", "list", "--as", "xy", "--json")
    (proposal,) = json.loads(out)
    code, out = cli(url, "proposals", "reject", str(proposal["id"]), "--reason", " ", "--as", "xy")
    assert code == 2 and "驳回时须说明理由" in out
    code, out = cli(url, "proposals", "approve", str(proposal["id"]), "--as", "xy")
    assert code == 0, out
    code, out = cli(url, "facility", "list", "--json")
    assert {f["facility_code"]: f["status"] for f in json.loads(out)}["AL1"] == "idle"


def test_a_registry_file_that_cannot_be_read_is_a_coded_error(tmp_path: Path) -> None:
    """Before: the English text of Python's OSError ("[Errno 2] No such file or directory: ...")."""
    url = f"sqlite:///{tmp_path / 'new.db'}"
    missing = tmp_path / "missing.xlsx"
    code, out = cli(url, "registry", "import", str(missing))
    assert code == 2 and "找不到或无法读取该文件" in out and "Errno" not in out
    code, out = cli(url, "registry", "import", str(missing), "--lang", "en")
    assert code == 2 and "the file cannot be found or read" in out
