"""Logging in and out, account lock, login rate limit, password change, sessions and CSRF."""

from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from webhelpers import PASSWORDS, client, csrf_of, log_in, make_app, post

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
        "verifier": "/reporting",
        "enterprise": "/enterprises/E02",
    }
    for role, home in expected.items():
        response = clients[role].get("/", follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == home, role


def test_wrong_password_then_lock_after_the_configured_number(fresh_url: str) -> None:
    app = make_app(fresh_url, max_failed_logins=3)
    browser = TestClient(app)
    first = attempt(browser, "city", "wrong-password")
    assert first.status_code == 401
    assert "用户名或密码错误" in first.text and "再失败 2 次" in first.text
    attempt(browser, "city", "wrong-password")
    third = attempt(browser, "city", "wrong-password")
    assert "账户已锁定" in third.text
    # the right password no longer opens a locked account
    locked = attempt(browser, "city", PASSWORDS["city"])
    assert locked.status_code == 401 and "账户已锁定" in locked.text
    with db.transaction(fresh_url) as session:
        user = session.scalar(select(User).where(User.username == "city"))
        assert user.locked_at is not None and user.failed_logins == 3
    # an administrator unlocks it
    admin = client(app, "admin")
    assert post(admin, "/admin/users/city/unlock").status_code == 303
    assert attempt(browser, "city", PASSWORDS["city"]).status_code == 303


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(shared_app: Any) -> None:
    browser = TestClient(shared_app)
    response = attempt(browser, "nobody-here", "whatever-password")
    assert response.status_code == 401 and "用户名或密码错误" in response.text
    assert "再失败" not in response.text


def test_login_rate_limit(fresh_url: str) -> None:
    app = make_app(fresh_url, login_rate_limit=3, login_rate_window_s=60)
    browser = TestClient(app)
    for _ in range(3):
        assert attempt(browser, "province", "wrong-password").status_code == 401
    limited = attempt(browser, "province", PASSWORDS["province"])
    assert limited.status_code == 429
    assert "尝试次数过多" in limited.text


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
