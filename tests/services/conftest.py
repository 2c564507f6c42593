"""Registry use cases on SQLite and PostgreSQL: a province with two cities, people of each role."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from carbonpeak.services import access
from carbonpeak.services import registry as reg
from carbonpeak.services.access import Principal
from carbonpeak.store import db
from carbonpeak.store.accounts import User
from tests.store.conftest import _drop_session_database, db_url, uscc  # noqa: F401

ADMIN = access.operator("cli:test")


def person(
    session: Session, username: str, role: str, region: str | None = None, enterprise: str | None = None
) -> Principal:
    """A stored account of ``role`` (its scope resolved as the web resolves it)."""
    from sqlalchemy import select

    from carbonpeak.store.models import Enterprise, Region

    user = User(
        username=username,
        display_name=username,
        role=role,
        password_hash="x",
        region_id=session.scalar(select(Region.id).where(Region.code == region)) if region else None,
        enterprise_id=session.scalar(select(Enterprise.id).where(Enterprise.code == enterprise))
        if enterprise
        else None,
    )
    session.add(user)
    session.flush()
    return access.principal_for(session, user)


@pytest.fixture
def province(db_url: str) -> Iterator[str]:  # noqa: F811
    """Province SX with cities XA and BJ; one enterprise and one aluminium line in XA."""
    with db.transaction(db_url) as session:
        reg.add_region(
            session, ADMIN, {"region_code": "SX", "name_zh": "测试省", "level": "province", "grid_province": "shaanxi"}
        )
        reg.add_region(session, ADMIN, {"region_code": "XA", "name_zh": "甲市", "level": "city", "parent_code": "SX"})
        reg.add_region(session, ADMIN, {"region_code": "BJ", "name_zh": "乙市", "level": "city", "parent_code": "SX"})
        reg.add_park(session, ADMIN, {"park_code": "XA-P1", "name_zh": "甲市工业园", "region_code": "XA"})
        reg.add_enterprise(
            session,
            ADMIN,
            {
                "enterprise_code": "E1",
                "name_zh": "甲铝业",
                "uscc": uscc("E1"),
                "region_code": "XA",
                "park_code": "XA-P1",
                "contact_person": "张三",
                "contact_phone": "029-88886666",
                "contact_email": "zhang@example.cn",
            },
        )
        reg.add_facility(
            session,
            ADMIN,
            {
                "facility_code": "AL1",
                "enterprise_code": "E1",
                "name_zh": "电解一厂",
                "sector": "electrolytic_aluminium",
                "technology": "PFPB_M",
                "capacity_t_per_a": 200000,
                "cell_amperage_ka": 400,
                "commissioning_year": 2015,
            },
        )
    yield db_url
