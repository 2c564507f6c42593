"""The pure rules of keeping project records (carbonpeak.projects.records), without a database: what a list of
projects registers, why a correction or a facility link is refused; and every error of the projects code is
coded, with its texts in zh and en from the message catalog."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from carbonpeak import messages
from carbonpeak.errors import InputError
from carbonpeak.projects.model import _UNIT_KIND, parse_project
from carbonpeak.projects.records import (
    StoredVersion,
    canonical_record,
    check_filters,
    correction_problems,
    digest,
    link_problems,
    plan_registration,
)

ROOT = Path(__file__).resolve().parents[2]
# Everything of the projects that raises errors a person reads: the rules, the use cases, the store, the CLI.
PROJECT_CODE = [
    *sorted((ROOT / "carbonpeak" / "projects").glob("*.py")),
    ROOT / "carbonpeak" / "services" / "projects.py",
    ROOT / "carbonpeak" / "store" / "projects.py",
    ROOT / "carbonpeak" / "cli" / "projects.py",
]


def record(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "P-1",
        "name_zh": "测试项目",
        "name_en": "test project",
        "enterprise": "测试铝业",
        "kind": "new",
        "sector": "electrolytic_aluminium",
        "product": "electrolytic_aluminium",
        "capacity_t_per_a": 100_000,
        "net_new_capacity_t_per_a": 100_000,
        "site": {"province": "shaanxi", "city": "测试市"},
        "in_key_air_pollution_area": False,
        "designed_unit_consumption": {"ac_power_liquid_aluminium": {"value": 12_900, "unit": "kWh/t"}},
        "energy_sources": ["grid"],
        "new_captive_coal_plant": False,
        "replacement_capacity_t_per_a": 100_000,
        "replacement_sources": [{"facility": "old line", "province": "henan", "capacity_t_per_a": 100_000}],
        "energy_review_status": "approved",
        "eia_status": "approved",
        "planned_start": "2023-01-01",
    }
    data.update(changes)
    return data


def stored(project: Any, version: int = 1) -> StoredVersion:
    return StoredVersion(version, digest(canonical_record(project)))


def test_the_digest_is_of_the_canonical_record() -> None:
    one = parse_project(record())
    again = parse_project(record(site={"city": "测试市", "province": "shaanxi"}))  # keys in another order
    assert digest(canonical_record(one)) == digest(canonical_record(again))
    assert digest(canonical_record(one)) != digest(canonical_record(parse_project(record(name_en="other"))))
    assert parse_project(canonical_record(one)) == one  # read back, the same record


def test_a_plan_registers_new_projects_leaves_identical_ones_and_refuses_changed_ones() -> None:
    same, changed = parse_project(record(id="P-SAME")), parse_project(record(id="P-CHANGED"))
    new = parse_project(record(id="P-NEW"))
    long = parse_project(record(id="P-LONG", name_en="x" * 301))
    plan = plan_registration(
        [same, changed, new, new, long],
        {"P-SAME": stored(same, 3), "P-CHANGED": stored(parse_project(record(id="P-CHANGED", name_en="was")), 2)},
        file="projects.yaml",
    )
    assert [p.id for p, _record, _sha in plan.new] == ["P-NEW", "P-LONG"]
    assert plan.unchanged == {"P-SAME": 3}
    found = {(e.record, e.field, e.code) for e in plan.problems}
    assert found == {
        ("P-CHANGED", "id", "projects.already_registered"),
        ("P-NEW", "id", "projects.id_twice"),
        ("P-LONG", "name_en", "projects.too_long"),
    }
    refused = next(e for e in plan.problems if e.code == "projects.already_registered")
    assert refused.text("zh") == (
        "文件 projects.yaml，记录 P-CHANGED，字段“id”：已登记（第 2 版）且内容不同：请通过更正修改"
        "（填写的是 P-CHANGED）；应为 带原因的更正（页面上的“更正”，或 carbonpeak projects correct P-CHANGED 文件 "
        "--reason '…'）"
    )
    assert "carbonpeak projects correct P-CHANGED FILE" in str(refused)
    too_long = next(e for e in plan.problems if e.code == "projects.too_long")
    assert too_long.text("en").endswith("too long to store; expected at most 300 characters")


def test_why_a_correction_is_refused() -> None:
    current = parse_project(record())
    at = stored(current, 4)
    assert [e.code for e in correction_problems("P-1", current, "again", at)] == ["projects.identical"]
    (identical,) = correction_problems("P-1", current, "again", at)
    assert identical.message_text("zh") == "与第 4 版相同，无需更正"
    other = parse_project(record(id="P-2", name_en="new name"))
    assert [(e.field, e.code) for e in correction_problems("P-1", other, " ", at)] == [
        ("reason", "projects.correction_needs_reason"),
        ("id", "projects.other_id"),
    ]
    assert [e.code for e in correction_problems("P-1", None, "", at)] == ["projects.correction_needs_reason"]
    assert correction_problems("P-1", parse_project(record(name_en="new name")), "renamed", at) == []


def test_why_a_facility_may_not_measure_a_project() -> None:
    where = {"sector": "electrolytic_aluminium", "province": "shaanxi", "facility": "CU1"}
    (sector,) = link_problems("P-1", **where, facility_sector="copper", facility_province="shaanxi")
    assert sector.code == "projects.facility_other_sector"
    assert sector.message_text("zh") == "设施 CU1 属于铜冶炼行业；项目属于电解铝行业"
    assert sector.message_text("en") == "facility CU1 is of sector copper; the project is electrolytic_aluminium"
    (province,) = link_problems(
        "P-1", **where | {"facility": "AL9"}, facility_sector="electrolytic_aluminium", facility_province="gansu"
    )
    assert province.message_text("zh") == "设施 AL9 位于甘肃；项目建设地点位于陕西"
    assert link_problems("P-1", **where, facility_sector="electrolytic_aluminium", facility_province=None) == []


def test_the_list_filters_are_checked() -> None:
    check_filters("built", "none")
    with pytest.raises(InputError) as caught:
        check_filters("demolished", None)
    assert caught.value.code == "projects.unknown_status" and caught.value.field == "status"
    assert caught.value.message_text("zh") == "未知状态；应为：planned、built"
    with pytest.raises(InputError) as caught:
        check_filters(None, "maybe")
    assert caught.value.code == "projects.unknown_classification"


def test_the_model_says_what_is_wrong_in_both_languages() -> None:
    with pytest.raises(InputError) as caught:
        parse_project(record(kind="retrofit"))
    error = caught.value
    assert (error.field, error.code) == ("net_new_capacity_t_per_a", "projects.retrofit_adds_capacity")
    assert error.text("zh").endswith("技术改造项目不新增产能（填写的是 100000）；应为 技术改造项目为 0")
    assert error.text("en").endswith("a retrofit adds no capacity (got 100000); expected 0 for a retrofit")
    with pytest.raises(InputError) as caught:
        parse_project(
            record(designed_unit_consumption={"ac_power_liquid_aluminium": {"value": 12.9, "unit": "kgce/t"}})
        )
    assert caught.value.code == "projects.unit_kind"
    assert caught.value.text("zh").endswith("应为 每吨电耗：kWh/t、MWh/t 或 万kWh/t")
    with pytest.raises(InputError) as caught:
        parse_project(record(designed_unit_consumption={"ac_power_liquid_aluminium": {"value": 129, "unit": "MWh/t"}}))
    assert caught.value.message_text("zh") == "超出电解铝的合理范围（折合 129,000.0 kWh/t）（合理性检查，非官方数值）"


def _uncoded(path: Path) -> list[str]:
    """Errors raised with an English text instead of a code, and codes of FieldProblem (the model's checks)
    missing from the message catalog."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        where = f"{path.relative_to(ROOT)}:{node.lineno}"
        name = getattr(node.func, "id", getattr(node.func, "attr", ""))
        first = node.args[0] if node.args else None
        if name == "FieldProblem":
            if not (isinstance(first, ast.Constant) and messages.known(str(first.value))):
                found.append(where)
        elif name in ("InputError", "UnitError", "NotFound", "ValueError"):
            coded = any(k.arg in ("code", None) for k in node.keywords)  # None: **params, which may carry it
            if isinstance(first, ast.Constant | ast.JoinedStr) or (first is None and not coded):
                found.append(where)
    return found


def test_every_error_of_the_projects_code_is_coded() -> None:
    assert all(path.exists() for path in PROJECT_CODE)
    offences = [where for path in PROJECT_CODE for where in _uncoded(path)]
    assert offences == [], "raise these with code= and a text in carbonpeak/messages/projects.yaml"
    assert all(messages.known(code) for code in _UNIT_KIND.values())
