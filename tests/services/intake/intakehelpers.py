"""What the intake tests share: a tiny province with two enterprises, and the people acting on it."""

from __future__ import annotations

from carbonpeak.services.access import ADMIN, ENTERPRISE, Principal
from carbonpeak.store import db
from carbonpeak.store import repository as repo
from carbonpeak.store.models import Enterprise
from carbonpeak.uscc import check_character


def uscc(seed: str) -> str:
    first17 = ("91610000" + seed.upper()).ljust(17, "0")[:17]
    return first17 + check_character(first17)


def populate(url: str) -> None:
    """E1 (aluminium line AL1, copper line CU1 retired 2024-06-30) and E2 (aluminium line AL2)."""
    actor = "test:setup"
    with db.transaction(url) as session:
        repo.add_region(
            session,
            {
                "code": "P",
                "name_zh": "测试省",
                "name_en": "Test province",
                "level": "province",
                "grid_province": "shaanxi",
            },
            actor,
        )
        repo.add_region(
            session,
            {"code": "C1", "name_zh": "测试市", "name_en": "Test city", "level": "city", "parent_code": "P"},
            actor,
        )
        for code, seed in (("E1", "E1"), ("E2", "E2")):
            repo.add_enterprise(
                session,
                {
                    "code": code,
                    "name_zh": f"测试铝业{code}",
                    "name_en": f"Test Aluminium {code}",
                    "uscc": uscc(seed),
                    "region_code": "C1",
                    "key_energy_user": True,
                },
                actor,
            )
        for code, enterprise, sector, extra in (
            ("AL1", "E1", "electrolytic_aluminium", {"technology": "PFPB_M"}),
            ("CU1", "E1", "copper", {"retired_on": "2024-06-30"}),
            ("AL2", "E2", "electrolytic_aluminium", {"technology": "PFPB_M"}),
        ):
            repo.add_facility(
                session,
                {
                    "code": code,
                    "enterprise_code": enterprise,
                    "name_zh": code,
                    "name_en": code,
                    "region_code": "C1",
                    "sector": sector,
                    "capacity_t_per_a": 200000,
                    **extra,
                },
                actor,
            )


def enterprise(url: str, code: str = "E1") -> Principal:
    with db.transaction(url) as session:
        row = session.query(Enterprise).filter_by(code=code).one()
        return Principal(
            user_id=1,
            username=f"user-{code}",
            display_name=code,
            role=ENTERPRISE,
            region_id=None,
            enterprise_id=row.id,
            region_ids=frozenset(),
            enterprise_ids=frozenset({row.id}),
        )


def administrator() -> Principal:
    return Principal(
        user_id=0,
        username="admin",
        display_name="admin",
        role=ADMIN,
        region_id=None,
        enterprise_id=None,
        region_ids=frozenset(),
        enterprise_ids=frozenset(),
    )
