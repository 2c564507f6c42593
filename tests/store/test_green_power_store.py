"""The green-power register's tables on SQLite and PostgreSQL: migration 0015_green_power creates exactly the
models' tables and goes down again; versions and volumes are written and read back; the latest version counts."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select

from carbonpeak.store import db
from carbonpeak.store.green_power import models  # noqa: F401  (registers the tables on Base)
from carbonpeak.store.green_power import repository as repo
from carbonpeak.store.models import Base, Facility

TABLES = {"green_instrument", "green_instrument_version", "green_volume"}


def test_migration_matches_the_models_and_downgrades(db_url: str) -> None:
    with db.engine_for(db_url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = [d for d in compare_metadata(context, Base.metadata) if any(t in repr(d) for t in TABLES)]
    assert not differences, differences
    command.downgrade(db.alembic_config(db_url), "0014_recycling")  # the revision before 0015_green_power
    with db.engine_for(db_url).connect() as connection:
        assert not TABLES & set(inspect(connection).get_table_names())
    db.upgrade(db_url)
    assert db.current_revision(db_url) == ScriptDirectory.from_config(db.alembic_config(db_url)).get_current_head()


def test_versions_and_volumes_round_trip(registry: str) -> None:
    with db.transaction(registry) as session:
        facility = session.scalars(select(Facility).order_by(Facility.id)).first()
        assert facility is not None
        item = repo.add_instrument(session, "GEC-1", "certificate", facility.id, "test")
        fields = {"source_type": "wind", "serial_from": "000100", "serial_to": "000199", "volume_mwh": 100.0}
        repo.add_version(
            session, item, fields, {"2024-03": 60.0, "2024-04": 40.0}, withdrawn=False, reason=None, actor="t"
        )
        repo.add_version(session, item, fields, {"2024-03": 100.0}, withdrawn=False, reason="更正", actor="t")
    with db.transaction(registry) as session:
        frame = repo.volumes_frame(session)
        assert frame[["period", "mwh", "instrument"]].values.tolist() == [["2024-03", 100.0, "GEC-1"]]
        ((item, version),) = repo.with_serials(session)
        assert (version.version, version.serial_from, version.serial_to) == (2, "000100", "000199")
        repo.add_version(session, item, {"source_type": "wind"}, {}, withdrawn=True, reason="撤销", actor="t")
    with db.transaction(registry) as session:
        assert repo.volumes_frame(session).empty and repo.with_serials(session) == []
        assert [v.version for _, v in repo.current(session, include_withdrawn=True)] == [3]
