"""Probe D7: every free text a person stores has a length limit, checked in the use-case layer and refused
with ``limits.too_long`` naming the field and the limit (SQLite and PostgreSQL). The limits are one table
(services.limits.TEXT_LIMITS) and one check; the registry's own fields keep theirs in their field tables."""

from __future__ import annotations

import pytest
from sqlalchemy import String, func, select

from carbonpeak.errors import ValidationFailed
from carbonpeak.services import accounts as acc
from carbonpeak.services import limits
from carbonpeak.services import registry as reg
from carbonpeak.services.accounts import NewAccount, PasswordRules
from carbonpeak.store import db
from carbonpeak.store.accounts import ApiToken, User
from carbonpeak.store.models import Facility
from carbonpeak.store.models import Warning as WarningRow
from tests.services.conftest import ADMIN

RULES = PasswordRules(hash=lambda password: "hashed:" + password, min_length=10)
# where each limited text is kept as a column of its own (the others are Text columns or JSON)
COLUMNS = {
    "username": User.__table__.c.username,
    "display_name": User.__table__.c.display_name,
    "token_name": ApiToken.__table__.c.name,
    "assignee": WarningRow.__table__.c.assignee,
}


def test_the_table_fits_the_columns_and_the_check_names_field_and_limit() -> None:
    for field, column in COLUMNS.items():
        assert isinstance(column.type, String) and column.type.length >= limits.limit_of(field), field
    assert limits.too_long("note", "n" * 2000) is None and limits.too_long("note", None) is None
    problem = limits.too_long("note", "n" * 2001)
    assert problem is not None and problem.value is None  # the text itself is never echoed
    assert problem.text("en") == "field 'note': at most 2000 characters (this has 2001)"
    assert problem.text("zh") == "字段“备注”：最多 2000 个字符（现为 2001 个）"
    with pytest.raises(ValidationFailed) as caught:
        limits.check_lengths({"reason": "r" * 2001, "token_name": "t" * 101, "note": "fine"})
    assert [(e.field, e.params["limit"]) for e in caught.value.errors] == [("reason", 2000), ("token_name", 100)]


def test_account_texts_over_their_limits_are_refused(province: str) -> None:
    with db.transaction(province) as session, pytest.raises(ValidationFailed) as caught:
        acc.create_account(
            session,
            ADMIN,
            NewAccount(username="u" * 101, role="admin", display_name="名" * 201, password="p" * 201),
            RULES,
        )
    found = {e.field: e for e in caught.value.errors}
    assert found["username"].code == "accounts.username_invalid" and found["username"].value is None
    assert found["username"].text("zh") == "字段“用户名”：用户名须为 1 至 100 个字符，且不含空格"
    assert (found["display_name"].code, found["display_name"].params["limit"]) == ("limits.too_long", 200)
    assert (found["password"].code, found["password"].params["limit"]) == ("limits.too_long", 200)
    with db.transaction(province) as session:
        assert session.scalar(select(func.count()).select_from(User)) == 0
        acc.create_account(
            session, ADMIN, NewAccount(username="u" * 100, role="admin", password="Tongchuan-7-line"), RULES
        )


def test_token_names_and_lifetimes_are_checked(province: str) -> None:
    with db.transaction(province) as session:
        acc.create_account(session, ADMIN, NewAccount(username="ci", role="admin", password="Tongchuan-7-line"), RULES)
    for name, days, expected in (
        ("t" * 101, 30, [("token_name", "limits.too_long")]),
        ("  ", 30, [("token_name", "accounts.token_name_needed")]),
        ("ok", 0, [("days", "accounts.token_days")]),
        ("ok", 367, [("days", "accounts.token_days")]),
        ("ok", "9" * 5000, [("days", "accounts.token_days")]),
    ):
        with db.transaction(province) as session, pytest.raises(ValidationFailed) as caught:
            acc.create_token(session, ADMIN, name, days, username="ci")
        assert [(e.field, e.code) for e in caught.value.errors] == expected
        assert all(len(str(e.value or "")) <= 20 for e in caught.value.errors)
    with db.transaction(province) as session:
        made = acc.create_token(session, ADMIN, "t" * 100, 366, username="ci")
        assert made.token.startswith("cp_") and session.scalar(select(func.count()).select_from(ApiToken)) == 1


def test_a_huge_facility_name_is_refused_by_the_registry_field_table(province: str) -> None:
    record = {"facility_code": "AL7", "enterprise_code": "E1", "name_zh": "厂" * 1_048_576, "sector": "copper"}
    with db.transaction(province) as session, pytest.raises(ValidationFailed) as caught:
        reg.add_facility(session, ADMIN, record)
    assert [(e.code, e.field, e.params["limit"]) for e in caught.value.errors] == [
        ("registry.too_long", "name_zh", "200")
    ]
    assert caught.value.errors[0].value is None  # the megabyte is not sent back either
    with db.transaction(province) as session:
        assert session.scalar(select(Facility).where(Facility.code == "AL7")) is None
