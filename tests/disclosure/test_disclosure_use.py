"""Disclosure's use cases on the demo province (a module's own copy): the two sections' figures checked by
hand against the stored results, provisional while months are unverified, the allowance statement (and
its absence), regeneration to the same bytes, publishing and the public page (only what was published),
the deadline list's states, and access (the enterprise its own, regulators their region)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import select, text, update

from carbonpeak.errors import AccessDenied, Conflict, InputError, NotFound, ValidationFailed
from carbonpeak.services import access
from carbonpeak.services import disclosure as use
from carbonpeak.services import disclosure_deadlines as board_use
from carbonpeak.services import disclosure_public as public_use
from carbonpeak.services import reports as report_use
from carbonpeak.services.access import Principal
from carbonpeak.services.reports_monitoring import Asked
from carbonpeak.store import db
from carbonpeak.store.models import Enterprise, Region
from carbonpeak.store.reports.models import Report

AS_OF = dt.date(2026, 3, 10)
ADMIN = access.operator("cli:test")


def person(session: Any, role: str, *, enterprise: str | None = None, region: str | None = None) -> Principal:
    ent = session.scalar(select(Enterprise).where(Enterprise.code == enterprise)) if enterprise else None
    reg = session.scalar(select(Region).where(Region.code == region)) if region else None
    return Principal(
        user_id=99,
        username=f"t-{role}",
        display_name=role,
        role=role,
        region_id=reg.id if reg else None,
        enterprise_id=ent.id if ent else None,
        region_ids=access.subtree(session, reg.id) if reg else frozenset(),
        enterprise_ids=frozenset({ent.id}) if ent else frozenset(),
    )


def make(session: Any, who: Principal, kind: str, enterprise: str = "E02", year: str = "2025") -> report_use.Summary:
    asked = Asked(kind=kind, region="", period=year, as_of=AS_OF, enterprise=enterprise)
    return report_use.make(session, who, asked)


def stored_sums(session: Any, enterprise: str, year: int) -> dict[str, float]:
    """By hand from the store: each month's latest verified/locked version of the enterprise's facilities,
    its latest result (the facts table's), the columns summed; the result parts from the results' JSON."""
    rows = session.execute(
        text(
            """
            select f.direct_tco2e, f.total_location_tco2e, f.total_market_tco2e, r."values"
            from fact f join facility fa on fa.id = f.facility_id join enterprise e on e.id = fa.enterprise_id
            join result r on r.id = f.result_id
            where e.code = :code and substr(f.period, 1, 4) = :year and f.status in ('verified', 'locked')
              and f.version = (select max(g.version) from fact g where g.submission_id = f.submission_id
                               and g.status in ('verified', 'locked'))
            """
        ),
        {"code": enterprise, "year": str(year)},
    ).all()
    out = {"direct": 0.0, "location": 0.0, "market": 0.0, "months": float(len(rows))}
    for key in ("fuel_tco2", "process_tco2", "pfc_tco2e", "electricity_location_tco2", "heat_tco2"):
        out[key] = 0.0
    for direct, location, market, values in rows:
        out["direct"] += direct
        out["location"] += location
        out["market"] += market
        parts = values if isinstance(values, dict) else json.loads(values)
        for key in ("fuel_tco2", "process_tco2", "pfc_tco2e", "electricity_location_tco2", "heat_tco2"):
            out[key] += float(parts.get(key) or 0.0)
    return out


def table(report_id: int, session: Any, figure: str) -> dict[str, list[float | None]]:
    row = session.get(Report, report_id)
    for section in row.document["sections"]:
        for block in section["blocks"]:
            if block.get("type") == "table" and block["figure"] == figure:
                return {r[0][0]: [c[1] for c in r[1:]] for r in block["rows"]}
    raise AssertionError(figure)


@pytest.fixture(scope="module")
def url(demo_sqlite_url: str) -> str:
    db.upgrade(demo_sqlite_url)
    return demo_sqlite_url


def test_mee_figures_are_the_stored_results(url: str) -> None:
    with db.transaction(url) as session:
        made = make(session, ADMIN, "disclosure_mee")
        f1 = table(made.id, session, "F1")
        for year, column in ((2025, 0), (2024, 1)):
            hand = stored_sums(session, "E02", year)
            assert f1["范围一：直接排放（化石燃料燃烧、工业过程、全氟化碳）"][column] == pytest.approx(hand["direct"])
            assert f1["范围一与范围二合计（基于位置）"][column] == pytest.approx(hand["location"])
            assert f1["范围一与范围二合计（基于市场）"][column] == pytest.approx(hand["market"])
            scope2 = f1["范围二：外购电力、热力间接排放（基于位置）"][column]
            assert scope2 == pytest.approx(hand["location"] - hand["direct"])
            assert f1["计入的设施月数"][column] == hand["months"]
        assert made.provisional  # the demo's 2025 has months submitted, not yet verified
        f2 = table(made.id, session, "F2")
        assert any("AL03" in name for name in f2)
        assert sum(v[4] or 0.0 for v in f2.values()) == pytest.approx(stored_sums(session, "E02", 2025)["direct"])
        document = session.get(Report, made.id).document
        words = json.dumps(document, ensure_ascii=False)
        assert "CETS-AG-04.01-V01-2024" in words  # the aluminium facilities' method and its clause
        assert "未填报" in words  # no allowance statement yet: said, not invented


def test_climate_sources_add_up_to_the_scopes(url: str) -> None:
    with db.transaction(url) as session:
        made = make(session, ADMIN, "disclosure_climate")
        f1, f3 = table(made.id, session, "F1"), table(made.id, session, "F3")
        hand = stored_sums(session, "E02", 2025)
        assert f3["化石燃料燃烧"][1] == pytest.approx(hand["fuel_tco2"])
        assert f3["外购电力（基于位置）"][1] == pytest.approx(hand["electricity_location_tco2"])
        scope1 = (
            f3["化石燃料燃烧"][1]
            + f3["工业过程（阳极消耗、碳酸盐分解等）"][1]
            + f3["工业过程：全氟化碳（CF4、C2F6，以CO2e计）"][1]
        )
        assert scope1 == pytest.approx(hand["direct"])
        assert f3["外购电力（基于位置）"][1] + f3["外购热力（含蒸汽）"][1] == pytest.approx(
            hand["location"] - hand["direct"]
        )
        before = stored_sums(session, "E02", 2024)
        reduction = f1["范围一：直接排放（化石燃料燃烧、工业过程、全氟化碳）"][2]
        assert reduction == pytest.approx(before["direct"] - hand["direct"])
        check = report_use.regenerate(session, ADMIN, made.id)
        assert check.reproduced and not check.data_changed


def test_allowance_statement_versions_and_bad_input(url: str) -> None:
    with db.transaction(url) as session:
        e02 = person(session, access.ENTERPRISE, enterprise="E02")
        with pytest.raises(ValidationFailed) as caught:
            use.record_allowance(session, e02, "E02", "20x5", "done", "-3")
        assert {e.code for e in caught.value.errors} == {
            "disclosure.bad_year",
            "disclosure.bad_status",
            "disclosure.bad_quantity",
        }
        first = use.record_allowance(session, e02, "E02", 2025, "partly", "1000", "first")
        second = use.record_allowance(session, e02, "E02", 2025, "completed", 1200.5)
        assert (first.version, second.version) == (1, 2)
        made = make(session, e02, "disclosure_mee")
        f3 = table(made.id, session, "F3")
        assert f3["清缴配额量（吨CO2e）"][0] == 1200.5 and f3["配额清缴状态"] == [None]
        with pytest.raises(NotFound):  # another enterprise's: not found, nothing revealed
            use.record_allowance(session, e02, "E05", 2025, "completed")
        city = person(session, access.CITY, region="demo-d")
        with pytest.raises(AccessDenied):  # a regulator does not state an enterprise's surrender
            use.record_allowance(session, city, "E02", 2025, "completed")


def test_publish_shows_only_the_published_on_the_public_page(url: str) -> None:
    with db.transaction(url) as session:
        e02 = person(session, access.ENTERPRISE, enterprise="E02")
        with pytest.raises(NotFound) as nothing:
            public_use.page(session, "E02")  # made, not published: the public page has nothing
        mee = make(session, e02, "disclosure_mee")
        hidden = make(session, e02, "disclosure_climate")  # made, never published
        city = person(session, access.CITY, region="demo-d")
        with pytest.raises(AccessDenied):  # the regulator reads but does not file the enterprise's report
            use.publish(session, city, mee.id)
        published = use.publish(session, e02, mee.id)
        assert published.locked
        with pytest.raises(Conflict):
            use.publish(session, e02, mee.id)
        page = public_use.page(session, "E02")
        assert [r.id for r in page.reports] == [mee.id]
        assert hidden.id not in {r.id for r in page.reports}
        assert page.reports[0].figures[0].label.startswith("范围一")
        _name, media, data = public_use.pdf(session, "E02", mee.id)
        assert media == "application/pdf" and data.startswith(b"%PDF")
        with pytest.raises(NotFound):
            public_use.pdf(session, "E02", hidden.id)  # unpublished: not found
        with pytest.raises(NotFound):
            public_use.pdf(session, "E01", mee.id)  # not that enterprise's
        with pytest.raises(NotFound) as unknown:
            public_use.page(session, "NOPE")
        assert unknown.value.code == nothing.value.code == "disclosure.not_found"
        with pytest.raises(NotFound):
            public_use.page(session, "E01")  # an enterprise with nothing published: the same answer


def test_publishing_a_regulators_report_is_refused(url: str) -> None:
    with db.transaction(url) as session:
        monthly = report_use.make(
            session, ADMIN, Asked(kind="carbon_peak_yearly", region="demo-d", period="2024", as_of=AS_OF, draws=50)
        )
        with pytest.raises(InputError) as caught:
            use.publish(session, ADMIN, monthly.id)
        assert caught.value.code == "disclosure.not_disclosure"
        session.rollback()


def test_deadline_list_states_and_access(url: str) -> None:
    with db.transaction(url) as session:
        e02 = person(session, access.ENTERPRISE, enterprise="E02")
        province = person(session, access.PROVINCE, region="demo")
        board = board_use.board(session, province, 2025, dt.date(2026, 12, 7))
        rows = {r.enterprise: r for r in board.rows}
        assert {"E01", "E02", "E03", "E04"} <= set(rows)  # the electrolytic-aluminium enterprises
        assert "E05" not in rows  # alumina: not a carbon-market sector, not flagged
        assert rows["E01"].state == "overdue" and board.due == dt.date(2026, 3, 15)
        # E02 published above (today, after 15 March 2026): late; dated 10 March instead: on time
        assert rows["E02"].state == "late"
        session.execute(
            update(Report)
            .where(Report.enterprise_code == "E02", Report.status == "signed")
            .values(signed_at=dt.datetime(2026, 3, 10, 2, tzinfo=dt.UTC))
        )
        rows = {r.enterprise: r for r in board_use.board(session, province, 2025, dt.date(2026, 12, 7)).rows}
        assert rows["E02"].state == "on_time" and rows["E02"].published_on == dt.date(2026, 3, 10)
        assert {r.state for r in board_use.board(session, province, 2026, dt.date(2026, 12, 7)).rows} == {"not_yet"}
        # a flag adds an enterprise outside the sectors; withdrawing it takes it off again
        use.flag(session, province, "E05", True, "重点排污单位")
        assert "E05" in {r.enterprise for r in board_use.board(session, province, 2025, dt.date(2026, 12, 7)).rows}
        use.flag(session, province, "E05", False, "撤销")
        assert "E05" not in {r.enterprise for r in board_use.board(session, province, 2025, dt.date(2026, 12, 7)).rows}
        with pytest.raises(InputError):
            use.flag(session, province, "E05", True, "  ")
        # the city regulator of demo-d sees its region's only (E02, E04 are in demo-d-1)
        city = person(session, access.CITY, region="demo-d")
        seen = {r.enterprise for r in board_use.board(session, city, 2025, dt.date(2026, 12, 7)).rows}
        assert {"E02", "E04"} <= seen and not seen & {"E01", "E03"}
        with pytest.raises(NotFound):
            use.flag(session, city, "E01", True, "not mine")  # outside the region: not found
        with pytest.raises(AccessDenied):
            board_use.board(session, e02, 2025, dt.date(2026, 12, 7))  # an enterprise has no deadline list
        own = use.own(session, e02, "E02", 2025, dt.date(2026, 12, 7))
        assert own.due == dt.date(2026, 3, 15) and own.state == "on_time"
        with pytest.raises(NotFound):
            use.own(session, e02, "E05", 2025, dt.date(2026, 12, 7))
        verifier = person(session, access.VERIFIER, enterprise="E02")
        with pytest.raises(AccessDenied):
            use.own(session, verifier, "E02", 2025, dt.date(2026, 12, 7))
        assert board_use.temporary_due(dt.date(2026, 3, 13)) == dt.date(2026, 3, 20)
