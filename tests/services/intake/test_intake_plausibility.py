"""The plausibility gate in the one intake path: an error refuses the file like a wrong field (every problem,
located, in zh and en); warnings are stored on the version with its facts row held, and the month is not
submitted until its record gives an explanation (情况说明). SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from intakehelpers import enterprise
from sqlalchemy import func, select

from carbonpeak.errors import InputError, ValidationFailed
from carbonpeak.services import intake
from carbonpeak.services import submissions as workflow
from carbonpeak.store import db
from carbonpeak.store import repository as repo
from carbonpeak.store.models import Fact, SubmissionVersion

HEADER = "facility_id,sector,region,period,output_t,grid_electricity_mwh,electrolysis_ac_mwh,explanation\n"
ABSURD = "AL1,electrolytic_aluminium,shaanxi,2024-05,8000,110000,999999999,\n"  # the month of issue 13
PLAUSIBLE = "AL1,electrolytic_aluminium,shaanxi,{period},10000,140000,130000,\n"
HIGH = "AL1,electrolytic_aluminium,shaanxi,2024-05,10000,160000,145000,{explanation}\n"  # 14,500 kWh/t: a warning


def run(url: str, text: str, **kwargs):
    with db.transaction(url) as session:
        return intake.import_file(session, enterprise(url), text.encode(), "m.csv", **kwargs)


def versions(url: str) -> int:
    with db.transaction(url) as session:
        return session.scalar(select(func.count()).select_from(SubmissionVersion))


def latest(url: str, period: str = "2024-05") -> tuple[SubmissionVersion, bool]:
    with db.transaction(url) as session:
        version = repo.versions_of(session, "AL1", period)[-1]
        held = session.scalar(select(Fact.held).where(Fact.version_id == version.id))
        session.expunge(version)
        return version, held


def test_the_absurd_month_is_refused_with_every_problem_located(province: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        run(province, HEADER + PLAUSIBLE.format(period="2024-04") + ABSURD)
    errors = caught.value.errors
    assert [(e.row, e.field, e.code) for e in errors] == [
        (3, "electrolysis_ac_mwh", "plausibility.ac_power_per_t"),
        (3, "electrolysis_ac_mwh", "plausibility.electricity_balance"),
    ]
    ac = errors[0]
    assert ac.text("zh") == (
        "文件 m.csv，第 3 行，字段“电解交流电耗”：铝液交流电耗（电解交流电耗 × 1000 ÷ 产品产量）为 125,000,000 kWh/t，"
        "不在合理范围 11,000–16,000 kWh/t 内；请核对电量和产量的数值与单位（填写的是 999999999）"
    )
    assert "outside the plausible range 11,000–16,000 kWh/t" in ac.text("en")
    assert "exceeds the electricity the site had, 110,000 MWh" in errors[1].text("en")
    assert versions(province) == 0  # nothing written, not even the plausible month


def test_the_absurd_month_is_refused_from_the_form_and_as_a_correction(province: str) -> None:
    values = {"output_t": "8000", "grid_electricity_mwh": "110000", "electrolysis_ac_mwh": "999999999"}
    with pytest.raises(ValidationFailed) as caught, db.transaction(province) as session:
        intake.save_month(session, enterprise(province), "AL1", "2024-05", values)
    assert {(e.row, e.record, e.field, e.code) for e in caught.value.errors} == {
        (None, 1, "electrolysis_ac_mwh", "plausibility.ac_power_per_t"),
        (None, 1, "electrolysis_ac_mwh", "plausibility.electricity_balance"),
    }
    run(province, HEADER + PLAUSIBLE.format(period="2024-05"), submit=True)
    with pytest.raises(ValidationFailed) as caught, db.transaction(province) as session:
        intake.correct(session, enterprise(province), "AL1", "2024-05", "meter", values=values)
    assert {e.code for e in caught.value.errors} == {
        "plausibility.ac_power_per_t",
        "plausibility.electricity_balance",
    }
    assert versions(province) == 1


def test_a_warning_month_is_a_held_draft_until_explained_then_submitted(province: str) -> None:
    report = run(province, HEADER + HIGH.format(explanation=""), submit=True)
    assert report.versions == [("AL1", "2024-05", 1)] and report.not_submitted == [("AL1", "2024-05", 1)]
    ((code, period, number, flags),) = report.flagged
    assert (code, period, number) == ("AL1", "2024-05", 1)
    assert flags == [
        {
            "rule": "ac_power_per_t",
            "code": "plausibility.ac_power_per_t",
            "severity": "warning",
            "field": "electrolysis_ac_mwh",
            "params": {"figure": 14500, "low": 12500, "high": 14000, "range": "12,500–14,000", "unit": "kWh/t"},
        }
    ]
    version, held = latest(province)
    assert version.status == "draft" and version.flags == flags and held is True

    with pytest.raises(InputError) as caught, db.transaction(province) as session:
        workflow.step(session, enterprise(province), [("AL1", "2024-05")], "submitted")
    refusal = caught.value
    assert refusal.code == "plausibility.unexplained" and refusal.field == "explanation"
    assert "须填写情况说明后才能报送" in refusal.text("zh") and "14,500 kWh/t" in refusal.text("zh")
    assert "12,500–14,000" in refusal.text("en")
    assert latest(province)[0].status == "draft"

    explained = run(province, HEADER + HIGH.format(explanation="新槽启动，电耗偏高"))
    assert explained.versions == [("AL1", "2024-05", 2)] and explained.flagged[0][3] == flags
    with db.transaction(province) as session:
        workflow.step(session, enterprise(province), [("AL1", "2024-05")], "submitted")
    version, held = latest(province)
    assert (version.version, version.status, version.record["explanation"]) == (2, "submitted", "新槽启动，电耗偏高")
    assert held is True  # explained, not resolved: kept out of regulators' totals until verified


def test_an_explained_month_is_submitted_in_the_same_import(province: str) -> None:
    report = run(province, HEADER + HIGH.format(explanation="槽大修后启动"), submit=True)
    assert report.not_submitted == [] and len(report.flagged) == 1
    assert latest(province)[0].status == "submitted"


def test_a_plausible_month_has_no_flags_and_is_not_held(province: str) -> None:
    report = run(province, HEADER + PLAUSIBLE.format(period="2024-05"), submit=True)
    assert report.flagged == [] and report.not_submitted == []
    version, held = latest(province)
    assert version.status == "submitted" and version.flags is None and held is False


def test_a_jump_is_measured_against_the_stored_month_before(province: str) -> None:
    run(province, HEADER + PLAUSIBLE.format(period="2024-04"))
    jump = "AL1,electrolytic_aluminium,shaanxi,2024-05,16000,224000,208000,\n"  # output +60 %
    report = run(province, HEADER + jump)
    ((_c, _p, _v, flags),) = report.flagged
    assert [(f["rule"], f["params"]["previous_period"], f["params"]["change"]) for f in flags] == [
        ("output_month", "2024-04", 60.0)
    ]


def test_an_explanation_longer_than_its_limit_is_refused(province: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        run(province, HEADER + HIGH.format(explanation="很" * 2001))
    ((error),) = caught.value.errors
    assert (error.row, error.field, error.code, error.params) == (
        2,
        "explanation",
        "limits.too_long",
        {"limit": 2000, "length": 2001},
    )


def test_coded_fields_are_refused_with_the_allowed_codes(province: str) -> None:
    content = (
        "facility_id,sector,region,period,output_t,grid_electricity_mwh,technology,method,metering\n"
        "AL1,electrolytic_aluminium,shaanxi,2024-05,10000,140000,prebaked,cn-nonferrous-2015,guess\n"
    )
    with pytest.raises(ValidationFailed) as caught:
        run(province, content)
    errors = {e.field: e for e in caught.value.errors}
    assert {(f, e.code, e.value) for f, e in errors.items()} == {
        ("technology", "intake.not_a_choice", "prebaked"),
        ("method", "intake.not_a_choice", "cn-nonferrous-2015"),
        ("metering", "intake.not_a_choice", "guess"),
    }
    assert "PFPB_M（点式下料预焙槽（现代））" in errors["technology"].text("zh")
    assert "cn-al-2024 (Aluminium smelting, MEE 2024 guideline)" in errors["method"].text("en")
    assert "meter (meter readings), estimate (estimate)" in errors["metering"].text("en")
    assert versions(province) == 0


def test_the_command_line_refuses_the_absurd_month_and_names_the_warnings(sqlite_province: str, tmp_path) -> None:
    from typer.testing import CliRunner

    from carbonpeak.cli import app

    def cli(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(app, list(args), env={"COLUMNS": "240"})
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        return result.exit_code, result.output

    absurd = tmp_path / "absurd.csv"
    absurd.write_text(HEADER + ABSURD, encoding="utf-8")
    code, out = cli("import", str(absurd), "--db", sqlite_province, "--actor", "enterprise:E1")
    assert code == 2 and "Traceback" not in out
    assert "第 2 行，字段“电解交流电耗”：铝液交流电耗（电解交流电耗 × 1000 ÷ 产品产量）为 125,000,000 kWh/t" in out
    assert "未写入任何内容" in out and versions(sqlite_province) == 0

    high = tmp_path / "high.csv"
    high.write_text(HEADER + HIGH.format(explanation=""), encoding="utf-8")
    code, out = cli("import", str(high), "--submit", "--db", sqlite_province, "--actor", "enterprise:E1")
    assert code == 0, out
    assert "AL1 2024-05 已保存，有合理性预警：" in out and "14,500 kWh/t" in out
    assert "已保存为草稿但未报送：AL1@2024-05" in out
    code, out = cli("submissions", "submit", "AL1", "2024-05", "--db", sqlite_province, "--actor", "enterprise:E1")
    assert code == 2 and "须填写情况说明后才能报送" in out
