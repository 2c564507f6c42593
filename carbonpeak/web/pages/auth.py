"""Logging in and out, the language switch, and the front door."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from carbonpeak.errors import Busy
from carbonpeak.services import accounts
from carbonpeak.services.access import Principal
from carbonpeak.store.accounts import User
from carbonpeak.web import i18n
from carbonpeak.web.deps import DbSession, MaybeWho, Who, commit_bookkeeping, render, settings_of
from carbonpeak.web.errors import RateLimited
from carbonpeak.web.i18n import _
from carbonpeak.web.pages.common import context, flash, home, redirect, safe_next
from carbonpeak.web.security import DEVICE_COOKIE, DeviceCookies, client_address, new_csrf_token
from carbonpeak.web.users import login_policy, password_rules

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
    session: DbSession,  # a login writes (its session, its attempt): it waits for the write lock like any writer
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=400)] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """One answer for every failure (unknown name, wrong password, locked or inactive account); 429 with
    Retry-After when the address or the user name has to wait (:func:`accounts.log_in`)."""
    settings = settings_of(request)
    name = username.strip()
    address = client_address(
        request.client.host if request.client else None,
        request.headers.get("x-forwarded-for"),
        settings.trusted_proxies,
    )
    devices = _devices(request)
    attempt = accounts.LoginAttempt(
        username=name,
        password=password,
        address=address,
        device=devices.device_for(request.cookies.get(DEVICE_COOKIE), name),
    )
    rules = password_rules(settings, request.app.state.passwords)
    result = accounts.log_in(session, attempt, rules, login_policy(settings))
    if not commit_bookkeeping(session):  # an attempt is always counted: else ask to try again (503)
        raise Busy()
    if result.retry_after:
        raise RateLimited(seconds=result.retry_after)
    if result.user_id is None:
        error = _("The user name or password is wrong.")
        return render(request, "login.html", 401, **context(request, next=safe_next(next), username=name, error=error))
    user = session.get(User, result.user_id)
    assert user is not None
    lang = request.session.get("lang") or result.lang
    request.session.clear()
    now = time.time()
    request.session.update(
        {
            "uid": result.user_id,
            "sid": result.session_key,
            "epoch": result.session_epoch,
            "born": now,
            "seen": now,
            "csrf": new_csrf_token(),
            "lang": lang,
        }
    )
    response = redirect(safe_next(next, home(session, _principal_of(session, user))))
    if result.device:
        response.set_cookie(
            DEVICE_COOKIE,
            devices.make(name, result.device),
            max_age=settings.device_cookie_days * 86400,
            httponly=True,
            samesite="lax",
            secure=settings.https_only,
        )
    return response


def _devices(request: Request) -> DeviceCookies:
    settings = settings_of(request)
    return DeviceCookies(settings.secret_key, settings.device_cookie_days * 86400)


def _principal_of(session: Session, user: User) -> Principal:
    from carbonpeak.services.access import principal_for

    return principal_for(session, user)


@router.post("/logout")
def logout(request: Request, session: DbSession) -> Response:
    """End the session on the server (a copy of the cookie opens nothing any more) and in the browser."""
    accounts.log_out(session, request.session.get("sid"))
    session.commit()
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
