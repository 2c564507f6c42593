"""docs/province-from-nothing.md, step by step through the CLI: from an empty database an administrator
registers a city, two enterprises and their facilities from one Excel file, creates their accounts and
a verifier; the enterprise reports its first month, the verifier verifies it; and each person is held
to their scope on the way."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from carbonpeak.cli import app

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "province_from_nothing"
runner = CliRunner()


def cli(url: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*args, "--db", url], env={"COLUMNS": "240"})
    return result.exit_code, result.output


def test_a_province_from_an_empty_database_through_the_cli(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'province.db'}"
    assert cli(url, "db", "init")[0] == 0
    code, out = cli(url, "registry", "import", str(EXAMPLES / "registry.xlsx"), "--json")
    assert code == 0, out
    created = json.loads(out)["created"]
    assert created["regions"] == ["SX", "XY"] and created["enterprises"] == ["E1", "E2"]
    assert created["facilities"] == ["AL1", "CU1"]

    for args in (
        ("users", "create", "e1", "--role", "enterprise", "--enterprise", "E1", "--password", "Xianyang-Al-2025!"),
        ("users", "create", "e2", "--role", "enterprise", "--enterprise", "E2", "--password", "Xianyang-Cu-2025!"),
        ("users", "create", "v1", "--role", "verifier", "--password", "Verify-Xianyang-2025!"),
        ("users", "assign", "v1", "E1"),
    ):
        code, out = cli(url, *args)
        assert code == 0, out
    code, out = cli(url, "users", "create", "e9", "--role", "enterprise", "--enterprise", "E9", "--password", "x" * 16)
    assert code == 2  # an account for an enterprise that is not registered

    month = str(EXAMPLES / "al1_2025-01.csv")
    code, out = cli(url, "import", month, "--as", "e2")
    assert code == 2 and "不是您可以填报的设施" in out  # nothing about the line itself
    code, out = cli(url, "import", month, "--as", "e1", "--submit", "--json")
    assert code == 0, out
    report = json.loads(out)
    assert report["versions"] == [["AL1", "2025-01", 1]] and report["results"] == 1

    opinion = ("--opinion", "电量与供电结算单一致")
    assert cli(url, "submissions", "verify", "AL1", "2025-01", *opinion, "--as", "e1")[0] == 2  # not an enterprise
    code, out = cli(url, "submissions", "verify", "AL1", "2025-01", "--as", "v1")
    assert code == 2 and "核查须填写核查意见" in out, out  # an opinion is required
    code, out = cli(url, "submissions", "verify", "AL1", "2025-01", *opinion, "--as", "v1")
    assert code == 0 and "verified" in out, out
    code, out = cli(url, "submissions", "list", "--facility", "AL1", "--json")
    (row,) = json.loads(out)
    assert (row["status"], row["created_by"]) == ("verified", "cli:e1")
