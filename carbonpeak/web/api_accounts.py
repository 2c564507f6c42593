"""``/api/v1/accounts``: the administrator's accounts for machine clients (list, create, lock, unlock, reset a
password, assign and unassign verifiers). Adapters over :mod:`carbonpeak.services.accounts`; a coded error
goes to the app's handler (403, 404, 409, 422 with every problem in the person's language).

Bodies are optional in the signatures so that access is asked before a body is checked: a person who may
not manage accounts gets 403 whatever they send.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from pydantic import BaseModel, Field

from carbonpeak.services import access, accounts
from carbonpeak.web.deps import DbSession, Who, csrf_protect, settings_of
from carbonpeak.web.users import password_rules

router = APIRouter(prefix="/api/v1/accounts", dependencies=[Depends(csrf_protect)], tags=["accounts"])
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid token or session"},
    403: {"description": "only an administrator manages accounts"},
    404: {"description": "no such account"},
    409: {"description": "not possible in the account's state"},
    422: {"description": "the input has problems; each is listed with its code"},
}


class EnterpriseOut(BaseModel):
    code: str
    name_zh: str
    name_en: str


class RegionOut(BaseModel):
    code: str
    name_zh: str
    name_en: str
    level: str


class AccountOut(BaseModel):
    username: str
    display_name: str
    role: str
    lang: str
    region: RegionOut | None
    enterprise: EnterpriseOut | None
    assigned: list[EnterpriseOut]
    locked: bool
    active: bool
    failed_logins: int
    last_login_at: str | None


class AccountIn(BaseModel):
    username: str = ""
    role: str = ""
    display_name: str = ""
    region: str | None = Field(None, description="region code: a regulator's jurisdiction")
    enterprise: str | None = Field(None, description="enterprise code: an enterprise user's enterprise")
    assign: list[str] = Field(default_factory=list, description="enterprise codes a verifier checks")
    lang: str = "zh"
    password: str | None = Field(None, description="the initial password; empty: a random one, returned once")


class CreatedOut(BaseModel):
    account: AccountOut
    password: str | None = Field(None, description="the generated password, shown this once")


class PasswordIn(BaseModel):
    password: str | None = None


class AssignmentIn(BaseModel):
    enterprise: str = ""


class LockOut(BaseModel):
    account: AccountOut
    changed: bool
    tokens_revoked: int


def account_out(account: accounts.Account) -> AccountOut:
    return AccountOut(
        username=account.username,
        display_name=account.display_name,
        role=account.role,
        lang=account.lang,
        region=RegionOut(**vars(account.region)) if account.region else None,
        enterprise=EnterpriseOut(**vars(account.enterprise)) if account.enterprise else None,
        assigned=[EnterpriseOut(**vars(e)) for e in account.assigned],
        locked=account.locked,
        active=account.active,
        failed_logins=account.failed_logins,
        last_login_at=account.last_login_at.isoformat() if account.last_login_at else None,
    )


def _rules(request: Request) -> accounts.PasswordRules:
    return password_rules(settings_of(request), request.app.state.passwords)


@router.get("", responses=ERRORS, summary="Every account, with role, scope and state")
def list_accounts(session: DbSession, who: Who) -> list[AccountOut]:
    return [account_out(a) for a in accounts.list_accounts(session, who)]


@router.post("", status_code=201, responses=ERRORS, summary="Create an account")
def create_account(
    request: Request, session: DbSession, who: Who, body: Annotated[AccountIn | None, Body()] = None
) -> CreatedOut:
    access.require(who, "users.manage")
    body = body or AccountIn()
    new = accounts.NewAccount(**body.model_dump())
    created = accounts.create_account(session, who, new, _rules(request))
    session.commit()
    return CreatedOut(account=account_out(created.account), password=created.password)


@router.get("/{username}", responses=ERRORS, summary="One account")
def get_account(username: str, session: DbSession, who: Who) -> AccountOut:
    return account_out(accounts.get_account(session, who, username))


@router.post("/{username}/lock", responses=ERRORS, summary="Lock: sessions end, API tokens are revoked")
def lock_account(username: str, session: DbSession, who: Who) -> LockOut:
    change = accounts.lock_account(session, who, username)
    session.commit()
    return LockOut(account=account_out(change.account), changed=change.changed, tokens_revoked=change.tokens_revoked)


@router.post("/{username}/unlock", responses=ERRORS, summary="Unlock and forget failed logins")
def unlock_account(username: str, session: DbSession, who: Who) -> LockOut:
    change = accounts.unlock_account(session, who, username)
    session.commit()
    return LockOut(account=account_out(change.account), changed=change.changed, tokens_revoked=0)


@router.post("/{username}/password", responses=ERRORS, summary="Set a new password (random when none is sent)")
def reset_password(
    request: Request, username: str, session: DbSession, who: Who, body: Annotated[PasswordIn | None, Body()] = None
) -> CreatedOut:
    access.require(who, "users.manage")
    reset = accounts.reset_password(session, who, username, _rules(request), (body or PasswordIn()).password)
    session.commit()
    return CreatedOut(account=account_out(reset.account), password=reset.password)


@router.post("/{username}/assignments", responses=ERRORS, summary="Assign a verifier an enterprise")
def assign_verifier(
    username: str, session: DbSession, who: Who, body: Annotated[AssignmentIn | None, Body()] = None
) -> AccountOut:
    access.require(who, "users.manage")
    done = accounts.assign_verifier(session, who, username, (body or AssignmentIn()).enterprise)
    session.commit()
    return account_out(done.account)


@router.delete("/{username}/assignments/{enterprise}", responses=ERRORS, summary="Take an enterprise from a verifier")
def unassign_verifier(username: str, enterprise: str, session: DbSession, who: Who) -> AccountOut:
    done = accounts.unassign_verifier(session, who, username, enterprise)
    session.commit()
    return account_out(done.account)
