"""The stored-project verbs end to end (typer's CliRunner) on SQLite and PostgreSQL, and on the demo province:
add (all or nothing), list (table, JSON, Excel), show, correct, link, review --stored, measured.

Expected values on the demo are computed here from the raw submission versions of the facility.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import typer
import yaml
from sqlalchemy import select
from typer.testing import CliRunner

from carbonpeak.cli.projects import register
from carbonpeak.store import db
from carbonpeak.store.models import Facility, Submission, SubmissionVersion

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "projects"
KEY_AREA = str(EXAMPLES / "al_smelter_key_area_2024.yaml")
MAGNESIUM = str(EXAMPLES / "magnesium_retrofit_xinjiang_2023.yaml")
DEMO_LINE = str(EXAMPLES / "al_line_demo_built_2021.yaml")


def cli() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """test app"""

    register(app)
    return app


def run(*args: str, columns: int = 200, lang: str = "zh") -> tuple[int, str]:
    env = {"COLUMNS": str(columns), "CARBONPEAK_ACTOR": "cli:tester", "CARBONPEAK_LANG": lang}
    result = CliRunner().invoke(cli(), list(args), env=env)
    return result.exit_code, result.output


def ok_json(*args: str) -> Any:
    code, out = run(*args, "--json")
    assert code == 0, out
    return json.loads(out)


def test_add_list_show_correct_review_link_measured(registry: str, tmp_path: Path) -> None:
    url = ["--db", registry]
    code, out = run("projects", "add", KEY_AREA, *url)
    assert code == 0 and "已登记 EX-AL-KEY-01（第 1 版）" in out, out
    code, out = run("projects", "add", KEY_AREA, *url, "--lang", "en")
    assert code == 0 and "already registered, identical" in out, out
    assert ok_json("projects", "add", MAGNESIUM, *url)["projects"] == [
        {"code": "EX-MG-XJ-04", "version": 1, "action": "registered"}
    ]

    # review --stored keeps the review; the file review stores nothing
    code, out = run("projects", "review", KEY_AREA, *url, "--json")
    assert code == 0 and json.loads(out)["reviews"][0]["classification"] == "halt"
    stored = ok_json("projects", "review", "--stored", "EX-AL-KEY-01", "--national-capacity", "44 Mt/a", *url)
    assert stored["stored_review"]["version"] == 1 and stored["review"]["classification"] == "halt"
    code, out = run("projects", "review", "--stored", "EX-MG-XJ-04", *url, "--lang", "en")
    assert code == 0 and "classification: proceed" in out and "stored as review #2 of version 1" in out, out

    listed = ok_json("projects", "list", *url)["projects"]
    assert [(p["code"], p["classification"]) for p in listed] == [("EX-AL-KEY-01", "halt"), ("EX-MG-XJ-04", "proceed")]
    code, out = run("projects", "list", *url)
    assert code == 0 and "叫停" in out and "可推进" in out and "拟建/在建" in out, out
    workbook = tmp_path / "projects.xlsx"
    code, out = run("projects", "list", *url, "--classification", "halt", "--excel", str(workbook), "--lang", "en")
    assert code == 0 and "halt" in out, out
    sheet = pd.read_excel(workbook, sheet_name="projects")
    assert list(sheet["code"]) == ["EX-AL-KEY-01"] and sheet["capacity_t_per_a"].iloc[0] == 300_000

    # a correction: version 2 with its reason, version 1 kept; the old review is flagged
    corrected = tmp_path / "corrected.yaml"
    text = Path(KEY_AREA).read_text(encoding="utf-8")
    corrected.write_text(text.replace("energy_review_status: pending", "energy_review_status: approved"), "utf-8")
    code, out = run("projects", "correct", "EX-AL-KEY-01", str(corrected), "--reason", "节能审查已批复", *url)
    assert code == 0 and "第 2 版" in out, out
    code, out = run("projects", "correct", "EX-AL-KEY-01", str(corrected), "--reason", "again", *url)
    assert code == 2 and "与第 2 版相同，无需更正" in out, out
    code, out = run("projects", "correct", "EX-AL-KEY-01", str(corrected), "--reason", "again", *url, lang="en")
    assert code == 2 and "identical to version 2" in out, out
    shown = ok_json("projects", "show", "EX-AL-KEY-01", *url)
    assert [(v["version"], v["reason"]) for v in shown["versions"]] == [(1, None), (2, "节能审查已批复")]
    assert shown["versions"][0]["record"]["energy_review_status"] == "pending"
    assert shown["record"]["energy_review_status"] == "approved"
    assert [r["classification"] for r in shown["reviews"]] == ["halt"]
    assert shown["reviews"][0]["rules"][0]["rule"] == "R1" and shown["reviews"][0]["rules"][0]["source"]
    assert [e["action"] for e in shown["audit"]] == ["register", "review", "correct"]
    assert {e["actor"] for e in shown["audit"]} == {"cli:tester"}
    code, out = run("projects", "show", "EX-AL-KEY-01", *url, "--lang", "en", columns=240)
    assert code == 0 and "latest review #1" in out and "review it again" in out, out
    assert "节能审查已批复" in out and "key air-pollution area" in out

    # link and measure: not built, then built without counted months (no data)
    own = tmp_path / "own.json"
    record: dict[str, Any] = {
        "id": "P-OWN",
        "name_zh": "本省电解铝",
        "name_en": "own line",
        "enterprise": "E1",
        "kind": "new",
        "sector": "electrolytic_aluminium",
        "product": "electrolytic_aluminium",
        "capacity_t_per_a": 200000,
        "net_new_capacity_t_per_a": 200000,
        "site": {"province": "shaanxi", "city": "测试市"},
        "in_key_air_pollution_area": False,
        "designed_unit_consumption": {"ac_power_liquid_aluminium": {"value": 12900, "unit": "kWh/t"}},
        "energy_sources": ["grid"],
        "new_captive_coal_plant": False,
        "energy_review_status": "approved",
        "eia_status": "approved",
        "planned_start": "2022-01-01",
    }
    own.write_text(json.dumps(record), encoding="utf-8")
    assert run("projects", "add", str(own), *url)[0] == 0
    measured = ok_json("projects", "measured", "P-OWN", "--year", "2024", *url)
    assert measured["status"] == "not_built"
    code, out = run("projects", "link", "P-OWN", "--facility", "CU1", *url)
    assert code == 2 and "设施 CU1 属于铜冶炼行业" in out, out
    assert ok_json("projects", "link", "P-OWN", "--facility", "AL1", *url)["changed"] is True
    code, out = run("projects", "link", "P-OWN", "--facility", "AL1", *url, "--lang", "en")
    assert code == 0 and "already linked" in out, out
    code, out = run("projects", "measured", "P-OWN", "--year", "2024", *url)
    assert code == 0 and "无数据" in out and "不作估算" in out, out
    assert ok_json("projects", "list", "--status", "built", *url)["projects"][0]["facility_code"] == "AL1"


def test_add_is_all_or_nothing_and_names_file_record_field(db_url: str, tmp_path: Path) -> None:
    good = json.loads(json.dumps(yaml.safe_load(Path(MAGNESIUM).read_text(encoding="utf-8")), default=str))
    bad_capacity = {**good, "id": "BAD-CAP", "capacity_t_per_a": -50000}
    bad_design = {
        **good,
        "id": "BAD-DESIGN",
        "designed_unit_consumption": {"comprehensive_energy": {"value": 900, "unit": "kgce/t"}},
    }
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps([good, bad_capacity, bad_design], ensure_ascii=False), encoding="utf-8")
    code, out = run("projects", "add", str(path), "--db", db_url, lang="en")
    assert code == 2, out
    assert "2 problems" in out and "nothing was stored" in out
    assert "record BAD-CAP" in out and "capacity" in out
    assert "record BAD-DESIGN, field 'designed_unit_consumption.comprehensive_energy.value'" in out
    assert "2,000-15,000 kgce/t" in out and "mixed.json" in out
    assert ok_json("projects", "list", "--db", db_url)["projects"] == []
    code, out = run("projects", "review", "--db", db_url)
    assert code == 2 and "--stored CODE" in out
    code, out = run("projects", "review", MAGNESIUM, "--stored", "EX-MG-XJ-04", "--db", db_url)
    assert code == 2 and "不能同时给出" in out
    code, out = run("projects", "show", "NOPE", "--db", db_url)
    assert code == 2 and "没有编号为 NOPE 的项目" in out
    code, out = run("projects", "list", "--db", db_url, "--lang", "fr")
    assert code == 2 and "未知语言" in out


# ---------------------------------------------------------------- the demo province


@pytest.fixture(scope="module")
def demo(demo_sqlite_url: str) -> str:
    """The demo province: this module's copy of the session's demo database (tests/conftest.py)."""
    return demo_sqlite_url


def raw_months(url: str, facility: str, year: int) -> list[dict[str, Any]]:
    """Per month of the facility and year, the record of the latest verified or locked version, read here."""
    out = []
    with db.transaction(url) as session:
        rows = session.execute(
            select(Submission.period, SubmissionVersion.version, SubmissionVersion.status, SubmissionVersion.record)
            .join(SubmissionVersion, SubmissionVersion.submission_id == Submission.id)
            .join(Facility, Facility.id == Submission.facility_id)
            .where(Facility.code == facility, Submission.period.like(f"{year}-%"))
        ).all()
    latest: dict[str, tuple[int, dict[str, Any]]] = {}
    for period, version, status, record in rows:
        if status in ("verified", "locked") and version > latest.get(period, (0, {}))[0]:
            latest[period] = (version, record)
    for period in sorted(latest):
        out.append(latest[period][1])
    return out


def test_examples_on_the_demo_province(demo: str) -> None:
    url = ["--db", demo]
    for path in sorted(EXAMPLES.glob("*.yaml")):
        code, out = run("projects", "add", str(path), *url)
        assert code == 0, out
    assert len(ok_json("projects", "list", *url)["projects"]) == 5
    assert ok_json("projects", "link", "EX-AL-DEMO-05", "--facility", "AL02", *url)["changed"] is True
    result = ok_json("projects", "measured", "EX-AL-DEMO-05", "--year", "2024", *url)
    months = raw_months(demo, "AL02", 2024)
    assert result["status"] == "measured" and result["months_counted"] == len(months) > 0
    (ac,) = result["indicators"]
    expected = sum(m["electrolysis_ac_mwh"] for m in months) * 1000 / sum(m["output_t"] for m in months)
    assert ac["indicator"] == "ac_power_liquid_aluminium"
    assert ac["measured"] == pytest.approx(expected, rel=1e-12)
    assert ac["difference"] == pytest.approx(expected - 12_900, rel=1e-12)
    code, out = run("projects", "measured", "EX-AL-DEMO-05", "--year", "2024", *url, "--lang", "en", columns=220)
    assert code == 0 and "AC power per t of liquid aluminium" in out and "approved_energy_tce_per_a" in out, out
    code, out = run("projects", "review", "--stored", "EX-AL-DEMO-05", *url)
    assert code == 0 and "整改" in out, out
    code, out = run("projects", "show", "EX-AL-DEMO-05", *url)
    assert code == 0 and "AL02" in out and "已建成" in out, out
