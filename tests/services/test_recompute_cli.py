"""``carbonpeak parameters enter`` and ``carbonpeak recompute`` on SQLite and PostgreSQL: entering the missing
grid factor at the command line recomputes the waiting month with no other action, with the progress shown
and what changed printed; an account that is not an administrator is refused and nothing is written."""

from __future__ import annotations

import json

from sqlalchemy import func, select
from typer.testing import CliRunner

from carbonpeak.cli import app
from carbonpeak.services import access
from carbonpeak.store import db
from carbonpeak.store.models import Job, ParameterValue, Result, SubmissionVersion
from tests.services.conftest import person
from tests.services.test_recompute import save

runner = CliRunner()
ENTER = [
    "parameters",
    "enter",
    "electricity.grid_factor",
    "--key",
    "data_year=2024",
    "--key",
    "region=china",
    "--key",
    "basis=location",
    "--value",
    "0.52",
    "--unit",
    "tCO2/MWh",
    "--document",
    "关于发布2024年电力二氧化碳排放因子的公告（测试引用）",
    "--issuer",
    "生态环境部、国家统计局",
    "--number",
    "测试第1号",
    "--published",
    "2026-12-31",
]


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def counts(url: str) -> tuple[int, int, int, int]:
    """(parameter values, jobs, results, waiting versions)"""
    with db.transaction(url, mode="read") as session:
        return (
            int(session.scalar(select(func.count(ParameterValue.id))) or 0),
            int(session.scalar(select(func.count(Job.id))) or 0),
            int(session.scalar(select(func.count(Result.id))) or 0),
            int(
                session.scalar(select(func.count(SubmissionVersion.id)).where(SubmissionVersion.waiting.is_not(None)))
                or 0
            ),
        )


def test_entering_the_factor_at_the_command_line_recomputes_the_waiting_month(province: str) -> None:
    save(province, "2026-03")
    assert counts(province) == (0, 0, 0, 1)
    code, out = cli(*ENTER, "--db", province, "--actor", "cli:admin")
    assert code == 0, out
    assert "已录入“电力二氧化碳排放因子”的官方数值（第 1 版）" in out
    assert "重新计算 1 个月份：新增结果 1 个，其中 1 个原待参数月份已得出结果；仍待参数 0 个" in out
    assert "AL1 2026-03：无（此前没有结果） →" in out
    assert counts(province) == (1, 1, 1, 0)
    with db.transaction(province, mode="read") as session:
        job = session.scalars(select(Job)).one()
        assert (job.status, job.total, job.done, job.started_by) == ("done", 1, 1, "cli:admin")
    code, out = cli("recompute", "--family", "electricity.grid_factor", "--db", province, "--json", "--lang", "en")
    assert code == 0, out
    summary = json.loads(out)  # the same values again: nothing new, and only JSON on stdout
    assert (summary["months"], summary["added"], summary["waiting"], summary["changed"]) == (1, 0, 0, [])


def test_the_whole_store_in_english(province: str) -> None:
    save(province, "2025-03")
    save(province, "2026-03")
    code, out = cli("recompute", "--db", province, "--lang", "en")
    assert code == 0, out
    assert "2 months recomputed: 0 new results, 0 of them for months that were waiting; 1 still waiting" in out


def test_an_account_that_is_not_an_administrator_is_refused(province: str) -> None:
    save(province, "2026-03")
    with db.transaction(province) as session:
        person(session, "sx-regulator", access.PROVINCE, region="SX")
    before = counts(province)
    code, out = cli(*ENTER, "--db", province, "--as", "sx-regulator")
    assert code == 2 and "您无权执行此操作" in out
    code, out = cli("recompute", "--db", province, "--as", "sx-regulator")
    assert code == 2 and "您无权执行此操作" in out
    assert counts(province) == before


def test_a_bad_value_names_its_field_and_writes_nothing(province: str) -> None:
    code, out = cli(*[a if a != "0.52" else "lots" for a in ENTER], "--db", province, "--key", "nonsense")
    assert code == 2 and "名称=值" in out
    code, out = cli(*[a if a != "0.52" else "lots" for a in ENTER], "--db", province)
    assert code == 2 and "不是数字" in out
    assert counts(province) == (0, 0, 0, 0)
