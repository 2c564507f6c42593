"""The administrator's list of accounts: lock, unlock, reset a password."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from carbonpeak.services import access
from carbonpeak.store.accounts import User
from carbonpeak.web import users
from carbonpeak.web.deps import DbSession, Who, render, settings_of
from carbonpeak.web.i18n import _
from carbonpeak.web.pages.common import context, flash, redirect

router = APIRouter()


@router.get("/admin/users")
def users_page(request: Request, session: DbSession, who: Who) -> Response:
    access.require(who, "users.manage")
    rows = list(session.scalars(select(User).where(access.user_filter(who)).order_by(User.role, User.username)))
    return render(request, "users.html", **context(request, users=rows, new_password=None))


@router.post("/admin/users/{username}/lock")
def lock_user(request: Request, username: str, session: DbSession, who: Who) -> Response:
    user = access.get_user(session, who, username)
    users.lock(session, user.username, who.actor)
    session.commit()
    flash(request, _("%(user)s is locked.", user=user.username))
    return redirect("/admin/users")


@router.post("/admin/users/{username}/unlock")
def unlock_user(request: Request, username: str, session: DbSession, who: Who) -> Response:
    user = access.get_user(session, who, username)
    users.unlock(session, user.username, who.actor)
    session.commit()
    flash(request, _("%(user)s is unlocked.", user=user.username))
    return redirect("/admin/users")


@router.post("/admin/users/{username}/reset")
def reset_user(request: Request, username: str, session: DbSession, who: Who) -> Response:
    user = access.get_user(session, who, username)
    password = users.reset_password(session, user.username, who.actor, settings=settings_of(request))
    session.commit()
    rows = list(session.scalars(select(User).where(access.user_filter(who)).order_by(User.role, User.username)))
    return render(request, "users.html", **context(request, users=rows, new_password=(user.username, password)))
