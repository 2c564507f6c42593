"""Account use cases on SQLite and PostgreSQL: access first, every problem coded, audit, locking ends sessions
and tokens, verifier assignments."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from carbonpeak import messages
from carbonpeak.errors import AccessDenied, Conflict, InputError, NotFound, ValidationFailed
from carbonpeak.services import access
from carbonpeak.services import accounts as acc
from carbonpeak.services.accounts import NewAccount, PasswordRules
from carbonpeak.store import db
from carbonpeak.store import repository as repo
from carbonpeak.store.accounts import ApiToken, User, VerifierAssignment
from carbonpeak.store.models import AuditEvent
from tests.store.conftest import _drop_session_database, db_url, uscc  # noqa: F401

HASHER = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
RULES = PasswordRules(hash=HASHER.hash, min_length=10)
ADMIN = access.operator("cli:test")


@pytest.fixture
def province(db_url: str) -> Iterator[str]:  # noqa: F811
    """Province P with city C1; enterprises E1 and E2."""
    actor = "test:setup"
    with db.transaction(db_url) as session:
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
        for code, zh in (("E1", "测试铝业"), ("E2", "测试铜业")):
            repo.add_enterprise(
                session,
                {"code": code, "name_zh": zh, "name_en": code, "uscc": uscc(code), "region_code": "C1"},
                actor,
            )
    yield db_url


def create(url: str, **fields: object) -> acc.AccountCreated:
    with db.transaction(url) as session:
        return acc.create_account(session, ADMIN, NewAccount(**fields), RULES)  # type: ignore[arg-type]


def test_each_role_is_created_in_its_scope_and_audited(province: str) -> None:
    create(province, username="prov", role="province_regulator", region="P", password="prov-password-1")
    create(province, username="city", role="city_regulator", region="C1", password="city-password-1")
    create(province, username="ent", role="enterprise", enterprise="E1", password="ent-password-1")
    made = create(province, username="ver", role="verifier", assign=["E2", "E1", "E1"])
    assert made.password and len(made.password) >= 10  # generated, returned once
    assert [e.code for e in made.account.assigned] == ["E1", "E2"]
    with db.transaction(province) as session:
        user = session.scalar(select(User).where(User.username == "ver"))
        assert user is not None and HASHER.verify(user.password_hash, made.password)
        city = access.principal_for(session, session.scalar(select(User).where(User.username == "city")))
        assert city.region_ids and city.role == access.CITY
        events = list(session.scalars(select(AuditEvent).where(AuditEvent.entity == "user")))
        assert [e.entity_key for e in events] == ["prov", "city", "ent", "ver"]
        assert all(e.actor == "cli:test" for e in events)
        assert events[-1].after["assigned"] == ["E1", "E2"]
        assert made.password not in str([e.after for e in events])  # never a password in the audit log
        listed = acc.list_accounts(session, ADMIN)
    assert {a.username: a.role for a in listed} == {
        "prov": "province_regulator",
        "city": "city_regulator",
        "ent": "enterprise",
        "ver": "verifier",
    }


def test_every_problem_is_reported_at_once_and_nothing_is_written(province: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        create(province, username="bad name", role="city_regulator", region="P", enterprise="E1", password="short")
    codes = {(e.field, e.code) for e in caught.value.errors}
    assert codes == {
        ("username", "accounts.username_invalid"),
        ("region", "accounts.region_level"),
        ("enterprise", "accounts.enterprise_not_for_role"),
        ("password", "accounts.password_too_short"),
    }
    level = next(e for e in caught.value.errors if e.code == "accounts.region_level")
    assert level.message_text("zh") == "市级监管人员须对应市级行政区，P 不是"
    assert "a city regulator needs a region of level city; P is not one" in str(level)
    with pytest.raises(ValidationFailed) as caught:
        create(province, username="x1", role="chief", lang="fr")
    assert {e.code for e in caught.value.errors} == {"accounts.role_unknown", "accounts.lang_unknown"}
    with db.transaction(province) as session:
        assert session.scalar(select(func.count()).select_from(User)) == 0
        assert session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.entity == "user")) == 0


def test_an_account_for_a_missing_enterprise_or_region_has_its_own_code(province: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        create(province, username="e9", role="enterprise", enterprise="E99", password="e9-password-1")
    (problem,) = caught.value.errors
    assert problem.code == "accounts.enterprise_unknown"
    assert problem.message_text("zh") == "企业 E99 不在登记册中"
    assert problem.message_text("en") == "the enterprise E99 is not in the registry"
    with pytest.raises(ValidationFailed) as caught:
        create(province, username="r9", role="province_regulator", region="NOWHERE", password="r9-password-1")
    assert [e.code for e in caught.value.errors] == ["accounts.region_unknown"]
    with pytest.raises(ValidationFailed) as caught:
        create(province, username="v9", role="verifier", assign=["E1", "E77"], password="v9-password-1")
    assert [(e.code, e.params) for e in caught.value.errors] == [("accounts.enterprise_unknown", {"enterprise": "E77"})]
    create(province, username="taken", role="admin", password="taken-password-1")
    with pytest.raises(ValidationFailed) as caught:
        create(province, username="taken", role="admin", password="taken-password-1")
    assert [e.code for e in caught.value.errors] == ["accounts.username_taken"]


def test_access_is_asked_before_anything_else(province: str) -> None:
    create(province, username="ent", role="enterprise", enterprise="E1", password="ent-password-1")
    with db.transaction(province) as session:
        ent = access.principal_for(session, session.scalar(select(User).where(User.username == "ent")))
        calls = [
            lambda: acc.create_account(session, ent, NewAccount(username="bad name", role="chief"), RULES),
            lambda: acc.lock_account(session, ent, "nobody"),
            lambda: acc.unlock_account(session, ent, "ent"),
            lambda: acc.reset_password(session, ent, "nobody", RULES),
            lambda: acc.assign_verifier(session, ent, "nobody", "E9"),
            lambda: acc.unassign_verifier(session, ent, "nobody", "E9"),
            lambda: acc.list_accounts(session, ent),
        ]
        for call in calls:  # the same refusal whether or not the account or enterprise exists
            with pytest.raises(AccessDenied):
                call()


def test_locking_ends_sessions_and_revokes_tokens(province: str) -> None:
    create(province, username="ent", role="enterprise", enterprise="E1", password="ent-password-1")
    create(province, username="boss", role="admin", password="boss-password-1")
    with db.transaction(province) as session:
        user = session.scalar(select(User).where(User.username == "ent"))
        for n in range(2):
            session.add(ApiToken(user_id=user.id, name=f"t{n}", token_hash=f"{n:064d}", prefix="cp_x"))
        user.failed_logins = 3
    with db.transaction(province) as session:
        change = acc.lock_account(session, ADMIN, "ent")
        assert change.changed and change.tokens_revoked == 2 and change.account.locked
        assert acc.lock_account(session, ADMIN, "ent").changed is False
    with db.transaction(province) as session:
        user = session.scalar(select(User).where(User.username == "ent"))
        assert user.session_epoch == 1 and user.locked_at is not None
        assert session.scalar(select(func.count()).select_from(ApiToken).where(ApiToken.revoked_at.is_(None))) == 0
        boss = access.principal_for(session, session.scalar(select(User).where(User.username == "boss")))
        with pytest.raises(Conflict) as caught:
            acc.lock_account(session, boss, "boss")
        assert caught.value.text("zh") == "不能锁定自己的账户"
        with pytest.raises(NotFound) as missing:
            acc.lock_account(session, boss, "nobody")
        assert missing.value.text("en") == "there is no account nobody"
    with db.transaction(province) as session:
        change = acc.unlock_account(session, ADMIN, "ent")
        assert change.changed and not change.account.locked and change.account.failed_logins == 0
        # a revoked token stays revoked
        assert session.scalar(select(func.count()).select_from(ApiToken).where(ApiToken.revoked_at.is_(None))) == 0
        actions = list(session.scalars(select(AuditEvent.action).where(AuditEvent.entity_key == "ent")))
    assert actions == ["create", "lock", "unlock"]


def test_reset_sets_a_new_password_once_and_ends_sessions(province: str) -> None:
    create(province, username="ent", role="enterprise", enterprise="E1", password="ent-password-1")
    with db.transaction(province) as session:
        reset = acc.reset_password(session, ADMIN, "ent", RULES)
        user = session.scalar(select(User).where(User.username == "ent"))
        assert reset.password and HASHER.verify(user.password_hash, reset.password)
        assert user.session_epoch == 1
        with pytest.raises(ValidationFailed) as caught:
            acc.reset_password(session, ADMIN, "ent", RULES, "ent")
        assert [e.code for e in caught.value.errors] == ["accounts.password_too_short"]
        with pytest.raises(ValidationFailed) as caught:
            acc.reset_password(session, ADMIN, "ent", RULES, "aaaaaaaaaaaa")
        assert [e.code for e in caught.value.errors] == ["accounts.password_too_simple"]
        given = acc.reset_password(session, ADMIN, "ent", RULES, "a-new-password-9")
        assert given.password is None  # the person chose it: nothing to show


def test_verifiers_are_assigned_and_unassigned(province: str) -> None:
    create(province, username="ver", role="verifier", password="ver-password-1")
    create(province, username="ent", role="enterprise", enterprise="E1", password="ent-password-1")
    with db.transaction(province) as session:
        done = acc.assign_verifier(session, ADMIN, "ver", "E2")
        assert done.enterprise.name_zh == "测试铜业" and [e.code for e in done.account.assigned] == ["E2"]
        with pytest.raises(Conflict) as caught:
            acc.assign_verifier(session, ADMIN, "ver", "E2")
        assert caught.value.code == "accounts.already_assigned"
        with pytest.raises(Conflict) as caught:
            acc.assign_verifier(session, ADMIN, "ent", "E2")
        assert caught.value.text("zh") == "账户 ent 不是核查人员，不能被指派企业"
        with pytest.raises(InputError) as unknown:
            acc.assign_verifier(session, ADMIN, "ver", "E99")
        assert unknown.value.code == "accounts.enterprise_unknown"
        user = session.scalar(select(User).where(User.username == "ver"))
        assert access.principal_for(session, user).enterprise_ids
    with db.transaction(province) as session:
        done = acc.unassign_verifier(session, ADMIN, "ver", "E2")
        assert done.account.assigned == ()
        with pytest.raises(Conflict) as caught:
            acc.unassign_verifier(session, ADMIN, "ver", "E2")
        assert caught.value.code == "accounts.not_assigned"
        assert session.scalar(select(func.count()).select_from(VerifierAssignment)) == 0
        actions = list(session.scalars(select(AuditEvent.action).where(AuditEvent.entity_key == "ver")))
    assert actions == ["create", "assign_verifier", "unassign_verifier"]


def test_every_accounts_code_reads_in_both_languages() -> None:
    codes = [c for c in messages.catalog() if c.startswith("accounts.")]
    assert len(codes) > 20
    for code in codes:
        zh, en = messages.catalog()[code]["zh"], messages.catalog()[code]["en"]
        assert zh and en and zh != en
        assert messages.placeholders(zh) == messages.placeholders(en), code
