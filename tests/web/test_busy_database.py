"""While a long import holds SQLite's write lock (probe D9), token reads and pages still work, their
bookkeeping skipped; a request that must write (an upload, a login, which records its server-side session
and counts its attempt) gets a clear 503 with Retry-After within seconds, never a 500 after a minute."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select, update
from webhelpers import PASSWORDS, TOKENS, csrf_of, make_app

from carbonpeak.store import db
from carbonpeak.store.accounts import ApiToken, User


@contextmanager
def write_lock_held(url: str) -> Iterator[None]:
    """What a long import does: another connection holds the write lock (BEGIN IMMEDIATE) until the end."""
    holder = sqlite3.connect(url.split("///", 1)[1], isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def never_used(url: str) -> None:
    with db.transaction(url) as session:
        session.execute(update(ApiToken).values(last_used_at=None))


def last_used(url: str) -> list:
    with db.transaction(url, mode="read") as session:
        return list(session.scalars(select(ApiToken.last_used_at).order_by(ApiToken.id)))


@pytest.fixture
def busy_app(fresh_url: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CARBONPEAK_SQLITE_BUSY_TIMEOUT", "1")  # a writer gives up after 1 s (default 60 s)
    never_used(fresh_url)
    from fastapi.testclient import TestClient

    return TestClient(make_app(fresh_url), raise_server_exceptions=False)


def test_reads_work_and_writers_are_told_to_retry_while_an_import_holds_the_lock(busy_app, fresh_url: str) -> None:
    with write_lock_held(fresh_url):
        me = busy_app.get("/api/v1/me", headers={"Authorization": f"Bearer {TOKENS['enterprise']}"})
        assert me.status_code == 200, me.text  # before: 500 after 60 s (last_used_at could not be written)
        assert all(value is None for value in last_used(fresh_url))  # skipped, not waited for

        # a login writes its server-side session and counts its attempt: asked to try again, at once
        page = busy_app.get("/login")
        started = time.perf_counter()
        login = busy_app.post(
            "/login",
            data={"username": "enterprise", "password": PASSWORDS["enterprise"], "csrf_token": csrf_of(page.text)},
            follow_redirects=False,
        )
        assert login.status_code == 503 and login.headers["retry-after"].isdigit(), login.text[:500]
        assert "数据库正忙" in login.text and time.perf_counter() - started < 10  # before: 500 after 60 s

        # a request that must write: a clear, coded 503 with Retry-After, in the person's language
        upload = busy_app.post(
            "/api/v1/imports",
            headers={"Authorization": f"Bearer {TOKENS['enterprise']}"},
            files={"file": ("m.csv", b"facility_id,period\nRA05,2025-01\n", "text/csv")},
        )
        assert upload.status_code == 503 and upload.headers["retry-after"].isdigit(), upload.text
        assert upload.json()["code"] == "db.busy" and "数据库正忙" in upload.json()["message"]

        # a failed login cannot go uncounted: it is asked to try again
        other = busy_app.__class__(busy_app.app, raise_server_exceptions=False)
        wrong = other.post(
            "/login",
            data={"username": "city", "password": "wrong", "csrf_token": csrf_of(other.get("/login").text)},
            follow_redirects=False,
        )
        assert wrong.status_code == 503 and "retry-after" in wrong.headers and "数据库正忙" in wrong.text
    with db.transaction(fresh_url, mode="read") as session:
        city = session.scalar(select(User).where(User.username == "city"))
        assert city is not None and city.failed_logins == 0
    page = busy_app.get("/login")  # the lock released, the same login goes through
    login = busy_app.post(
        "/login",
        data={"username": "enterprise", "password": PASSWORDS["enterprise"], "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert login.status_code == 303 and busy_app.get("/reporting").status_code == 200
    me = busy_app.get("/api/v1/me", headers={"Authorization": f"Bearer {TOKENS['enterprise']}"})
    assert me.status_code == 200 and sum(value is not None for value in last_used(fresh_url)) == 1  # noted now


def test_a_writer_that_stays_locked_out_is_a_coded_busy_error(fresh_url: str, monkeypatch) -> None:
    monkeypatch.setenv("CARBONPEAK_SQLITE_BUSY_TIMEOUT", "1")
    from carbonpeak.errors import Busy

    with write_lock_held(fresh_url), pytest.raises(Busy) as caught, db.transaction(fresh_url) as session:
        session.execute(update(ApiToken).values(last_used_at=None))
    assert caught.value.code == "db.busy" and "try again" in str(caught.value)
    assert caught.value.text("zh").startswith("数据库正忙于另一项导入")
    assert not Path(fresh_url.split("///", 1)[1] + "-journal").exists()
