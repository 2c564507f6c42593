"""The capacity ledger on SQLite and PostgreSQL: approved capacity over time, replacements (one source in
another province), the ledger per province and sector, the must-exit list, the national ceiling, bad
events, and the CLI (on a small registry and on the demo province).

Every expected number is computed here from the events and months the test writes (or, for the demo,
from the demo module's own data).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import typer
from sqlalchemy import select
from typer.testing import CliRunner

from carbonpeak.capacity import events as ce
from carbonpeak.capacity import ledger as cl
from carbonpeak.cli import capacity as cli_capacity
from carbonpeak.cli import submissions as cli_store
from carbonpeak.errors import InputError
from carbonpeak.parameters import load
from carbonpeak.services import access
from carbonpeak.services import capacity as use
from carbonpeak.store import capacity as ledger
from carbonpeak.store import db
from carbonpeak.store import repository as repo
from carbonpeak.store.models import AuditEvent

ACTOR = "regulator:R1"
OPERATOR = access.operator(ACTOR)
D = dt.date


# ---------------------------------------------------------------- helpers


def add_facility(url: str, code: str, sector: str, capacity: float, **extra: Any) -> None:
    with db.transaction(url) as session:
        repo.add_facility(
            session,
            {
                "code": code,
                "enterprise_code": "E1",
                "name_zh": code,
                "name_en": code,
                "region_code": "C1",
                "sector": sector,
                "capacity_t_per_a": capacity,
                **extra,
            },
            "test:setup",
        )


def event(url: str, **kwargs: Any) -> None:
    with db.transaction(url) as session:
        use.record_event(session, OPERATOR, **kwargs)


def verified_months(url: str, code: str, sector: str, months: list[str], record: dict[str, float]) -> None:
    """Verified submissions of ``record`` for each month (what the facts table counts)."""
    with db.transaction(url) as session:
        facility = repo.facilities_by_code(session, [code])[code]
        items = [
            (facility, p, {"facility_id": code, "sector": sector, "region": "shaanxi", "period": p, **record})
            for p in months
        ]
        versions = repo.save_versions(session, items, "enterprise:E1")
        repo.transition_many(session, versions, "submitted", "enterprise:E1")
        repo.transition_many(session, versions, "verified", "verifier:V1")


def approved_on(url: str, day: D) -> dict[str, float]:
    with db.transaction(url) as session:
        frame = cl.approved_capacity(ledger.events_frame(session), day)
    return dict(zip(frame["facility_code"], frame["approved_t_per_a"], strict=True))


MONTHS_2024 = [f"2024-{m:02d}" for m in range(1, 13)]


# ---------------------------------------------------------------- approved capacity over time


HISTORY = [  # (facility, kind, effective_on, capacity t/a)
    ("AL1", "approval", D(2010, 1, 1), 100_000.0),
    ("AL1", "expansion", D(2015, 6, 1), 50_000.0),
    ("AL1", "exit", D(2020, 12, 31), -30_000.0),
    ("AL2", "new_build", D(2018, 3, 1), 200_000.0),
    ("AL2", "exit", D(2022, 6, 30), -200_000.0),
]


def expected_from_history(day: D) -> dict[str, float]:
    out: dict[str, float] = {}
    for code, _kind, on, capacity in HISTORY:
        if on <= day:
            out[code] = out.get(code, 0.0) + capacity
    return out


def test_approved_capacity_over_time_pure() -> None:
    events = pd.DataFrame(
        [
            {
                "facility_code": code,
                "counterpart": None,
                "province": "P",
                "sector": "electrolytic_aluminium",
                "kind": kind,
                "effective_on": on,
                "capacity_t_per_a": capacity,
            }
            for code, kind, on, capacity in HISTORY
        ]
    )
    for day in (D(2009, 12, 31), D(2015, 5, 31), D(2015, 6, 1), D(2020, 12, 30), D(2020, 12, 31), D(2022, 6, 30)):
        frame = cl.approved_capacity(events, day)
        assert dict(zip(frame["facility_code"], frame["approved_t_per_a"], strict=True)) == expected_from_history(day)
    # the hand sums, written out once: 100 000 + 50 000 − 30 000; AL2 built and then exited
    assert expected_from_history(D(2021, 1, 1)) == {"AL1": 120_000.0, "AL2": 200_000.0}
    assert expected_from_history(D(2022, 6, 30)) == {"AL1": 120_000.0, "AL2": 0.0}
    row = cl.approved_capacity(events, D(2030, 1, 1)).set_index("facility_code").loc["AL1"]
    assert row["events"] == 3 and row["first_event_on"] == D(2010, 1, 1) and row["last_event_on"] == D(2020, 12, 31)


def test_approved_capacity_over_time_in_the_store(registry: str) -> None:
    add_facility(registry, "AL2", "electrolytic_aluminium", 200_000, commissioning_year=2018)
    for code, kind, on, capacity in HISTORY:
        event(registry, facility_code=code, kind=kind, effective_on=on, capacity_t_per_a=capacity, document="批复")
    for day in (D(2015, 5, 31), D(2015, 6, 1), D(2020, 12, 31), D(2022, 6, 29), D(2022, 6, 30)):
        assert approved_on(registry, day) == expected_from_history(day)
    with db.transaction(registry) as session:
        trail = repo.audit_trail(session, key_prefix="capacity:AL1")
        frame = ledger.history(session, "AL1")
    assert [(a.action, a.entity, a.actor) for a in trail] == [("create", "capacity_event", ACTOR)] * 3
    assert [a.after["capacity_t_per_a"] for a in trail] == [100_000.0, 50_000.0, -30_000.0]
    assert frame["approved_after_t_per_a"].tolist() == [100_000.0, 150_000.0, 120_000.0]
    assert frame["province"].tolist() == ["P"] * 3  # the registry's province, not given by the caller


# ---------------------------------------------------------------- replacements


def test_replacement_from_another_province_records_its_ratio(registry: str) -> None:
    add_facility(registry, "AL2", "electrolytic_aluminium", 100_000, commissioning_year=2000)
    event(registry, facility_code="AL1", kind="approval", effective_on="2015-01-01", capacity_t_per_a=200_000)
    event(registry, facility_code="AL2", kind="approval", effective_on="2000-01-01", capacity_t_per_a=100_000)
    sources = [("外省甲电解铝厂", "yunnan", "150 kt/a"), ("AL2", None, 100_000)]
    granted = 200_000.0
    with db.transaction(registry) as session:
        result = use.record_replacement(session, OPERATOR, "AL1", sources, granted, "2023-07-01", "某置换方案公告")
    retired = 150_000.0 + 100_000.0
    assert result.retired_t_per_a == retired and result.granted_t_per_a == granted
    assert result.ratio == pytest.approx(granted / retired)  # 0.8: recorded, not judged
    assert result.group == "RPL-AL1-2023-07-01"

    with db.transaction(registry) as session:
        events = ledger.events_frame(session)
        trail = repo.audit_trail(session, key_prefix=result.group)
    group = events[events["replacement_group"] == result.group].sort_values("id")
    assert group["kind"].tolist() == ["replacement_out", "replacement_out", "replacement_in"]
    assert group["capacity_t_per_a"].tolist() == [-150_000.0, -100_000.0, 200_000.0]
    assert group["province"].tolist() == ["yunnan", "P", "P"]
    assert group["counterpart"].tolist()[0] == "外省甲电解铝厂" and pd.isna(group["facility_code"].tolist()[0])
    assert group["replacement_ratio"].tolist() == pytest.approx([0.8] * 3)
    assert set(group["document"]) == {"某置换方案公告"}
    assert [a.action for a in trail] == ["replace"] and trail[0].after["replacement_ratio"] == pytest.approx(0.8)

    assert approved_on(registry, D(2023, 6, 30)) == {"AL1": 200_000.0, "AL2": 100_000.0}
    assert approved_on(registry, D(2023, 7, 1)) == {"AL1": 200_000.0 + granted, "AL2": 0.0}
    with db.transaction(registry) as session:
        outside = cl.approved_capacity(ledger.events_frame(session), D(2024, 1, 1), counterparts=True)
        destination = ledger.history(session, "AL1")
        source = ledger.history(session, "外省甲电解铝厂")
    counterpart = outside[outside["counterpart"] == "外省甲电解铝厂"].iloc[0]
    assert counterpart["province"] == "yunnan" and counterpart["approved_t_per_a"] == -150_000.0
    assert destination["replacement_partners"].tolist() == ["", "外省甲电解铝厂@yunnan -150,000, AL2 -100,000"]
    assert source["replacement_partners"].tolist() == ["AL2 -100,000, AL1 +200,000"]
    assert source["approved_after_t_per_a"].isna().all()  # a counterpart's approved capacity is unknown


def test_replacement_refuses_what_it_cannot_record(registry: str) -> None:
    add_facility(registry, "AL2", "electrolytic_aluminium", 100_000, commissioning_year=2000)
    event(registry, facility_code="AL1", kind="approval", effective_on="2015-01-01", capacity_t_per_a=200_000)
    cases = [
        ((("NOPE", None, 1000),), 1000, "sources[0].facility_code"),  # no province: must be a registry facility
        ((("外省乙厂", "gansu", 0),), 1000, "sources[0].capacity_t_per_a"),
        ((), 1000, "sources"),
        ((("外省乙厂", "gansu", 1000),), -5, "granted_capacity"),
        ((("CU1", None, 1000),), 1000, "sector"),  # copper capacity cannot become aluminium capacity
        ((("AL2", None, 1000),), 1000, "capacity_t_per_a"),  # AL2 has no approved capacity to give up
    ]
    for sources, granted, field in cases:
        with pytest.raises(InputError) as caught, db.transaction(registry) as session:
            use.record_replacement(session, OPERATOR, "AL1", list(sources), granted, "2023-07-01", None)
        assert caught.value.field == field, caught.value
    assert approved_on(registry, D(2030, 1, 1)) == {"AL1": 200_000.0}  # nothing of the failures was written


# ---------------------------------------------------------------- ledger per province and sector


def test_ledger_per_province_and_sector(registry: str) -> None:
    url = registry
    event(url, facility_code="AL1", kind="approval", effective_on="2010-01-01", capacity_t_per_a=250_000)
    event(url, facility_code="CU1", kind="approval", effective_on="2010-01-01", capacity_t_per_a=100_000)
    event(url, facility_code="CU1", kind="exit", effective_on="2024-06-30", capacity_t_per_a=-100_000)
    with db.transaction(url) as session:  # a source in another province stays out of the table
        use.record_replacement(session, OPERATOR, "AL1", [("外省丙厂", "yunnan", 40_000)], 30_000, "2024-03-01", None)
    verified_months(url, "AL1", "electrolytic_aluminium", MONTHS_2024, {"output_t": 15_000.0})
    verified_months(url, "CU1", "copper", MONTHS_2024[:6], {"output_t": 8_000.0})

    with db.transaction(url) as session:
        table = ledger.ledger(session, "2024-12-31").set_index("sector")
    assert table["province"].tolist() == ["P", "P"]
    aluminium, copper = table.loc["electrolytic_aluminium"], table.loc["copper"]
    # approved: 250 000 + 30 000 granted; operating: the registry's 200 000 (status operating, no year)
    assert aluminium["approved_t_per_a"] == 280_000.0 and aluminium["operating_t_per_a"] == 200_000.0
    assert aluminium["approved_minus_operating_t_per_a"] == 80_000.0
    assert aluminium["output_12m_t"] == 12 * 15_000.0 and aluminium["counted_facility_months"] == 12
    assert aluminium["utilisation_pct"] == pytest.approx(100 * 12 * 15_000 / 200_000)  # 90 %
    # CU1 retired 2024-06-30: approved and operating 0 at the end of the year; it operated on the first
    # day of January-June, so the mean operating capacity of the 12 months is 100 000 × 6/12
    assert copper["approved_t_per_a"] == 0.0 and copper["operating_t_per_a"] == 0.0
    assert copper["output_12m_t"] == 6 * 8_000.0 and copper["operating_facility_months"] == 6
    assert copper["mean_operating_t_per_a"] == pytest.approx(50_000.0)
    assert copper["utilisation_pct"] == pytest.approx(100 * 48_000 / 50_000)  # 96 %
    assert set(table["window"]) == {"2024-01..2024-12"}

    with db.transaction(url) as session:  # mid-month: the window ends with the month before
        june = ledger.ledger(session, "2024-06-15").set_index("sector")
    assert june.loc["copper", "window"] == "2023-06..2024-05"
    assert june.loc["copper", "approved_t_per_a"] == 100_000.0 and june.loc["copper", "operating_t_per_a"] == 100_000
    assert june.loc["copper", "output_12m_t"] == 5 * 8_000.0  # January to May 2024 are in the window


def test_operating_definition_uses_status_since_and_commissioning_year() -> None:
    facilities = pd.DataFrame(
        [
            ("A", "P", "zinc", 10.0, 2020, "operating", None, None),
            ("B", "P", "zinc", 20.0, 2026, "operating", None, None),  # not yet commissioned in 2025
            ("C", "P", "zinc", 40.0, 2010, "idle", D(2025, 6, 1), None),  # idle from June 2025
            ("D", "P", "zinc", 80.0, 2010, "retired", D(2023, 12, 31), D(2023, 12, 31)),
        ],
        columns=ce.FACILITY_COLUMNS,
    )
    assert cl.is_operating(facilities, D(2025, 5, 31)).tolist() == [True, False, True, False]
    assert cl.is_operating(facilities, D(2025, 6, 1)).tolist() == [True, False, False, False]
    assert cl.is_operating(facilities, D(2023, 12, 30)).tolist() == [True, False, True, True]
    assert cl.window_months(D(2025, 12, 31))[0] == "2025-01" and cl.window_months(D(2025, 3, 1))[-1] == "2025-02"


# ---------------------------------------------------------------- must exit


def test_must_exit_lists_a_facility_above_the_baseline(registry: str) -> None:
    url = registry
    add_facility(url, "AL2", "electrolytic_aluminium", 120_000, commissioning_year=2012)
    event(url, facility_code="AL1", kind="approval", effective_on="2010-01-01", capacity_t_per_a=200_000)
    output = 15_000.0
    # 13 500 kWh/t is above the 2021 baseline 13 350 (below-baseline class); 13 200 lies between the levels
    verified_months(
        url, "AL1", "electrolytic_aluminium", MONTHS_2024, {"output_t": output, "electrolysis_ac_mwh": output * 13.5}
    )
    verified_months(
        url, "AL2", "electrolytic_aluminium", MONTHS_2024, {"output_t": output, "electrolysis_ac_mwh": output * 13.2}
    )
    with db.transaction(url) as session:
        listed = ledger.must_exit(session, 2024, "2021")
        in_force = ledger.must_exit(session, 2024, None)
        latest = ledger.must_exit(session, None, "2021", on_date="2030-01-01")
    assert listed["facility_code"].tolist() == ["AL1"]
    row = listed.iloc[0]
    assert row["unit_consumption"] == pytest.approx(12 * output * 13.5 * 1000 / (12 * output))
    assert row["baseline_level"] == 13_350.0 and row["edition"] == "2021" and row["class"] == "below_baseline"
    assert row["must_act_by"] == "2025-12-31"
    assert row["capacity_t_per_a"] == 200_000.0  # registry capacity
    assert row["approved_t_per_a"] == 200_000.0 and not row["exited"]  # the ledger's, on 2024-12-31
    assert listed.attrs["year"] == 2024
    # the 2023 edition is in force for 2024 and its aluminium levels are not in the references
    assert in_force.empty and "electrolytic_aluminium" in in_force.attrs["not_classified"]
    assert "2021" in in_force.attrs["not_classified"]["electrolytic_aluminium"]
    assert latest.attrs["year"] == 2024 and latest["facility_code"].tolist() == ["AL1"]


# ---------------------------------------------------------------- ceiling


def test_ceiling_check_with_and_without_the_national_figure(registry: str) -> None:
    url = registry
    event(url, facility_code="AL1", kind="approval", effective_on="2010-01-01", capacity_t_per_a=200_000)
    event(url, facility_code="CU1", kind="approval", effective_on="2010-01-01", capacity_t_per_a=100_000)
    ceiling = 45.0 * 1e6  # capacity.national_ceiling: 45 Mt/a
    with db.transaction(url) as session:
        alone = ledger.ceiling_check(session, "2025-12-31")
        given = ledger.ceiling_check(session, "2025-12-31", 44_000_000)
        over = ledger.ceiling_check(session, "2025-12-31", "44.9 Mt/a")
        early = ledger.ceiling_check(session, "2017-12-31")
    assert alone["registry_approved_t_per_a"] == 200_000.0  # copper does not count
    assert alone["registry_approved_by_province_t_per_a"] == {"P": 200_000.0}
    assert alone["ceiling_t_per_a"] == ceiling and "Reuters" in alone["citation"]
    assert alone["ceiling"]["confidence"] == "medium" and alone["ceiling_verified"] is False
    assert alone["registry_share_of_ceiling_pct"] == pytest.approx(100 * 200_000 / ceiling)
    assert alone["national_approved_t_per_a"] is None and alone["headroom_t_per_a"] is None
    assert alone["within_ceiling"] is None and "rest of the country" in alone["note"]
    assert given["national_approved_t_per_a"] == 44_200_000.0
    assert given["headroom_t_per_a"] == pytest.approx(ceiling - 44_200_000) and given["within_ceiling"] is True
    assert over["headroom_t_per_a"] == pytest.approx(ceiling - 44_900_000 - 200_000)  # −100 000 t/a
    assert over["within_ceiling"] is False
    assert early["ceiling_t_per_a"] is None and "no national ceiling in force" in early["note"]
    with pytest.raises(InputError) as caught, db.transaction(url) as session:
        ledger.ceiling_check(session, "2025-12-31", -1)
    assert caught.value.field == "national_approved_elsewhere_t_per_a"
    cited = load().at("capacity.national_ceiling", period="2025", sector="electrolytic_aluminium")
    assert (cited.value, cited.unit, str(cited.valid_from)) == (45, "Mt/a", "2018-01-01")


# ---------------------------------------------------------------- bad events


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "exit", "capacity_t_per_a": 5_000}, "capacity_t_per_a"),  # an exit is negative
        ({"kind": "approval", "capacity_t_per_a": -5_000}, "capacity_t_per_a"),  # an approval positive
        ({"kind": "expansion", "capacity_t_per_a": 0}, "capacity_t_per_a"),
        ({"kind": "closure", "capacity_t_per_a": -5_000}, "kind"),
        ({"kind": "approval", "capacity_t_per_a": 5_000, "facility_code": "NOPE"}, "facility_code"),
        ({"kind": "approval", "capacity_t_per_a": 5_000, "facility_code": None}, "facility_code"),
        ({"kind": "replacement_in", "capacity_t_per_a": 5_000}, "replacement_group"),
        ({"kind": "replacement_in", "capacity_t_per_a": 5_000, "replacement_group": "G-none"}, "replacement_group"),
        ({"kind": "approval", "capacity_t_per_a": 5_000, "replacement_group": "G"}, "replacement_group"),
        ({"kind": "exit", "capacity_t_per_a": -250_000}, "capacity_t_per_a"),  # more than approved
        ({"kind": "approval", "capacity_t_per_a": 5_000, "effective_on": "2024-13-01"}, "effective_on"),
        ({"kind": "approval", "capacity_t_per_a": 5_000, "sector": "copper"}, "sector"),
        ({"kind": "approval", "capacity_t_per_a": 5_000, "province": "yunnan"}, "province"),
        ({"kind": "approval", "capacity_t_per_a": 5_000, "facility_code": None, "counterpart": "X"}, "kind"),
        (
            {
                "kind": "replacement_out",
                "capacity_t_per_a": -5,
                "facility_code": None,
                "counterpart": "X",
                "replacement_group": "G",
                "sector": "electrolytic_aluminium",
            },
            "province",
        ),
    ],
)
def test_bad_events_name_the_field(registry: str, kwargs: dict[str, Any], field: str) -> None:
    event(registry, facility_code="AL1", kind="approval", effective_on="2010-01-01", capacity_t_per_a=200_000)
    arguments = {"facility_code": "AL1", "effective_on": "2024-01-01", **kwargs}
    with pytest.raises(InputError) as caught:
        event(registry, **arguments)
    assert caught.value.field == field, caught.value
    with db.transaction(registry) as session:
        events = ledger.events_frame(session)
        audits = session.scalars(select(AuditEvent).where(AuditEvent.entity == "capacity_event")).all()
    assert len(events) == 1 and len(audits) == 1  # only the approval: nothing of the refused event


# ---------------------------------------------------------------- who may record


def regulator(url: str, role: str, region: str) -> access.Principal:
    from carbonpeak.store.models import Region

    with db.transaction(url) as session:
        region_id = session.scalar(select(Region.id).where(Region.code == region))
        below = access.subtree(session, region_id)
    return access.Principal(
        user_id=7,
        username=f"{role}-{region}",
        display_name=role,
        role=role,
        region_id=region_id,
        enterprise_id=None,
        region_ids=below,
        enterprise_ids=frozenset(),
    )


def test_only_a_provincial_regulator_of_the_facility_or_an_administrator_records_capacity(registry: str) -> None:
    from carbonpeak.errors import AccessDenied

    with db.transaction(registry) as session:
        repo.add_region(
            session,
            {"code": "P2", "name_zh": "邻省", "name_en": "Other", "level": "province", "grid_province": "gansu"},
            "test:setup",
        )
    own = regulator(registry, access.PROVINCE, "P")
    other = regulator(registry, access.PROVINCE, "P2")
    city = regulator(registry, access.CITY, "C1")
    approval = {"facility_code": "AL1", "kind": "approval", "effective_on": "2010-01-01", "capacity_t_per_a": 1000}
    for who in (other, city):
        with pytest.raises(AccessDenied), db.transaction(registry) as session:
            use.record_event(session, who, **approval)
    with db.transaction(registry) as session:
        recorded = use.record_event(session, own, **approval)
        assert other_seeded_nothing(session, other)
    assert recorded.id is not None and recorded.province == "P" and recorded.capacity_t_per_a == 1000.0
    with db.transaction(registry) as session:
        trail = repo.audit_trail(session, key_prefix="capacity:AL1")
    assert [a.actor for a in trail] == ["web:province_regulator-P"]
    with pytest.raises(AccessDenied), db.transaction(registry) as session:  # a source outside the scope
        use.record_replacement(session, other, "AL1", [("AL1", None, 1000)], 1000, "2020-01-01", None)
    assert approved_on(registry, D(2030, 1, 1)) == {"AL1": 1000.0}


def other_seeded_nothing(session: Any, other: access.Principal) -> bool:
    """A provincial regulator seeds the facilities of their province only: none here."""
    seeded = use.seed_from_registry(session, other)
    return seeded.facilities_seeded == 0 and seeded.skipped == {}


# ---------------------------------------------------------------- seeding from the registry


def test_seed_from_registry_with_a_replacement(registry: str) -> None:
    url = registry
    add_facility(
        url,
        "AL6",
        "electrolytic_aluminium",
        60_000,
        commissioning_year=1998,
        retired_on="2022-06-30",
        status="retired",
        status_since="2022-06-30",
    )
    add_facility(url, "AL7", "electrolytic_aluminium", 200_000, commissioning_year=2023)
    add_facility(url, "AL8", "electrolytic_aluminium", 80_000, commissioning_year=2002)
    swap = ce.RegistryReplacement(destination="AL7", sources=("AL6",), effective_on=D(2023, 7, 1), document="示范")
    with db.transaction(url) as session:
        report = use.seed_from_registry(session, OPERATOR, replacements=[swap]).as_dict()
    # AL1 and CU1 of the fixture have no commissioning year: not seeded, and said so
    assert report["skipped"] == {c: "no commissioning_year in the registry" for c in ("AL1", "CU1")}
    assert report["facilities_seeded"] == 3 and report["replacement_groups"] == 1
    # approvals: AL6 60 000 and AL8 80 000 in full, AL7 200 000 − 200 000 granted = nothing left to approve
    assert report["approvals"] == 2 and report["exits"] == 0
    with db.transaction(url) as session:
        events = ledger.events_frame(session)
        again = use.seed_from_registry(session, OPERATOR).as_dict()
    rows = {(r.facility_code, r.kind): r for r in events.itertuples()}
    assert rows[("AL6", "approval")].effective_on == D(1998, 1, 1)
    assert rows[("AL6", "replacement_out")].effective_on == D(2022, 6, 30)
    assert rows[("AL6", "replacement_out")].capacity_t_per_a == -60_000.0
    assert rows[("AL7", "replacement_in")].capacity_t_per_a == 200_000.0
    assert rows[("AL7", "replacement_in")].replacement_ratio == pytest.approx(200_000 / 60_000)
    assert rows[("AL8", "approval")].note == ce.SEEDED_NOTE and rows[("AL8", "approval")].document is None
    assert again["facilities_seeded"] == 0 and again["approvals"] == 0  # seeding twice adds nothing
    assert approved_on(url, D(2023, 7, 1)) == {"AL6": 0.0, "AL7": 200_000.0, "AL8": 80_000.0}


# ---------------------------------------------------------------- CLI


def cli_app() -> typer.Typer:
    app = typer.Typer()
    cli_store.register(app)
    cli_capacity.register(app)
    return app


def run(app: typer.Typer, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200", "CARBONPEAK_LANG": "en"})
    return result.exit_code, result.output


def test_cli_add_replace_history_and_errors(registry: str) -> None:
    app, dbo = cli_app(), ("--db", registry)
    code, out = run(app, "capacity", "--date", "2025-12-31", *dbo)
    assert code == 0 and "capacity seed" in out  # an empty ledger says how to fill it
    code, out = run(
        app,
        "capacity",
        "add",
        "--facility",
        "AL1",
        "--kind",
        "approval",
        "--capacity",
        "200 kt/a",
        "--date",
        "2015-01-01",
        "--document",
        "某批复",
        "--json",
        *dbo,
    )
    assert code == 0, out
    assert json.loads(out)["capacity_t_per_a"] == 200_000.0 and json.loads(out)["province"] == "P"
    code, out = run(
        app,
        "capacity",
        "replace",
        "AL1",
        "--source",
        "外省丁厂@guangxi=100000",
        "--granted",
        "90000",
        "--date",
        "2023-07-01",
        "--json",
        *dbo,
    )
    assert code == 0, out
    payload = json.loads(out)
    assert payload["ratio"] == pytest.approx(0.9) and [e["province"] for e in payload["events"]] == ["guangxi", "P"]
    code, out = run(app, "capacity", "history", "AL1", "--json", *dbo)
    assert code == 0, out
    history = json.loads(out)["events"]
    assert [e["approved_after_t_per_a"] for e in history] == [200_000.0, 290_000.0]
    assert history[1]["replacement_partners"] == "外省丁厂@guangxi -100,000"

    for args, needle in (
        (
            ("add", "--facility", "AL1", "--kind", "exit", "--capacity", "5000", "--date", "2024-01-01"),
            "field 'capacity'",
        ),
        (("add", "--facility", "AL1", "--kind", "closure", "--capacity", "-5", "--date", "2024-01-01"), "field 'kind'"),
        (
            ("add", "--facility", "ZZ9", "--kind", "exit", "--capacity", "-5", "--date", "2024-01-01"),
            "field 'facility code'",
        ),
        (("replace", "AL1", "--source", "nonsense", "--granted", "1", "--date", "2024-01-01"), "--source[0]"),
        (("history", "ZZ9"), "unknown facility"),
    ):
        code, out = run(app, "capacity", *args, *dbo)
        assert code == 2 and "error:" in out and needle in out, out


def test_cli_on_the_demo_province(demo_db_url: str, tmp_path: Path) -> None:
    """On the demo province as ``carbonpeak demo load`` leaves it (loaded once per session and copied: the
    command itself is tested in tests/store/test_cli_reporting.py and tests/web/test_cli_web.py)."""
    from carbonpeak.demo import generate

    app, dbo = cli_app(), ("--db", demo_db_url)
    code, out = run(app, "capacity", "seed", "--json", *dbo)
    assert code == 0, out
    seeded = json.loads(out)
    demo = generate()
    retired = [f for f in demo.facilities if f["retired_on"]]
    assert {f["code"] for f in retired} == {"AL06", "MG15"}
    if seeded["facilities_seeded"]:  # the demo loads without a ledger: seeding derives it from the registry
        assert seeded["approvals"] == len(demo.facilities) and seeded["exits"] == len(retired)
        assert not seeded["skipped"]
    else:  # `demo load` already seeded it (service.load_demo calling seed_from_registry): nothing to add
        assert seeded["skipped"] == {f["code"]: "already in the ledger" for f in demo.facilities}

    excel = tmp_path / "capacity.xlsx"
    code, out = run(app, "capacity", "--date", "2025-12-31", "--edition", "2021", "--json", "--excel", str(excel), *dbo)
    assert code == 0, out
    report = json.loads(out)
    assert report["ledger_events"] == len(demo.facilities) + len(retired)  # an approval each, an exit each
    day = D(2025, 12, 31)
    table = {row["sector"]: row for row in report["ledger"]}
    for sector in {f["sector"] for f in demo.facilities}:
        mine = [f for f in demo.facilities if f["sector"] == sector]
        approved = sum(
            f["capacity_t_per_a"] for f in mine if not (f["retired_on"] and D.fromisoformat(f["retired_on"]) <= day)
        )
        operating = sum(
            f["capacity_t_per_a"]
            for f in mine
            if f["status"] == "operating" and not (f["retired_on"] and D.fromisoformat(f["retired_on"]) <= day)
        )
        assert table[sector]["approved_t_per_a"] == approved and table[sector]["operating_t_per_a"] == operating
    aluminium = table["electrolytic_aluminium"]
    assert aluminium["approved_t_per_a"] == 1_310_000.0 == aluminium["operating_t_per_a"]  # AL06 has exited
    assert table["industrial_silicon"]["approved_minus_operating_t_per_a"] == 30_000.0  # SI03 idle since 2025-06
    # output: the counted (verified or locked) months of 2025 of the demo's electrolytic-aluminium lines
    counted = [
        s["versions"][-1]["record"]["output_t"]
        for s in demo.submissions
        if s["facility_code"].startswith("AL")
        and s["period"].startswith("2025")
        and s["versions"][-1]["status"] in ("verified", "locked")
    ]
    assert aluminium["output_12m_t"] == pytest.approx(sum(counted)) and aluminium["counted_facility_months"] == len(
        counted
    )
    assert aluminium["utilisation_pct"] == pytest.approx(100 * sum(counted) / 1_310_000)

    exits = report["must_exit"]
    aluminium_exits = [f for f in exits["facilities"] if f["sector"] == "electrolytic_aluminium"]
    assert exits["year"] == 2025 and [f["facility_code"] for f in aluminium_exits] == ["AL08"]
    assert aluminium_exits[0]["must_act_by"] == "2025-12-31" and aluminium_exits[0]["approved_t_per_a"] == 80_000.0
    assert aluminium_exits[0]["unit_consumption"] > aluminium_exits[0]["baseline_level"] == 13_350.0
    assert "industrial_silicon" in exits["not_classified"]  # no level for it in the references

    ceiling = report["ceiling"]
    assert ceiling["registry_approved_by_province_t_per_a"] == {"demo": 1_310_000.0}
    assert ceiling["headroom_t_per_a"] is None and ceiling["ceiling_t_per_a"] == 45_000_000.0
    sheets = pd.read_excel(excel, sheet_name=None)
    assert set(sheets) == {"ledger", "must_exit", "ceiling", "not_classified"}
    assert sheets["must_exit"]["facility_code"].tolist() == [f["facility_code"] for f in exits["facilities"]]

    code, out = run(app, "capacity", "history", "AL06", "--json", *dbo)
    assert code == 0, out
    al06 = [(e["kind"], e["effective_on"], e["capacity_t_per_a"]) for e in json.loads(out)["events"]]
    assert al06 == [("approval", "1998-01-01", 60_000.0), ("exit", "2022-06-30", -60_000.0)]
