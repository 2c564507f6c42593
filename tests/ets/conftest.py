"""Fixtures of the national carbon market's tests: the store's demo database (SQLite and PostgreSQL) and
the people who act on E02's deposits (the demo's aluminium smelter of the enterprise account)."""

from __future__ import annotations

import sys
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.services import access
from carbonpeak.store.models import Enterprise, Facility
from tests.store.conftest import _drop_session_database, db_url, demo_db_url  # noqa: F401

# the web tests' helpers (tests/web/webhelpers.py) and their demo database with accounts, for test_web.py
WEB = str(Path(__file__).resolve().parents[1] / "web")
if WEB not in sys.path:
    sys.path.insert(0, WEB)
from tests.web.conftest import demo_template  # noqa: E402,F401

SMELTER = "E02"  # the demo's enterprise account's enterprise (carbonpeak.web.users.create_demo_users)
OTHER = "E01"


def person(
    session: Session, role: str, *, enterprise: str | None = None, region: str | None = None
) -> access.Principal:
    """A person of ``role`` scoped to an enterprise (enterprise users, verifiers) or to the region of E02's first
    facility (``region='city'``) or its province (``region='province'``)."""
    enterprise_ids: frozenset[int] = frozenset()
    region_id = None
    if enterprise:
        enterprise_ids = frozenset({session.scalar(select(Enterprise.id).where(Enterprise.code == enterprise))})
    if region:
        own = session.scalar(select(Enterprise).where(Enterprise.code == SMELTER))
        facility = session.scalar(select(Facility).where(Facility.enterprise_id == own.id).order_by(Facility.code))
        region_id = facility.region_id
        if region == "province":
            from carbonpeak.store.models import Region

            here = session.get(Region, region_id)
            while here.parent_id is not None:
                here = session.get(Region, here.parent_id)
            region_id = here.id
    return access.Principal(
        user_id=1,
        username=f"{role}-test",
        display_name=role,
        role=role,
        region_id=region_id,
        enterprise_id=next(iter(enterprise_ids)) if role == access.ENTERPRISE and enterprise_ids else None,
        region_ids=access.subtree(session, region_id) if region_id else frozenset(),
        enterprise_ids=enterprise_ids,
    )
