"""A person's own account: password change and API tokens."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.services import access
from carbonpeak.services.access import Principal
from carbonpeak.store.accounts import ApiToken, User
from carbonpeak.store.models import utcnow
from carbonpeak.web.deps import DbSession, Who, render, settings_of
from carbonpeak.web.i18n import _, tr
from carbonpeak.web.pages.common import context, flash, redirect
from carbonpeak.web.security import new_api_token, password_problem

router = APIRouter()


def _page(request: Request, session: Session, who: Principal, status: int = 200, **extra: object) -> Response:
    access.require(who, "account.self")
    tokens = list(session.scalars(select(ApiToken).where(access.token_filter(who)).order_by(ApiToken.id)))
    user = session.get(User, who.user_id)
    values = {"errors": {}, "new_token": None, "tokens": tokens, "user": user}
    values.update(extra)
    return render(request, "account.html", status, **context(request, **values))


@router.get("/account")
def account_page(request: Request, session: DbSession, who: Who) -> Response:
    return _page(request, session, who)


@router.post("/account/password")
def change_password(
    request: Request,
    session: DbSession,
    who: Who,
    current: Annotated[str, Form(max_length=200)] = "",
    new: Annotated[str, Form(max_length=200)] = "",
    confirm: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    access.require(who, "account.self")
    settings = settings_of(request)
    passwords = request.app.state.passwords
    user = session.get(User, who.user_id)
    assert user is not None
    errors: dict[str, str] = {}
    if not passwords.verify(user.password_hash, current):
        errors["current"] = _("The current password is wrong.")
    problem = password_problem(new, settings, username=user.username)
    if problem:
        errors["new"] = tr(problem, n=settings.password_min_length)
    elif new == current:
        errors["new"] = _("The new password must differ from the current one.")
    if new != confirm:
        errors["confirm"] = _("The two new passwords differ.")
    if errors:
        session.rollback()
        return _page(request, session, who, 422, errors=errors)
    user.password_hash = passwords.hash(new)
    user.password_changed_at = utcnow()
    user.session_epoch += 1  # every other session of this account ends
    session.commit()
    request.session["epoch"] = user.session_epoch
    flash(request, _("Your password has been changed. Other sessions of this account have ended."))
    return redirect("/account")


@router.post("/account/tokens")
def create_token(
    request: Request,
    session: DbSession,
    who: Who,
    name: Annotated[str, Form(max_length=100)] = "",
    days: Annotated[str, Form()] = "90",
) -> Response:
    access.require(who, "account.self")
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("Give the token a name (e.g. the client that will use it).")
    try:
        lifetime = int(days)
        if not 1 <= lifetime <= 366:
            raise ValueError
    except ValueError:
        errors["days"] = _("A whole number of days from 1 to 366.")
        lifetime = 0
    if errors:
        session.rollback()
        return _page(request, session, who, 422, errors=errors)
    token, digest, prefix = new_api_token()
    session.add(
        ApiToken(
            user_id=who.user_id,
            name=name.strip(),
            token_hash=digest,
            prefix=prefix,
            expires_at=utcnow() + dt.timedelta(days=lifetime),
        )
    )
    session.commit()
    return _page(request, session, who, 201, new_token=token)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(request: Request, token_id: int, session: DbSession, who: Who) -> Response:
    token = access.get_token(session, who, token_id)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    session.commit()
    flash(request, _("The token has been revoked."))
    return redirect("/account")
