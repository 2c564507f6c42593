"""Logging in and out, account lock, login rate limit, password change, sessions and CSRF."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from webhelpers import PASSWORDS, client, count_rows, csrf_of, log_in, make_app, post, token_of

from carbonpeak.store import db
from carbonpeak.store.accounts import User


def attempt(test_client: TestClient, username: str, password: str) -> Any:
    page = test_client.get("/login")
    return test_client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )


def test_login_lands_each_role_on_its_start_page(clients: dict[str, TestClient]) -> None:
    expected = {
        "admin": "/overview",
        "province": "/overview",
        "city": "/overview",
        "verifier": "/verification",
        "enterprise": "/enterprises/E02",
    }
    for role, home in expected.items():
        response = clients[role].get("/", follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == home, role


def test_wrong_passwords_slow_the_name_down_and_never_lock_the_account(fresh_url: str, monkeypatch: Any) -> None:
    """Probe D8: five wrong passwords locked any account, the administrator's included; now they only make
    the next attempt wait (growing), and the account opens with the right password once the wait is over."""
    from carbonpeak.services import accounts

    app = make_app(fresh_url, login_free_failures=3, login_first_delay_s=2)
    browser = TestClient(app)
    for _ in range(3):
        failed = attempt(browser, "admin", "wrong-password")
        assert failed.status_code == 401 and "用户名或密码错误" in failed.text and "锁定" not in failed.text
    waiting = attempt(browser, "admin", PASSWORDS["admin"])
    assert waiting.status_code == 429 and "尝试次数过多" in waiting.text
    assert 1 <= int(waiting.headers["retry-after"]) <= 2
    later = accounts.utcnow() + dt.timedelta(seconds=3)
    monkeypatch.setattr(accounts, "utcnow", lambda: later)
    assert attempt(browser, "admin", PASSWORDS["admin"]).status_code == 303
    with db.transaction(fresh_url) as session:
        admin = session.scalar(select(User).where(User.username == "admin"))
        assert admin.locked_at is None and admin.failed_logins == 0


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(fresh_app: Any) -> None:
    """Probe D8: the answer told an existing account (attempts left, locked) from an unknown name."""
    browser = TestClient(fresh_app)
    admin = client(fresh_app, "admin")
    assert post(admin, "/admin/users/city/lock").status_code == 303
    checked: list[str | None] = []
    passwords = fresh_app.state.passwords
    real = passwords.verify

    def verify(stored: str | None, password: str) -> bool:
        checked.append(stored)
        return bool(real(stored, password))

    passwords.verify = verify
    try:
        answers = [
            attempt(browser, "nobody-here", "whatever-password"),
            attempt(browser, "province", "wrong-password"),
            attempt(browser, "province", "wrong-password"),
            attempt(browser, "city", PASSWORDS["city"]),  # locked by the administrator: the right password
        ]
    finally:
        passwords.verify = real
    assert {a.status_code for a in answers} == {401}
    texts = {_login_error(a.text) for a in answers}
    assert texts == {"用户名或密码错误。"}
    assert len(checked) == 4 and checked[0] is None  # the unknown name costs a hash, as long as a real one


def _login_error(html: str) -> str:
    found = re.search(r'data-testid="login-error">([^<]*)<', html)
    assert found, "no login error on the page"
    return found[1]


def test_login_rate_limit_is_shared_by_workers_and_says_when_to_retry(fresh_url: str) -> None:
    """Probe D14: the limit was per process (4 workers, 4 times the attempts) and 429 had no Retry-After."""
    workers = [make_app(fresh_url, login_rate_limit=3, login_rate_window_s=60) for _ in range(2)]
    browsers = [TestClient(app) for app in workers]
    for browser in (browsers[0], browsers[1], browsers[0]):
        assert attempt(browser, "province", "wrong-password").status_code == 401
    limited = attempt(browsers[1], "province", PASSWORDS["province"])
    assert limited.status_code == 429 and "尝试次数过多" in limited.text
    assert 1 <= int(limited.headers["retry-after"]) <= 60


def test_x_forwarded_for_is_believed_only_from_a_trusted_proxy(fresh_url: str) -> None:
    """Probe D14: 15 attempts with 15 made-up X-Forwarded-For values were each counted as a new address."""
    # (failures of the user name do not slow it down here: only the addresses are counted)
    spoofed = TestClient(make_app(fresh_url, login_rate_limit=3, login_free_failures=100))  # no trusted proxy
    answers = [attempt_from(spoofed, f"198.51.100.{n}").status_code for n in range(5)]
    assert answers == [401, 401, 401, 429, 429]
    proxied = TestClient(
        make_app(fresh_url, login_rate_limit=3, login_free_failures=100, trusted_proxies="testclient, 10.0.0.0/8")
    )
    answers = [attempt_from(proxied, f"203.0.113.{n}, 10.1.2.3").status_code for n in range(5)]
    assert answers == [401] * 5  # behind the proxy, each client is counted on its own
    same = [attempt_from(proxied, "192.0.2.50, 203.0.113.77, 10.1.2.3").status_code for _ in range(4)]
    assert same == [401, 401, 401, 429]  # the nearest address not a proxy, not what the client wrote first


def attempt_from(test_client: TestClient, forwarded: str) -> Any:
    page = test_client.get("/login")
    return test_client.post(
        "/login",
        data={"username": "province", "password": "wrong-password", "csrf_token": csrf_of(page.text)},
        headers={"X-Forwarded-For": forwarded},
        follow_redirects=False,
    )


def test_login_refuses_a_missing_csrf_token(shared_app: Any) -> None:
    browser = TestClient(shared_app)
    browser.get("/login")
    response = browser.post("/login", data={"username": "admin", "password": PASSWORDS["admin"]})
    assert response.status_code == 403
    assert "表单已过期" in response.text


def test_state_changing_request_without_or_with_a_wrong_csrf_token_is_refused(fresh_app: Any) -> None:
    province = client(fresh_app, "province")
    for data in ({}, {"csrf_token": "forged"}):
        response = province.post("/warnings/1/acknowledge", data=data, follow_redirects=False)
        assert response.status_code == 403 and "表单已过期" in response.text
    api = province.post("/api/v1/warnings/1/acknowledge", json={})
    assert api.status_code == 403 and api.json()["error"] == "csrf_failed"


def test_next_after_login_stays_on_this_site(shared_app: Any) -> None:
    browser = TestClient(shared_app)
    page = browser.get("/login?next=//evil.example/x")
    response = browser.post(
        "/login",
        data={
            "username": "admin",
            "password": PASSWORDS["admin"],
            "csrf_token": csrf_of(page.text),
            "next": "//evil.example",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/overview"
    anonymous = TestClient(shared_app)
    redirect = anonymous.get("/warnings?status=open", follow_redirects=False)
    assert redirect.status_code == 303 and redirect.headers["location"] == "/login?next=/warnings%3Fstatus%3Dopen"


def test_logout_ends_the_session(shared_app: Any) -> None:
    browser = client(shared_app, "province")
    assert post(browser, "/logout").status_code == 303
    assert browser.get("/overview", follow_redirects=False).status_code == 303


def test_a_cookie_copied_before_logout_opens_nothing_after_it(fresh_app: Any, fresh_url: str) -> None:
    """Probe D6: sessions were signed cookies only, so a copy taken before logout still worked, and could
    even make a 366-day API token."""
    browser = client(fresh_app, "enterprise")
    csrf = token_of(browser)
    thief = TestClient(fresh_app, cookies=dict(browser.cookies))
    assert thief.get("/account").status_code == 200  # the copy works while the session lives
    assert post(browser, "/logout").status_code == 303
    assert thief.get("/account", follow_redirects=False).status_code == 401
    assert thief.get("/api/v1/me").status_code == 401
    tokens = count_rows(fresh_url, "web_api_token")
    made = thief.post(
        "/account/tokens", data={"name": "stolen", "days": "366", "csrf_token": csrf}, follow_redirects=False
    )
    assert made.status_code in (401, 403) and "cp_" not in made.text
    assert count_rows(fresh_url, "web_api_token") == tokens
    other = client(fresh_app, "enterprise")  # logging in again works, and another session is untouched
    assert other.get("/account").status_code == 200


def test_a_password_change_ends_the_accounts_api_tokens(fresh_app: Any) -> None:
    """Probe D15: after a password change the account's API tokens kept working."""
    browser = client(fresh_app, "enterprise")
    made = post(browser, "/account/tokens", {"name": "ci", "days": "30"})
    assert made.status_code == 201
    token = re.search(r'data-testid="new-token">([^<]+)<', made.text)
    assert token
    api = TestClient(fresh_app, headers={"Authorization": f"Bearer {token[1]}"})
    assert api.get("/api/v1/me").status_code == 200
    new = "Tongchuan-smelter-line-7"
    changed = post(browser, "/account/password", {"current": PASSWORDS["enterprise"], "new": new, "confirm": new})
    assert changed.status_code == 303
    assert api.get("/api/v1/me").status_code == 401
    assert browser.get("/account").status_code == 200  # the session that changed it goes on


def test_a_common_password_is_refused_with_the_reason_in_the_persons_language(fresh_app: Any) -> None:
    """Probe D12: password12 and 12345678901 were accepted."""
    browser = client(fresh_app, "enterprise")
    for weak in ("password12", "12345678901"):
        refused = post(browser, "/account/password", {"current": PASSWORDS["enterprise"], "new": weak, "confirm": weak})
        assert refused.status_code == 422 and "密码太容易被猜中" in refused.text
        assert 'data-field-error="new"' in refused.text
    post(browser, "/lang", {"lang": "en", "next": "/account"})
    weak = "password12"
    refused = post(browser, "/account/password", {"current": PASSWORDS["enterprise"], "new": weak, "confirm": weak})
    assert refused.status_code == 422 and "the password is too easy to guess" in refused.text


def test_token_name_and_days_are_checked_by_the_use_case(fresh_app: Any) -> None:
    """Probe D7: every stored free text has a limit, refused beside its field with the limit named."""
    browser = client(fresh_app, "enterprise")
    refused = post(browser, "/account/tokens", {"name": "n" * 101, "days": "400"})
    assert refused.status_code == 422
    assert "最多 100 个字符（现为 101 个）" in refused.text and "1 至 366" in refused.text
    assert 'data-field-error="name"' in refused.text and 'data-field-error="days"' in refused.text


def test_password_change_errors_next_to_fields_then_success(fresh_app: Any) -> None:
    browser = client(fresh_app, "enterprise")
    other = client(fresh_app, "enterprise")  # a second session of the same account
    bad = post(browser, "/account/password", {"current": "wrong", "new": "short", "confirm": "different"})
    assert bad.status_code == 422
    for field in ("current", "new", "confirm"):
        assert f'data-field-error="{field}"' in bad.text
    assert "当前密码不正确" in bad.text and "密码至少需要 10 个字符" in bad.text
    new = "a-new-password-2026"
    good = post(browser, "/account/password", {"current": PASSWORDS["enterprise"], "new": new, "confirm": new})
    assert good.status_code == 303
    assert browser.get("/account").status_code == 200  # this session goes on
    expired = other.get("/account", follow_redirects=False)  # the other one has ended
    assert expired.status_code == 401 and "会话已过期" in expired.text
    fresh = TestClient(fresh_app)
    assert attempt(fresh, "enterprise", PASSWORDS["enterprise"]).status_code == 401
    log_in(fresh, "enterprise", new)


def test_an_idle_session_expires_with_a_page_in_the_users_language(fresh_url: str, monkeypatch: Any) -> None:
    app = make_app(fresh_url, session_idle_s=60)
    browser = client(app, "province")
    post(browser, "/lang", {"lang": "en", "next": "/overview"})
    later = time.time() + 120
    monkeypatch.setattr(time, "time", lambda: later)
    response = browser.get("/overview", follow_redirects=False)
    assert response.status_code == 401
    assert "Your session has expired" in response.text
    api = browser.get("/api/v1/me")
    assert api.status_code == 401 and api.json()["error"] in ("login_required", "session_expired")


def test_a_locked_account_loses_its_sessions_and_tokens(fresh_app: Any) -> None:
    from webhelpers import TOKENS

    browser = client(fresh_app, "verifier")
    assert browser.get("/reporting").status_code == 200
    admin = client(fresh_app, "admin")
    assert post(admin, "/admin/users/verifier/lock").status_code == 303
    assert browser.get("/reporting", follow_redirects=False).status_code == 401
    api = TestClient(fresh_app).get("/api/v1/me", headers={"Authorization": f"Bearer {TOKENS['verifier']}"})
    assert api.status_code == 401
