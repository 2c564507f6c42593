"""The administrator's accounts page: list, create, lock, unlock, reset a password, assign verifiers.

Adapters over :mod:`carbonpeak.services.accounts`: each handler passes the form on, commits, and shows
the result or the coded problems in the person's language.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from carbonpeak.errors import AccessDenied, CarbonpeakError, InputError, NotFound, ValidationFailed
from carbonpeak.services import accounts
from carbonpeak.services.access import Principal
from carbonpeak.web.deps import DbSession, Who, render, settings_of
from carbonpeak.web.i18n import _, current_lang
from carbonpeak.web.pages.common import context, flash, redirect
from carbonpeak.web.users import password_rules

router = APIRouter()
PAGE = "/admin/users"
FORM_FIELDS = ("username", "display_name", "role", "region", "enterprise", "assign", "lang", "password")


def _page(
    request: Request,
    session: DbSession,
    who: Principal,
    status_code: int = 200,
    **values: Any,
) -> Response:
    rows = accounts.list_accounts(session, who)
    offered = accounts.choices(session, who)
    values.setdefault("form", {})
    values.setdefault("errors", {})
    values.setdefault("general", [])
    values.setdefault("new_password", None)
    return render(
        request,
        "users.html",
        status_code=status_code,
        **context(request, accounts=rows, choices=offered, me=who.username, **values),
    )


@router.get(PAGE)
def users_page(request: Request, session: DbSession, who: Who) -> Response:
    return _page(request, session, who)


@router.post(PAGE)
def create_account(
    request: Request,
    session: DbSession,
    who: Who,
    username: Annotated[str, Form()] = "",
    display_name: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
    region: Annotated[str, Form()] = "",
    enterprise: Annotated[str, Form()] = "",
    assign: Annotated[list[str] | None, Form()] = None,
    lang: Annotated[str, Form()] = "zh",
    password: Annotated[str, Form()] = "",
) -> Response:
    new = accounts.NewAccount(
        username=username,
        role=role,
        display_name=display_name,
        region=region or None,
        enterprise=enterprise or None,
        assign=tuple(assign or ()),
        lang=lang,
        password=password or None,
    )
    try:
        created = accounts.create_account(session, who, new, _rules(request))
    except ValidationFailed as exc:
        session.rollback()
        errors: dict[str, list[str]] = {}
        for problem in exc.errors:
            errors.setdefault(problem.field or "", []).append(problem.message_text(current_lang()))
        form = {"username": username, "display_name": display_name, "role": role, "region": region}
        form |= {"enterprise": enterprise, "assign": list(assign or ()), "lang": lang}
        return _page(request, session, who, 422, form=form, errors=errors)
    session.commit()
    flash(request, _("The account %(user)s is created.", user=created.account.username))
    if created.password is None:
        return redirect(PAGE)
    return _page(request, session, who, new_password=(created.account.username, created.password))


@router.post(PAGE + "/{username}/lock")
def lock_user(request: Request, username: str, session: DbSession, who: Who) -> Response:
    return _act(request, session, lambda: accounts.lock_account(session, who, username), _("%(user)s is locked."))


@router.post(PAGE + "/{username}/unlock")
def unlock_user(request: Request, username: str, session: DbSession, who: Who) -> Response:
    return _act(request, session, lambda: accounts.unlock_account(session, who, username), _("%(user)s is unlocked."))


@router.post(PAGE + "/{username}/reset")
def reset_user(request: Request, username: str, session: DbSession, who: Who) -> Response:
    reset = accounts.reset_password(session, who, username, _rules(request))
    session.commit()
    return _page(request, session, who, new_password=(reset.account.username, reset.password))


@router.post(PAGE + "/{username}/assign")
def assign_verifier(
    request: Request, username: str, session: DbSession, who: Who, enterprise: Annotated[str, Form()] = ""
) -> Response:
    done = _("%(user)s now checks %(enterprise)s.")
    return _act(request, session, lambda: accounts.assign_verifier(session, who, username, enterprise), done)


@router.post(PAGE + "/{username}/unassign")
def unassign_verifier(
    request: Request, username: str, session: DbSession, who: Who, enterprise: Annotated[str, Form()] = ""
) -> Response:
    done = _("%(user)s no longer checks %(enterprise)s.")
    return _act(request, session, lambda: accounts.unassign_verifier(session, who, username, enterprise), done)


def _act(request: Request, session: DbSession, action: Any, done: str) -> Response:
    """Run a use case; on success say so, on a problem the person can act on say that (in their language);
    a refusal (403) or an unknown account (404) is the error page."""
    try:
        result = action()
    except (AccessDenied, NotFound):
        raise
    except (InputError, CarbonpeakError) as exc:
        session.rollback()
        flash(request, exc.text(current_lang()), "error")
        return redirect(PAGE)
    session.commit()
    account = result.account
    enterprise = getattr(result, "enterprise", None)
    name = enterprise.name_zh if enterprise and current_lang() == "zh" else enterprise.name_en if enterprise else ""
    flash(request, done % {"user": account.username, "enterprise": name})
    return redirect(PAGE)


def _rules(request: Request) -> accounts.PasswordRules:
    return password_rules(settings_of(request), request.app.state.passwords)
