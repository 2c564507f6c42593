"""Sessions, logins and passwords as use cases, on SQLite and PostgreSQL (probe D6, D8, D12, D14, D15).

Each test names the defect of ../shared/research/probe-reliability.md it proves fixed: logging out ends
the session on the server; a password change, reset or lock ends every session and API token; every failed
login answers alike and costs a password hash; failures slow a user name down instead of locking the account;
the address limit lives in the database (shared by workers); common passwords are refused.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError
from sqlalchemy import func, select

from carbonpeak.errors import ValidationFailed
from carbonpeak.services import access
from carbonpeak.services import accounts as acc
from carbonpeak.services.accounts import LoginAttempt, LoginPolicy, NewAccount, PasswordRules
from carbonpeak.store import accounts as store
from carbonpeak.store import db
from carbonpeak.store.accounts import ApiToken, User, WebSession
from carbonpeak.store.models import utcnow
from tests.services.test_accounts import province  # noqa: F401  (fixture)
from tests.store.conftest import _drop_session_database, db_url  # noqa: F401

HASHER = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
ADMIN = access.operator("cli:test")
PASSWORD = "ent-password-1"


class Counted:
    """The hasher's verify, counting its calls (an unknown user must cost a hash too)."""

    def __init__(self) -> None:
        self.calls = 0
        self.dummy = HASHER.hash("not-a-password")

    def __call__(self, stored: str | None, password: str) -> bool:
        self.calls += 1
        try:
            return HASHER.verify(stored or self.dummy, password) and stored is not None
        except VerifyMismatchError:
            return False


@pytest.fixture
def verify() -> Counted:
    return Counted()


def rules(verify: Counted) -> PasswordRules:
    return PasswordRules(hash=HASHER.hash, min_length=10, verify=verify)


POLICY = LoginPolicy(rate_limit=1000, rate_window_s=60, free_failures=3, first_delay_s=2, max_delay_s=60)


@pytest.fixture
def ent(province: str, verify: Counted) -> Iterator[str]:  # noqa: F811
    with db.transaction(province) as session:
        new = NewAccount(username="ent", role="enterprise", enterprise="E1", password=PASSWORD)
        acc.create_account(session, ADMIN, new, rules(verify))
        acc.create_account(
            session, ADMIN, NewAccount(username="boss", role="admin", password="boss-password-1"), rules(verify)
        )
    yield province


def login(
    url: str,
    verify: Counted,
    password: str = PASSWORD,
    *,
    username: str = "ent",
    address: str = "10.0.0.1",
    device: str | None = None,
    policy: LoginPolicy = POLICY,
    now: dt.datetime | None = None,
) -> acc.LoginResult:
    with db.transaction(url) as session:
        attempt = LoginAttempt(username=username, password=password, address=address, device=device)
        return acc.log_in(session, attempt, rules(verify), policy, now)


def open_(url: str, result: acc.LoginResult) -> bool:
    with db.transaction(url) as session:
        assert result.user_id is not None
        return acc.session_open(session, result.session_key, result.user_id)


def principal(url: str, username: str = "ent") -> access.Principal:
    with db.transaction(url) as session:
        return access.principal_for(session, session.scalar(select(User).where(User.username == username)))


def add_token(url: str, username: str = "ent") -> None:
    with db.transaction(url) as session:
        acc.create_token(session, ADMIN, "ci", 30, username=username)


def live_tokens(url: str, username: str = "ent") -> int:
    with db.transaction(url) as session:
        user_id = session.scalar(select(User.id).where(User.username == username))
        query = (
            select(func.count()).select_from(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        )
        return int(session.scalar(query) or 0)


def test_d6_logging_out_ends_the_session_on_the_server(ent: str, verify: Counted) -> None:
    first, second = login(ent, verify), login(ent, verify)
    assert first.user_id is not None and first.session_key and first.session_key != second.session_key
    assert open_(ent, first) and open_(ent, second)
    with db.transaction(ent) as session:
        acc.log_out(session, first.session_key)
    assert not open_(ent, first)  # a copy of the cookie opens nothing any more
    assert open_(ent, second)  # the other browser stays logged in
    with db.transaction(ent) as session:
        why = session.scalar(select(WebSession.ended_why).where(WebSession.ended_at.is_not(None)))
        assert why == "logout"
        assert not acc.session_open(session, "made-up-key", first.user_id or 0)
        assert not acc.session_open(session, second.session_key, (first.user_id or 0) + 1)  # another user's id


def test_d15_password_change_ends_other_sessions_and_every_api_token(ent: str, verify: Counted) -> None:
    here, elsewhere = login(ent, verify), login(ent, verify)
    add_token(ent)
    assert live_tokens(ent) == 1
    who = principal(ent)
    with db.transaction(ent) as session:
        with pytest.raises(ValidationFailed) as caught:
            acc.change_password(session, who, "wrong-one", "password12", "password13", rules(verify))
        fields = {e.field: e.code for e in caught.value.errors}
        assert fields == {
            "current": "accounts.current_password_wrong",
            "new": "accounts.password_guessable",
            "confirm": "accounts.passwords_differ",
        }
    new = "Tongchuan-smelter-line-7"
    with db.transaction(ent) as session:
        acc.change_password(session, who, PASSWORD, new, new, rules(verify), session_key=here.session_key)
    assert open_(ent, here) and not open_(ent, elsewhere)
    assert live_tokens(ent) == 0
    assert login(ent, verify).user_id is None and login(ent, verify, new).user_id is not None


def test_d15_reset_and_lock_end_every_session_and_token(ent: str, verify: Counted) -> None:
    session_before = login(ent, verify)
    add_token(ent)
    with db.transaction(ent) as session:
        acc.reset_password(session, ADMIN, "ent", rules(verify))
    assert not open_(ent, session_before) and live_tokens(ent) == 0
    with db.transaction(ent) as session:
        acc.reset_password(session, ADMIN, "ent", rules(verify), PASSWORD)
    again = login(ent, verify)
    add_token(ent)
    with db.transaction(ent) as session:
        assert acc.lock_account(session, ADMIN, "ent").tokens_revoked == 1
    assert not open_(ent, again) and live_tokens(ent) == 0


def test_d8_every_failure_answers_alike_and_costs_a_hash(ent: str, verify: Counted) -> None:
    unknown = login(ent, verify, username="nobody-here")
    wrong = login(ent, verify, "wrong-password")
    with db.transaction(ent) as session:
        acc.lock_account(session, ADMIN, "boss")
    locked_right_password = login(ent, verify, "boss-password-1", username="boss")
    assert unknown == wrong == locked_right_password == acc.LoginResult()
    assert verify.calls == 3  # the unknown name was checked against a dummy hash, as long as a real one


def test_d8_failures_slow_a_name_down_but_never_lock_the_account(ent: str, verify: Counted) -> None:
    start = utcnow()
    for n in range(3):
        assert (
            login(ent, verify, "wrong-password", username="boss", now=start + dt.timedelta(seconds=n)).retry_after == 0
        )
    # the third failure asks the next attempt to wait 2 s, even with the right password
    waiting = login(ent, verify, "boss-password-1", username="boss", now=start + dt.timedelta(seconds=3))
    assert waiting.retry_after == 1 and waiting.user_id is None
    calls = verify.calls
    assert login(ent, verify, username="boss", now=start + dt.timedelta(seconds=3)).retry_after
    assert verify.calls == calls  # a waiting name costs no hash: it is not checked at all
    # once the wait is over, the right password works: failures never lock the account
    done = login(ent, verify, "boss-password-1", username="boss", now=start + dt.timedelta(seconds=5))
    assert done.user_id is not None
    with db.transaction(ent) as session:
        boss = session.scalar(select(User).where(User.username == "boss"))
        assert boss.locked_at is None and boss.failed_logins == 0
    # further failures wait longer each time: 2, 4, 8 ... s, capped
    assert [POLICY.delay(n) for n in (2, 3, 4, 5, 6, 9, 40)] == [0, 2, 4, 8, 16, 60, 60]
    # an unknown name is counted and slowed down the same way, so waiting tells nothing
    for n in range(3):
        login(ent, verify, username="ghost", now=start + dt.timedelta(seconds=n))
    assert login(ent, verify, username="ghost", now=start + dt.timedelta(seconds=3)).retry_after == 1


def test_d8_the_accounts_own_browser_is_not_slowed_by_strangers(ent: str, verify: Counted) -> None:
    own = login(ent, verify, "boss-password-1", username="boss")
    assert own.device
    start = utcnow()
    for n in range(6):  # a stranger keeps failing on the administrator's name
        login(ent, verify, "guess", username="boss", address="203.0.113.9", now=start + dt.timedelta(seconds=n))
    assert login(ent, verify, "boss-password-1", username="boss", now=start + dt.timedelta(seconds=6)).retry_after
    back = login(
        ent, verify, "boss-password-1", username="boss", device=own.device, now=start + dt.timedelta(seconds=6)
    )
    assert back.user_id is not None and back.retry_after == 0
    # an administrator releases a slowed name at once
    with db.transaction(ent) as session:
        acc.unlock_account(session, ADMIN, "boss")
    assert login(ent, verify, "boss-password-1", username="boss", now=start + dt.timedelta(seconds=7)).user_id


def test_d14_the_address_limit_is_kept_in_the_database(ent: str, verify: Counted) -> None:
    policy = LoginPolicy(rate_limit=3, rate_window_s=60, free_failures=100)
    start = utcnow()
    # each attempt in a transaction of its own, as separate workers would make them
    answers = [login(ent, verify, "x", address="198.51.100.7", policy=policy, now=start).retry_after for _ in range(4)]
    assert answers[:3] == [0, 0, 0] and answers[3] == 60
    assert login(ent, verify, PASSWORD, address="198.51.100.8", policy=policy, now=start).user_id  # another address
    later = start + dt.timedelta(seconds=61)
    assert login(ent, verify, PASSWORD, address="198.51.100.7", policy=policy, now=later).user_id  # a new window


def test_d14_counting_is_atomic_across_concurrent_workers(db_url: str) -> None:  # noqa: F811
    db.upgrade(db_url)
    key, now = store.throttle_key("address", "192.0.2.1"), utcnow()
    errors: list[BaseException] = []

    def hit() -> None:
        try:
            for _ in range(5):
                with db.transaction(db_url) as session:
                    store.count_attempt(session, key, "address", now, now - dt.timedelta(seconds=60))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=hit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    with db.transaction(db_url) as session:
        assert store.count_attempt(session, key, "address", now, now - dt.timedelta(seconds=60))[0] == 21


@pytest.mark.parametrize(
    "password", ["password12", "12345678901", "qwertyuiop", "P@ssw0rd2024", "ent-ent-ent-ent", "1111222233"]
)
def test_d12_common_and_guessable_passwords_are_refused(ent: str, verify: Counted, password: str) -> None:
    with db.transaction(ent) as session, pytest.raises(ValidationFailed) as caught:
        acc.reset_password(session, ADMIN, "ent", rules(verify), password)
    error = caught.value.errors[0]
    assert error.code in ("accounts.password_guessable", "accounts.password_too_simple") and error.field == "password"
    assert "太容易被猜中" in error.text("zh") or "过于简单" in error.text("zh")


def test_d12_a_strong_password_is_accepted_and_the_reason_reads_in_both_languages(ent: str, verify: Counted) -> None:
    with db.transaction(ent) as session:
        acc.reset_password(session, ADMIN, "ent", rules(verify), "Xianyang-Al-2025!")
        with pytest.raises(ValidationFailed) as caught:
            acc.reset_password(session, ADMIN, "ent", rules(verify), "password12")
    error = caught.value.errors[0]
    assert error.text("zh").startswith("字段“密码”：密码太容易被猜中")
    assert error.text("en").startswith("field 'password': the password is too easy to guess")
