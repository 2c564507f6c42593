"""A person's own account: password change and API tokens (use cases of :mod:`carbonpeak.services.accounts`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.errors import ValidationFailed
from carbonpeak.services import access, accounts
from carbonpeak.services.access import Principal
from carbonpeak.store.accounts import ApiToken, User
from carbonpeak.store.models import utcnow
from carbonpeak.web import i18n
from carbonpeak.web.deps import DbSession, Who, render, settings_of
from carbonpeak.web.i18n import _
from carbonpeak.web.pages.common import context, flash, redirect
from carbonpeak.web.users import password_rules

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
    current: Annotated[str, Form(max_length=400)] = "",
    new: Annotated[str, Form(max_length=400)] = "",
    confirm: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    """Every other session of the account ends and every API token is revoked; this session goes on."""
    rules = password_rules(settings_of(request), request.app.state.passwords)
    try:
        epoch = accounts.change_password(
            session, who, current, new, confirm, rules, session_key=request.session.get("sid")
        )
    except ValidationFailed as failed:
        session.rollback()
        return _page(request, session, who, 422, errors=_beside(failed))
    session.commit()
    request.session["epoch"] = epoch
    flash(request, _("Your password has been changed. Other sessions and the API tokens of this account have ended."))
    return redirect("/account")


@router.post("/account/tokens")
def create_token(
    request: Request,
    session: DbSession,
    who: Who,
    name: Annotated[str, Form()] = "",
    days: Annotated[str, Form()] = "90",
) -> Response:
    try:
        made = accounts.create_token(session, who, name, days)
    except ValidationFailed as failed:
        session.rollback()
        return _page(request, session, who, 422, errors=_beside(failed))
    session.commit()
    return _page(request, session, who, 201, new_token=made.token)


def _beside(failed: ValidationFailed) -> dict[str, str]:
    """Each problem beside its field of the page (the token's name is the form's ``name``)."""
    lang = i18n.current_lang()
    errors: dict[str, str] = {}
    for error in failed.errors:
        where = "name" if error.field == "token_name" else str(error.field)
        errors.setdefault(where, error.message_text(lang))
    return errors


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(request: Request, token_id: int, session: DbSession, who: Who) -> Response:
    token = access.get_token(session, who, token_id)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    session.commit()
    flash(request, _("The token has been revoked."))
    return redirect("/account")
