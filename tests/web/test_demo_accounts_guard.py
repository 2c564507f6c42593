"""Probe D12: demonstration accounts (published passwords) are refused beside real data."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from carbonpeak.errors import InputError
from carbonpeak.store import db
from carbonpeak.store import repository as repo
from carbonpeak.store.accounts import User
from carbonpeak.store.models import Region
from carbonpeak.web.users import create_demo_users
from tests.conftest import copy_demo
from tests.web.webhelpers import settings_for


def test_demo_accounts_refused_on_an_empty_registry(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    db.upgrade(url)
    with db.transaction(url) as session, pytest.raises(InputError) as refused:
        create_demo_users(session, settings_for(url))
    assert refused.value.code == "accounts.demo_needs_demo"


def test_demo_accounts_refused_once_a_real_enterprise_is_registered(tmp_path, demo_sqlite) -> None:
    url = copy_demo(demo_sqlite, tmp_path, "mixed.db")  # the demo province (tests/conftest.py)
    with db.transaction(url) as session:
        province = session.scalar(select(Region.code).where(Region.parent_id.is_(None)))
        city = {"code": "real-city", "name_zh": "某市", "name_en": "A city", "level": "city", "parent_code": province}
        repo.add_region(session, city, "official")
    with db.transaction(url) as session, pytest.raises(InputError) as refused:
        create_demo_users(session, settings_for(url))
    assert refused.value.code == "accounts.demo_beside_real_data"
    with db.transaction(url) as session:
        assert session.scalar(select(User.id).limit(1)) is None  # nothing was created
