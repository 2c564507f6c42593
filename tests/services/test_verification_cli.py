"""`carbonpeak submissions verify F P --opinion TEXT` and `submissions return F P --reason TEXT`, acting as a
verifier's account (``--as``): the same use cases, refusals in the person's language, nothing written."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from carbonpeak.cli import app
from carbonpeak.store import db
from tests.services.test_verification import OPINION, REASON, latest, month, two, verifier  # noqa: F401

runner = CliRunner()


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_verify_and_return_from_the_command_line(two: str) -> None:  # noqa: F811
    month(two, "2025-01")
    month(two, "2025-02")
    with db.transaction(two) as session:
        verifier(session, "v1", "E1")
        verifier(session, "v2", "E2")
    on = ("--db", two)

    code, out = cli("submissions", "verify", "AL1", "2025-01", "--as", "v1", *on)
    assert code == 2 and "核查须填写核查意见" in out and "未写入任何内容" in out, out
    code, out = cli("submissions", "return", "AL1", "2025-02", "--as", "v1", *on)
    assert code == 2 and "退回修改须填写原因" in out, out
    # a verifier not assigned E1 gets exactly the answer of a month that does not exist
    foreign = cli("submissions", "verify", "AL1", "2025-01", "--opinion", OPINION, "--as", "v2", *on)
    unknown = cli("submissions", "verify", "AL1", "2031-01", "--opinion", OPINION, "--as", "v1", *on)
    assert foreign[0] == unknown[0] == 2
    assert "没有您可以处理的该月份数据（AL1，2025-01）" in foreign[1]
    assert foreign[1].replace("2025-01", "P") == unknown[1].replace("2031-01", "P")
    assert latest(two, "2025-01").status == "submitted"

    code, out = cli("submissions", "verify", "AL1", "2025-01", "--opinion", OPINION, "--as", "v1", *on)
    assert code == 0 and "version 1 is now verified" in out, out
    code, out = cli("submissions", "return", "AL1", "2025-02", "--reason", REASON, "--as", "v1", *on)
    assert code == 0 and "version 1 is now returned" in out, out
    assert (latest(two, "2025-01").opinion, latest(two, "2025-02").returned_reason) == (OPINION, REASON)

    code, out = cli("submissions", "show", "AL1", "2025-02", "--json", *on)
    shown = json.loads(out)
    assert shown["versions"][0]["returned_reason"] == REASON and shown["versions"][0]["returned_by"] == "cli:v1"
    assert [(a["action"], a["after_status"], a["note"]) for a in shown["audit"]][-1] == ("return", "returned", REASON)
    code, out = cli("submissions", "list", "--status", "returned", "--json", *on)
    assert [(r["facility"], r["period"]) for r in json.loads(out)] == [("AL1", "2025-02")]
