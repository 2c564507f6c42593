"""The energy-utilisation report's use cases on the demo province: E02's 2025 report is pre-filled from its
ledger (the carriers' tce agree with the accounting engine's stored results), completed, filed, returned with
a reason, corrected as a new version, accepted and then locked; the history is kept; people outside the scope
are refused without learning anything."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from carbonpeak.errors import AccessDenied, Conflict, InputError, NotFound, ValidationFailed
from carbonpeak.services import access
from carbonpeak.services import energy_report as use
from carbonpeak.services.access import Principal
from carbonpeak.store import db
from carbonpeak.store.models import AuditEvent, Enterprise, Facility, Fact
from carbonpeak.store.repository import counted_versions

GOOD = {
    "t5": [{"factors": "电解槽大修，产量下降"}],
    "t7": [{"evaluation": "完成年度节能目标"}],
    "t8": [{"name": "350kA电解槽", "quantity": "288"}],
}


def person(url: str, role: str, enterprise: str | None = None, region: str | None = None) -> Principal:
    with db.transaction(url, mode="read") as s:
        ent = s.scalar(select(Enterprise).where(Enterprise.code == enterprise)) if enterprise else None
        regions = access.subtree(s, ent.region_id) if region == "own" and ent else frozenset()
    ids = frozenset({ent.id}) if ent and role in (access.ENTERPRISE, access.VERIFIER) else frozenset()
    return Principal(1, role, role, role, None, ent.id if role == access.ENTERPRISE and ent else None, regions, ids)


def test_e02_opens_its_2025_report_prefilled_from_the_ledger(demo_sqlite_url: str) -> None:
    who = person(demo_sqlite_url, access.ENTERPRISE, "E02")
    with db.transaction(demo_sqlite_url, mode="read") as s:
        opened = use.open_report(s, who, "E02", 2025)
        facilities = [f.code for f in s.scalars(select(Facility).join(Enterprise).where(Enterprise.code == "E02"))]
        counted = [v for v in counted_versions(s, facility_codes=facilities) if v.record["period"].startswith("2025")]
        facts = {f.version_id: f for f in s.scalars(select(Fact).where(Fact.version_id.in_([v.id for v in counted])))}
        results_sum = sum(facts[v.id].energy_tce or 0.0 for v in counted)
        diesel = sum(line["amount"] for v in counted for line in v.record.get("fuels", []) if line["fuel"] == "diesel")
    f = opened.figures
    assert opened.status == "none" and opened.deadline.state == "not_configured"
    assert f.total_tce == pytest.approx(results_sum)  # the engine's stored results, verified months
    assert f.carriers_tce == pytest.approx(f.total_tce, rel=1e-9)  # converted by carrier, the same total
    assert {c.carrier: c.amount for c in f.carriers}["diesel"] == pytest.approx(diesel)
    assert f.key_unit.status == "key" and f.total_tce > 10000
    assert f.previous_total_tce is not None and f.products and f.provisional  # Oct–Dec not yet verified


def test_complete_file_return_correct_accept_lock(demo_sqlite_url: str) -> None:
    ent = person(demo_sqlite_url, access.ENTERPRISE, "E02")
    city = person(demo_sqlite_url, access.CITY, "E02", region="own")
    with db.transaction(demo_sqlite_url) as s:
        with pytest.raises(ValidationFailed) as bad:
            use.save(s, ent, "E02", 2025, {"t8": [{"name": "槽", "quantity": "-3"}, {"name": "x", "quantity": "abc"}]})
        texts = [e.text("zh") for e in bad.value.errors]
        assert texts == [
            "表8 主要耗能设备状况 第 1 行“数量（台/套）”：不能小于 0，填写的是 -3",
            "表8 主要耗能设备状况 第 2 行“数量（台/套）”：应为数字，填写的是“abc”",
        ]
        assert "row 2, quantity (units): expected a number" in bad.value.errors[1].text("en")
        with pytest.raises(ValidationFailed) as incomplete:
            use.submit(s, ent, "E02", 2025, {"t8": GOOD["t8"]})
        assert [e.params["table"].text("zh") for e in incomplete.value.errors] == [
            "表5 影响单位产品(产值)能耗变化因素说明",
            "表7 节能目标责任自评价考核",
        ]
        assert use.save(s, ent, "E02", 2025, {"t5": GOOD["t5"]}).version == 1
        filed = use.submit(s, ent, "E02", 2025, GOOD)
        assert (filed.version, filed.status) == (2, "submitted") and filed.figures_sha256
        with pytest.raises(Conflict):
            use.save(s, ent, "E02", 2025, GOOD)  # under review
        with pytest.raises(AccessDenied):
            use.review(s, ent, "E02", 2025, "accept")  # an enterprise does not review
        with pytest.raises(InputError):
            use.review(s, city, "E02", 2025, "return", "  ")  # a return needs its reason
        assert use.review(s, city, "E02", 2025, "return", "表8 请补充整流机组").status == "returned"
        corrected = use.submit(s, ent, "E02", 2025, {**GOOD, "t8": [*GOOD["t8"], {"name": "整流机组", "quantity": 4}]})
        assert corrected.version == 3
        assert use.review(s, city, "E02", 2025, "accept").status == "accepted"
        with pytest.raises(Conflict) as locked:
            use.save(s, ent, "E02", 2025, GOOD)
        assert locked.value.code == "energy_report.locked"
        opened = use.open_report(s, city, "E02", 2025)
        assert [(v.version, v.status) for v in opened.history] == [(1, "draft"), (2, "returned"), (3, "accepted")]
        assert opened.history[1].reason == "表8 请补充整流机组" and opened.locked
        assert opened.entries["t8"][1] == {"name": "整流机组", "quantity": 4}
        actions = [a for (a,) in s.execute(select(AuditEvent.action).where(AuditEvent.entity == "energy_report"))]
        assert actions == ["save", "save", "submit", "return", "save", "submit", "accept"]


def test_outside_the_scope_nothing_is_revealed(demo_sqlite_url: str) -> None:
    other = person(demo_sqlite_url, access.ENTERPRISE, "E01")
    verifier = person(demo_sqlite_url, access.VERIFIER, "E02")
    with db.transaction(demo_sqlite_url, mode="read") as s:
        for code in ("E02", "NOPE"):  # another's and one that does not exist: the same answer
            with pytest.raises(NotFound) as refused:
                use.open_report(s, other, code, 2025)
            assert refused.value.code == "energy_report.not_found"
        assert use.open_report(s, verifier, "E02", 2025).figures.total_tce > 0  # an assigned verifier reads
        with pytest.raises(AccessDenied):
            use.save(s, verifier, "E02", 2025, GOOD)  # 403 before any lookup
        with pytest.raises(AccessDenied):
            use.save(s, verifier, "NOPE", 2025, GOOD)
        with pytest.raises(InputError):
            use.open_report(s, verifier, "E02", "20x5")


def test_entries_from_a_csv_file() -> None:
    good = "表,行,字段,内容\n表8,1,设备名称,电解槽\nt8,1,quantity,288\nt5,1,factors,产量下降\n".encode("gbk")
    assert use.entries_from_csv(good) == {
        "t8": [{"name": "电解槽", "quantity": "288"}],
        "t5": [{"factors": "产量下降"}],
    }
    with pytest.raises(ValidationFailed) as bad:
        use.entries_from_csv(b"table,row,field,value\nt99,1,x,1\nt8,0,name,x\nt8,1,colour,red\n")
    assert [(e.code, e.params["line"]) for e in bad.value.errors] == [
        ("energy_report.csv.unknown_table", 2),
        ("energy_report.csv.unknown_row", 3),
        ("energy_report.csv.unknown_field", 4),
    ]
    with pytest.raises(InputError) as columns:
        use.entries_from_csv(b"a,b\n1,2\n")
    assert columns.value.code == "energy_report.csv.columns"
