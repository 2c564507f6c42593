"""The administrator's accounts in the web: the page in Chinese, the creation form with every problem at once,
lock and unlock (sessions and API tokens end), verifier assignments, CSRF, and ``/api/v1/accounts``."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from webhelpers import client, log_in, post, token_of

from carbonpeak.store import db
from carbonpeak.store.accounts import User


def accounts_of(url: str) -> int:
    with db.transaction(url) as session:
        return int(session.scalar(select(func.count()).select_from(User)) or 0)


def row_of(html: str, username: str) -> str:
    match = re.search(rf'<tr data-user="{re.escape(username)}">(.*?)</tr>', html, re.S)
    assert match, f"no row for {username}"
    return match[1]


def test_the_page_lists_accounts_in_chinese_with_names_not_codes(clients: dict[str, TestClient]) -> None:
    page = clients["admin"].get("/admin/users")
    assert page.status_code == 200
    html = page.text
    assert "账户管理" in html and "新建账户" in html and "创建账户" in html
    assert "carbonpeak users create" not in html  # no command line to copy any more
    assert "市级监管人员" in row_of(html, "city") and "核查人员" in row_of(html, "verifier")
    enterprise_row = row_of(html, "enterprise")
    assert "企业用户" in enterprise_row and ">E02<" not in enterprise_row and "E02 " not in enterprise_row
    verifier_row = row_of(html, "verifier")
    assert 'action="/admin/users/verifier/assign"' in verifier_row and "取消" in verifier_row
    # the assignment and creation forms offer enterprises by name (the code is only the option's value)
    options = re.findall(r'<option value="E0\d">([^<]+)</option>', html)
    assert options and all(not re.fullmatch(r"E\d+", label.strip()) for label in options)
    assert 'data-testid="new-password"' not in html


def test_only_an_administrator_reaches_the_page(clients: dict[str, TestClient]) -> None:
    for role in ("enterprise", "city", "province", "verifier"):
        assert clients[role].get("/admin/users").status_code == 403
        response = post(clients[role], "/admin/users", {"username": "x", "role": "admin"})
        assert response.status_code == 403


def test_create_an_account_with_a_generated_password_that_logs_in(fresh_app: Any, fresh_url: str) -> None:
    admin = client(fresh_app, "admin")
    before = accounts_of(fresh_url)
    response = post(
        admin,
        "/admin/users",
        {"username": "wang", "display_name": "王工", "role": "enterprise", "enterprise": "E01", "lang": "zh"},
    )
    assert response.status_code == 200, response.text[:1000]
    assert "账户 wang 已创建。" in response.text
    shown = re.search(r'data-testid="new-password">.*?<span class="token">([^<]+)</span>', response.text, re.S)
    assert shown, "the generated password is shown once"
    assert accounts_of(fresh_url) == before + 1
    assert "企业用户" in row_of(response.text, "wang") and "王工" in row_of(response.text, "wang")
    again = admin.get("/admin/users").text
    assert shown[1] not in again  # shown once only
    log_in(TestClient(fresh_app), "wang", shown[1])


def test_every_problem_of_the_form_is_shown_in_chinese_and_nothing_is_written(fresh_app: Any, fresh_url: str) -> None:
    admin = client(fresh_app, "admin")
    before = accounts_of(fresh_url)
    response = post(
        admin,
        "/admin/users",
        {"username": "has space", "role": "city_regulator", "region": "nowhere", "password": "short"},
    )
    assert response.status_code == 422
    html = response.text
    assert "用户名须为 1 至 100 个字符，且不含空格" in html
    assert "行政区 nowhere 不在登记册中" in html
    assert "密码至少需要 10 个字符" in html
    assert 'data-field-error="username"' in html and 'data-field-error="region"' in html
    assert 'value="has space"' in html  # the form keeps what was entered (never the password)
    response = post(admin, "/admin/users", {"username": "li", "role": "enterprise", "enterprise": "E99"})
    assert response.status_code == 422 and "企业 E99 不在登记册中" in response.text
    assert accounts_of(fresh_url) == before


def test_a_form_without_the_csrf_token_is_refused(fresh_app: Any, fresh_url: str) -> None:
    admin = client(fresh_app, "admin")
    before = accounts_of(fresh_url)
    response = admin.post("/admin/users", data={"username": "zhao", "role": "admin"}, follow_redirects=False)
    assert response.status_code == 403
    response = admin.post("/admin/users/enterprise/lock", data={}, follow_redirects=False)
    assert response.status_code == 403
    assert accounts_of(fresh_url) == before
    with db.transaction(fresh_url) as session:
        assert session.scalar(select(User.locked_at).where(User.username == "enterprise")) is None


def test_locking_ends_the_session_and_the_api_tokens(fresh_app: Any) -> None:
    from webhelpers import TOKENS

    admin = client(fresh_app, "admin")
    enterprise = client(fresh_app, "enterprise")
    api = TestClient(fresh_app)
    bearer = {"Authorization": f"Bearer {TOKENS['enterprise']}"}
    assert api.get("/api/v1/me", headers=bearer).status_code == 200
    response = post(admin, "/admin/users/enterprise/lock")
    assert response.status_code == 303
    page = admin.get("/admin/users").text
    assert "enterprise 已锁定。" in page or "已锁定" in row_of(page, "enterprise")
    assert enterprise.get("/reporting", follow_redirects=False).status_code == 401  # the session has ended
    assert api.get("/api/v1/me", headers=bearer).status_code == 401
    assert post(admin, "/admin/users/enterprise/unlock").status_code == 303
    assert "已解锁" in admin.get("/admin/users").text or "正常" in row_of(admin.get("/admin/users").text, "enterprise")
    assert api.get("/api/v1/me", headers=bearer).status_code == 401  # a revoked token stays revoked
    log_in(TestClient(fresh_app), "enterprise")  # the account itself works again


def test_an_administrator_cannot_lock_themselves(fresh_app: Any) -> None:
    admin = client(fresh_app, "admin")
    assert 'action="/admin/users/admin/lock"' not in admin.get("/admin/users").text
    assert post(admin, "/admin/users/admin/lock").status_code == 303
    assert "不能锁定自己的账户" in admin.get("/admin/users").text
    assert admin.get("/admin/users").status_code == 200  # still logged in


def test_verifier_assignment_from_the_page(fresh_app: Any) -> None:
    admin = client(fresh_app, "admin")
    verifier = client(fresh_app, "verifier")
    assert sorted(verifier.get("/api/v1/me").json()["enterprises"]) == ["E01", "E02"]
    response = post(admin, "/admin/users/verifier/assign", {"enterprise": "E05"})
    assert response.status_code == 303
    page = admin.get("/admin/users").text
    assert "现负责核查" in page
    assert sorted(client(fresh_app, "verifier").get("/api/v1/me").json()["enterprises"]) == ["E01", "E02", "E05"]
    assert post(admin, "/admin/users/verifier/assign", {"enterprise": "E05"}).status_code == 303
    assert "已被指派企业 E05" in admin.get("/admin/users").text
    assert post(admin, "/admin/users/verifier/unassign", {"enterprise": "E01"}).status_code == 303
    assert "不再核查" in admin.get("/admin/users").text
    assert sorted(client(fresh_app, "verifier").get("/api/v1/me").json()["enterprises"]) == ["E02", "E05"]
    assert post(admin, "/admin/users/city/assign", {"enterprise": "E01"}).status_code == 303
    assert "不是核查人员" in admin.get("/admin/users").text


def test_the_page_in_english(fresh_app: Any) -> None:
    admin = client(fresh_app, "admin")
    admin.post("/lang", data={"lang": "en", "csrf_token": token_of(admin, "/admin/users")})
    response = post(admin, "/admin/users", {"username": "li", "role": "enterprise", "enterprise": "E99"})
    assert response.status_code == 422
    assert "the enterprise E99 is not in the registry" in response.text and "New account" in response.text


def test_the_accounts_api(fresh_app: Any) -> None:
    from webhelpers import TOKENS

    api = TestClient(fresh_app)
    admin = {"Authorization": f"Bearer {TOKENS['admin']}"}
    listed = api.get("/api/v1/accounts", headers=admin).json()
    assert {a["username"] for a in listed} >= {"admin", "enterprise", "verifier"}
    bad = api.post(
        "/api/v1/accounts",
        headers=admin | {"Accept-Language": "zh"},
        json={"username": "zz", "role": "enterprise", "enterprise": "E99", "password": "x"},
    )
    assert bad.status_code == 422
    assert {d["code"] for d in bad.json()["details"]} == {"accounts.enterprise_unknown", "accounts.password_too_short"}
    assert "企业 E99 不在登记册中" in str(bad.json()["details"])
    made = api.post("/api/v1/accounts", headers=admin, json={"username": "zz", "role": "verifier", "assign": ["E01"]})
    assert made.status_code == 201 and made.json()["password"]
    assert made.json()["account"]["assigned"][0]["name_zh"]
    assigned = api.post("/api/v1/accounts/zz/assignments", headers=admin, json={"enterprise": "E02"})
    assert [e["code"] for e in assigned.json()["assigned"]] == ["E01", "E02"]
    removed = api.delete("/api/v1/accounts/zz/assignments/E01", headers=admin)
    assert [e["code"] for e in removed.json()["assigned"]] == ["E02"]
    locked = api.post("/api/v1/accounts/zz/lock", headers=admin).json()
    assert locked["changed"] and locked["account"]["locked"]
    assert api.post("/api/v1/accounts/zz/unlock", headers=admin).json()["account"]["locked"] is False
    reset = api.post("/api/v1/accounts/zz/password", headers=admin)
    assert reset.status_code == 200 and reset.json()["password"]
    assert api.get("/api/v1/accounts/nobody", headers=admin).status_code == 404
    other = {"Authorization": f"Bearer {TOKENS['province']}"}
    assert api.get("/api/v1/accounts", headers=other).status_code == 403
    assert api.post("/api/v1/accounts", headers=other, json={"username": "q"}).status_code == 403
