"""Meters for the demonstration province, so that the simulator has something to publish.

Each operating facility gets a plant electricity meter (a register), a process electricity meter (interval
values) and a plant natural-gas meter; an aluminium potline also an electrolysis AC meter (a register).
One meter is past its calibration date (the first facility's gas meter), as the field has. They are
registered through the meter use case, as an administrator named ``system:demo-meters``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.services import access
from carbonpeak.services.monitoring import add_meter
from carbonpeak.store.models import Facility
from carbonpeak.store.monitoring.models import Meter

ACTOR = "system:demo-meters"


def demo_meter_records(facilities: list[tuple[str, str]], today: dt.date) -> list[dict[str, Any]]:
    """The meter records for ``(facility code, sector)`` pairs."""
    due = (today + dt.timedelta(days=365)).isoformat()
    records: list[dict[str, Any]] = []
    for index, (code, sector) in enumerate(facilities):
        common = {"facility_code": code, "calibration_due": due}
        records.append(
            {
                **common,
                "meter_code": f"{code}-E0",
                "name_zh": "厂区总进线电表",
                "energy_type": "electricity",
                "measuring_point": "plant",
                "unit": "kWh",
                "multiplier": 100,
                "reading_kind": "register",
                "rollover_at": 100_000_000,
            }
        )
        records.append(
            {
                **common,
                "meter_code": f"{code}-E1",
                "name_zh": "主工序电表",
                "energy_type": "electricity",
                "measuring_point": "process",
                "unit": "kWh",
                "reading_kind": "interval",
            }
        )
        gas_due = (today - dt.timedelta(days=30)).isoformat() if index == 0 else due
        records.append(
            {
                **common,
                "meter_code": f"{code}-G0",
                "name_zh": "天然气总表",
                "energy_type": "natural_gas",
                "measuring_point": "plant",
                "unit": "Nm3",
                "reading_kind": "interval",
                "calibration_due": gas_due,
            }
        )
        if sector == "electrolytic_aluminium":
            records.append(
                {
                    **common,
                    "meter_code": f"{code}-AC",
                    "name_zh": "电解交流电表",
                    "energy_type": "electricity",
                    "measuring_point": "electrolysis_ac",
                    "unit": "kWh",
                    "multiplier": 1000,
                    "reading_kind": "register",
                    "rollover_at": 100_000_000,
                }
            )
    return records


def register_demo_meters(session: Session, today: dt.date, limit: int | None = None) -> list[str]:
    """Register the demonstration meters of the operating facilities that have none yet; their codes."""
    who = access.operator(ACTOR)
    having = set(session.scalars(select(Meter.facility_id)))
    rows = session.execute(
        select(Facility.id, Facility.code, Facility.sector)
        .where(Facility.status == "operating")
        .order_by(Facility.code)
    ).all()
    chosen = [(code, sector) for fid, code, sector in rows if fid not in having][:limit]
    made = []
    for record in demo_meter_records(chosen, today):
        made.append(add_meter(session, who, record).code)
    return made
