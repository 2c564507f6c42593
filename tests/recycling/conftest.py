"""A small province for the recycled-metal tests: two enterprises with a recycled aluminium casthouse each, a
primary aluminium line, people of each role (SQLite)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.services import access
from carbonpeak.services import registry as reg
from carbonpeak.services.access import Principal
from carbonpeak.store import db
from carbonpeak.store.accounts import User, VerifierAssignment
from carbonpeak.store.models import Enterprise
from tests.services.conftest import person
from tests.store.conftest import uscc

ADMIN = access.operator("cli:test")


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'recycling.db'}"
    db.upgrade(url)
    with db.transaction(url) as session:
        reg.add_region(
            session, ADMIN, {"region_code": "SX", "name_zh": "测试省", "level": "province", "grid_province": "shaanxi"}
        )
        reg.add_region(session, ADMIN, {"region_code": "XA", "name_zh": "甲市", "level": "city", "parent_code": "SX"})
        for code, name in (("E1", "甲再生铝业"), ("E2", "乙再生铝业")):
            reg.add_enterprise(
                session, ADMIN, {"enterprise_code": code, "name_zh": name, "uscc": uscc(code), "region_code": "XA"}
            )
        for code, enterprise, sector in (
            ("RA1", "E1", "recycled_aluminium"),
            ("RA2", "E2", "recycled_aluminium"),
            ("AL1", "E1", "electrolytic_aluminium"),
        ):
            data: dict[str, Any] = {
                "facility_code": code,
                "enterprise_code": enterprise,
                "name_zh": f"{code}车间",
                "sector": sector,
                "capacity_t_per_a": 100000,
                "commissioning_year": 2015,
            }
            if sector == "electrolytic_aluminium":
                data.update({"technology": "PFPB_M", "cell_amperage_ka": 400})
            reg.add_facility(session, ADMIN, data)
    yield url


def enterprise_user(session: Session, code: str = "E1") -> Principal:
    """E1's (or ``code``'s) enterprise account, made on first use."""
    user = session.scalar(select(User).where(User.username == f"ent-{code}"))
    if user is not None:
        return access.principal_for(session, user)
    return person(session, f"ent-{code}", "enterprise", enterprise=code)


def verifier(session: Session, username: str, *enterprises: str) -> Principal:
    user = User(username=username, display_name=username, role="verifier", password_hash="x")
    session.add(user)
    session.flush()
    for code in enterprises:
        enterprise_id = session.scalar(select(Enterprise.id).where(Enterprise.code == code))
        session.add(VerifierAssignment(user_id=user.id, enterprise_id=enterprise_id, assigned_by="test"))
    session.flush()
    return access.principal_for(session, user)


LOT_HEAD = [
    "facility_id",
    "period",
    "lot",
    "supplier",
    "source_category",
    "grade_scheme",
    "grade",
    "consumer_status",
    "origin",
    "customs_declaration",
    "product",
    "mass_t",
    "metal_yield",
    "note",
]
OUT_HEAD = ["facility_id", "period", "product", "output_t", "other_metal_input_t", "stock_change_t", "losses_t"]

# A hand-checked month of RA1: metal from scrap = 100 × 0.90 + 50 × 0.80 + 10 × 0.95 = 90 + 40 + 9.5 = 139.5 t;
# with 10.5 t of primary metal the metal in is 150 t; output 147 t + stock 1 t + losses 0.5 t = 148.5 t;
# residual 1.5 t = 1.0 % of 150 t (within the 2 % default tolerance).
LOTS = [
    [
        "RA1",
        "2025-01",
        "L1",
        "甲回收站",
        "scrap_dealer",
        "trade",
        "废铝型材",
        "post_consumer",
        "domestic",
        "",
        "recycled_aluminium_alloy_ingot",
        100,
        0.90,
        "",
    ],
    [
        "RA1",
        "2025-01",
        "L2",
        "乙制造厂",
        "pre_consumer_manufacturer",
        "trade",
        "边角料",
        "pre_consumer",
        "imported_conforming",
        "CD-001",
        "recycled_aluminium_alloy_ingot",
        50,
        0.80,
        "",
    ],
    [
        "RA1",
        "2025-01",
        "L3",
        "本厂",
        "casthouse",
        "trade",
        "返回料",
        "in_process_rework",
        "domestic",
        "",
        "recycled_aluminium_alloy_ingot",
        10,
        0.95,
        "",
    ],
]
OUTPUTS = [["RA1", "2025-01", "recycled_aluminium_alloy_ingot", 147, 10.5, 1, 0.5]]


def workbook(lots: list[list[Any]] = LOTS, outputs: list[list[Any]] = OUTPUTS) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "废料进料"
    sheet.append(LOT_HEAD)
    for row in lots:
        sheet.append(row)
    out = book.create_sheet("产品产出")
    out.append(OUT_HEAD)
    for row in outputs:
        out.append(row)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def csv_bytes(head: list[str], rows: list[list[Any]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(head)
    writer.writerows(rows)
    return text.getvalue().encode("utf-8")
