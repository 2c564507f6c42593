"""Logging in and out, the language switch, and the front door."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.errors import Busy
from carbonpeak.services.access import Principal
from carbonpeak.store.accounts import User
from carbonpeak.store.models import utcnow
from carbonpeak.web import i18n
from carbonpeak.web.deps import BriefSession, DbSession, MaybeWho, Who, commit_bookkeeping, render, settings_of
from carbonpeak.web.errors import RateLimited
from carbonpeak.web.i18n import _
from carbonpeak.web.pages.common import context, flash, home, redirect, safe_next
from carbonpeak.web.security import new_csrf_token

router = APIRouter()


@router.get("/")
def index(session: DbSession, who: Who) -> Response:
    return redirect(home(session, who))


@router.get("/login")
def login_form(request: Request, who: MaybeWho, next: str = "/") -> Response:
    if who is not None:
        return redirect(safe_next(next))
    return render(request, "login.html", **context(request, next=safe_next(next), username="", error=None))


@router.post("/login")
def login(
    request: Request,
    session: BriefSession,  # the login's bookkeeping must not wait for a long import (D9)
    username: Annotated[str, Form(max_length=100)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    settings = settings_of(request)
    limiter = request.app.state.login_limiter
    client = request.client.host if request.client else "unknown"
    name = username.strip()
    for key in (f"ip:{client}", f"user:{name.lower()}"):
        if not limiter.hit(key):
            raise RateLimited(seconds=limiter.retry_after(key))
    user = session.scalar(select(User).where(User.username == name))
    passwords = request.app.state.passwords
    good = passwords.verify(user.password_hash if user else None, password)
    error = None
    if user is None or not user.active:
        error = _("The user name or password is wrong.")
    elif user.locked_at is not None:
        error = _("This account is locked after too many failed logins. Ask an administrator to unlock it.")
    elif not good:
        user.failed_logins += 1
        if user.failed_logins >= settings.max_failed_logins:
            user.locked_at = utcnow()
            user.session_epoch += 1
            error = _("This account is locked after too many failed logins. Ask an administrator to unlock it.")
        else:
            left = settings.max_failed_logins - user.failed_logins
            error = (
                _("The user name or password is wrong.")
                + " "
                + i18n.ngettext(
                    "%(num)d attempt left before the account is locked.",
                    "%(num)d attempts left before the account is locked.",
                    left,
                )
            )
    if error is not None:
        if not commit_bookkeeping(session):  # a failed attempt is always counted: else ask to try again
            raise Busy()
        page = render(request, "login.html", 401, **context(request, next=safe_next(next), username=name, error=error))
        return page
    assert user is not None
    user.failed_logins = 0
    user.last_login_at = utcnow()
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash(password)
    commit_bookkeeping(session)  # best effort: skipped while another writer holds the database
    lang = request.session.get("lang") or user.lang
    request.session.clear()
    now = time.time()
    request.session.update(
        {"uid": user.id, "epoch": user.session_epoch, "born": now, "seen": now, "csrf": new_csrf_token(), "lang": lang}
    )
    limiter.reset(f"user:{name.lower()}")
    return redirect(safe_next(next, home(session, _principal_of(session, user))))


def _principal_of(session: Session, user: User) -> Principal:
    from carbonpeak.services.access import principal_for

    return principal_for(session, user)


@router.post("/logout")
def logout(request: Request) -> Response:
    lang = request.session.get("lang")
    request.session.clear()
    if lang:
        request.session["lang"] = lang
    flash(request, _("You have logged out."))
    return redirect("/login")


@router.post("/lang")
def set_language(
    request: Request,
    lang: Annotated[str, Form()],
    session: DbSession,
    who: MaybeWho,
    next: Annotated[str, Form()] = "/",
) -> Response:
    chosen = lang if lang in i18n.LANGS else settings_of(request).default_lang
    request.session["lang"] = chosen
    if who is not None and not who.via_token:
        user = session.get(User, who.user_id)
        if user is not None:
            user.lang = chosen
            session.commit()
    return redirect(safe_next(next))
