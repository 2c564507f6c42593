"""Migration ``0020_green_register`` on a database holding enterprises with the old green flags: each flag becomes a
designation (origin ``registry_flag``) with its first version and an audit event, the counts by year read them,
and the schema goes down again."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command

from carbonpeak.green import register
from carbonpeak.store import db
from carbonpeak.store.green.repository import designation_frame


def test_the_flags_move_into_designations(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    db.upgrade(url, "0017_report_enterprise")
    engine = db.engine_for(url)
    with engine.begin() as connection:
        connection.execute(
            sa.text("insert into region (id, code, name_zh, name_en, level) values (1, 'P', '省', 'P', 'province')")
        )
        rows = [
            (1, "E1", "national", 2019, 1),  # a national factory and a supply-chain enterprise
            (2, "E2", "provincial", 2024, 0),
            (3, "E3", None, None, 0),  # nothing
        ]
        for eid, code, level, year, chain in rows:
            connection.execute(
                sa.text(
                    "insert into enterprise (id, code, name_zh, name_en, uscc, state_owned, key_energy_user,"
                    " national_carbon_market, green_factory_level, green_factory_year, green_supply_chain, region_id)"
                    " values (:id, :code, :code, :code, :uscc, 0, 0, 0, :level, :year, :chain, 1)"
                ),
                {
                    "id": eid,
                    "code": code,
                    "uscc": f"9161000000000000{eid}X",
                    "level": level,
                    "year": year,
                    "chain": chain,
                },
            )
    engine.dispose()
    db.upgrade(url)
    with db.transaction(url) as session:
        frame = designation_frame(session)
        events = session.execute(sa.text("select entity, entity_key from audit_event")).all()
        versions = session.execute(sa.text("select action from green_designation_version")).all()
    got = sorted(zip(frame["subject_code"], frame["kind"], frame["level"].fillna(""), frame["origin"], strict=True))
    assert got == [
        ("E1", "factory", "national", "registry_flag"),
        ("E1", "supply_chain", "", "registry_flag"),
        ("E2", "factory", "provincial", "registry_flag"),
    ]
    assert len(versions) == 3 and {e[0] for e in events} == {"green_designation"}
    counted = register.FACTORY_COUNTED_LEVELS
    assert [register.count_in_force(frame, y, "factory", counted) for y in (2018, 2019, 2023, 2024)] == [0, 1, 1, 2]
    assert register.count_in_force(frame, 2000, "supply_chain") == 1  # no year: every year, as the flag did
    command.downgrade(db.alembic_config(url), "0017_report_enterprise")
    with db.engine_for(url).connect() as connection:
        assert "green_designation" not in sa.inspect(connection).get_table_names()
