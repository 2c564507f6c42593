"""Accounts, as an administrator manages them: create, lock, unlock, reset a password, assign a verifier
to an enterprise, list.

Each use case checks access first (``users.manage``), then validates (every problem, coded: texts in
``carbonpeak/messages/accounts.yaml``), writes in the caller's transaction, writes an audit event (entity
``user``, never with a password or token in it) and returns a typed result. The web pages, ``/api/v1/accounts``
and ``carbonpeak users`` are adapters over these functions.

How a password is hashed is the web's business (argon2id with the cost of its settings): the caller passes
a :class:`PasswordRules`, so this layer imports nothing from the web.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from carbonpeak import messages
from carbonpeak.errors import Conflict, InputError, NotFound, ValidationFailed
from carbonpeak.messages import Message
from carbonpeak.services import access
from carbonpeak.services.access import Principal
from carbonpeak.store.accounts import ApiToken, User, VerifierAssignment
from carbonpeak.store.models import Enterprise, Region, utcnow
from carbonpeak.store.repository import audit

ROLES = (access.ENTERPRISE, access.CITY, access.PROVINCE, access.VERIFIER, access.ADMIN)
LANGS = ("zh", "en")
# The level of region a regulator's jurisdiction is: a city regulator's a city, a provincial one's a province.
REGION_LEVEL = {access.CITY: "city", access.PROVINCE: "province"}
MAX_USERNAME = 100
MAX_DISPLAY_NAME = 200
# Labels of the fields only accounts have ("region" and "enterprise" keep the registry's labels).
FIELDS = ("username", "display_name", "role", "assign", "lang", "password")


def _field_label(name: str, lang: str) -> str | None:
    return messages.render(f"accounts.field.{name}", lang) if name in FIELDS else None


messages.register_labels(_field_label)


@dataclass(frozen=True)
class PasswordRules:
    """How a new password is checked and kept: its minimum length, and the hash to store (from the web's
    settings: argon2id)."""

    hash: Callable[[str], str]
    min_length: int = 10


# ---------------------------------------------------------------- what the use cases take and return


@dataclass(frozen=True)
class NewAccount:
    """An account to create, as a person enters it (codes of the registry, not ids)."""

    username: str
    role: str
    display_name: str = ""
    region: str | None = None  # regulators: the region code of their jurisdiction
    enterprise: str | None = None  # enterprise users: their enterprise's code
    assign: Sequence[str] = ()  # verifiers: enterprise codes they check
    lang: str = "zh"
    password: str | None = None  # None: a random one is made and returned once


@dataclass(frozen=True)
class EnterpriseRef:
    code: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class RegionRef:
    code: str
    name_zh: str
    name_en: str
    level: str


@dataclass(frozen=True)
class Account:
    """An account as the administrator sees it: role, scope and state (never its password hash)."""

    username: str
    display_name: str
    role: str
    lang: str
    region: RegionRef | None
    enterprise: EnterpriseRef | None
    assigned: tuple[EnterpriseRef, ...]
    locked: bool
    active: bool
    failed_logins: int
    last_login_at: dt.datetime | None
    created_at: dt.datetime | None


@dataclass(frozen=True)
class AccountCreated:
    account: Account
    password: str | None  # the generated password, shown once; None when the person chose one


@dataclass(frozen=True)
class PasswordReset:
    account: Account
    password: str | None  # the generated password, shown once; None when one was given


@dataclass(frozen=True)
class LockChange:
    account: Account
    changed: bool  # False: it already was in that state
    tokens_revoked: int = 0


@dataclass(frozen=True)
class Assignment:
    account: Account
    enterprise: EnterpriseRef


@dataclass(frozen=True)
class AccountChoices:
    """What the creation and assignment forms offer: the registry's regions and enterprises."""

    regions: list[RegionRef] = field(default_factory=list)
    enterprises: list[EnterpriseRef] = field(default_factory=list)


# ---------------------------------------------------------------- use cases


def list_accounts(session: Session, principal: Principal) -> list[Account]:
    """Every account the person may manage, by role then user name."""
    access.require(principal, "users.manage")
    query = select(User).where(access.user_filter(principal)).order_by(User.role, User.username)
    return [account_of(user) for user in session.scalars(query)]


def choices(session: Session, principal: Principal) -> AccountChoices:
    access.require(principal, "users.manage")
    regions = [_region_ref(r) for r in session.scalars(select(Region).order_by(Region.id))]
    enterprises = [_enterprise_ref(e) for e in session.scalars(select(Enterprise).order_by(Enterprise.code))]
    return AccountChoices(regions=regions, enterprises=enterprises)


def get_account(session: Session, principal: Principal, username: str) -> Account:
    access.require(principal, "users.manage")
    return account_of(_user(session, username))


def create_account(session: Session, principal: Principal, new: NewAccount, rules: PasswordRules) -> AccountCreated:
    """A new account in its role and scope; every problem of the input is reported at once."""
    access.require(principal, "users.manage")
    problems: list[InputError] = []
    name = (new.username or "").strip()
    if not name or len(name) > MAX_USERNAME or any(c.isspace() for c in name):
        problems.append(InputError(code="accounts.username_invalid", field="username", value=new.username))
    elif session.scalar(select(User.id).where(User.username == name)) is not None:
        problems.append(InputError(code="accounts.username_taken", field="username", username=name))
    display_name = (new.display_name or "").strip()
    if len(display_name) > MAX_DISPLAY_NAME:
        problems.append(InputError(code="accounts.display_name_too_long", field="display_name"))
    if new.lang not in LANGS:
        problems.append(InputError(code="accounts.lang_unknown", field="lang", value=new.lang))
    role = new.role
    if role not in ROLES:
        problems.append(InputError(code="accounts.role_unknown", field="role", value=role))
    region = _checked_region(session, role, (new.region or "").strip(), problems)
    enterprise = _checked_enterprise(session, role, (new.enterprise or "").strip(), problems)
    assign = _unique(c.strip() for c in new.assign if c and c.strip())
    assigned: list[Enterprise] = []
    if assign and role != access.VERIFIER and role in ROLES:
        problems.append(InputError(code="accounts.assign_not_for_role", field="assign", value=", ".join(assign)))
    elif assign:
        for code in assign:
            row = session.scalar(select(Enterprise).where(Enterprise.code == code))
            if row is None:
                problems.append(InputError(code="accounts.enterprise_unknown", field="assign", enterprise=code))
            else:
                assigned.append(row)
    generated = new.password is None or new.password == ""
    password = _generated(rules, name) if generated else str(new.password)
    problems.extend(password_problems(password, rules, username=name))
    if problems:
        raise ValidationFailed(problems)
    user = User(
        username=name,
        display_name=display_name or name,
        password_hash=rules.hash(password),
        role=role,
        region_id=region.id if region else None,
        enterprise_id=enterprise.id if enterprise else None,
        lang=new.lang,
        password_changed_at=utcnow(),
    )
    session.add(user)
    session.flush()
    for row in assigned:
        session.add(VerifierAssignment(user_id=user.id, enterprise_id=row.id, assigned_by=principal.actor))
    session.flush()
    session.refresh(user)
    audit(session, principal.actor, "create", "user", name, after=_described(user))
    return AccountCreated(account=account_of(user), password=password if generated else None)


def lock_account(session: Session, principal: Principal, username: str) -> LockChange:
    """Lock an account: its sessions end at once (``session_epoch``) and its API tokens are revoked."""
    access.require(principal, "users.manage")
    user = _user(session, username)
    if user.id == principal.user_id:
        raise Conflict(code="accounts.lock_self")
    if user.locked_at is not None:
        return LockChange(account=account_of(user), changed=False)
    now = utcnow()
    user.locked_at = now
    user.session_epoch += 1
    revoked = session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    audit(session, principal.actor, "lock", "user", user.username, after={"locked": True, "tokens_revoked": revoked})
    return LockChange(account=account_of(user), changed=True, tokens_revoked=revoked or 0)


def unlock_account(session: Session, principal: Principal, username: str) -> LockChange:
    """Unlock an account and forget its failed logins (revoked API tokens stay revoked)."""
    access.require(principal, "users.manage")
    user = _user(session, username)
    if user.locked_at is None and not user.failed_logins:
        return LockChange(account=account_of(user), changed=False)
    before = {"locked": user.locked_at is not None, "failed_logins": user.failed_logins}
    user.locked_at = None
    user.failed_logins = 0
    audit(session, principal.actor, "unlock", "user", user.username, before=before, after={"locked": False})
    return LockChange(account=account_of(user), changed=True)


def reset_password(
    session: Session, principal: Principal, username: str, rules: PasswordRules, password: str | None = None
) -> PasswordReset:
    """A new password (a random one, returned once, when none is given); the account's sessions end and it is
    unlocked."""
    access.require(principal, "users.manage")
    user = _user(session, username)
    generated = not password
    new = _generated(rules, user.username) if generated else str(password)
    problems = password_problems(new, rules, username=user.username)
    if problems:
        raise ValidationFailed(problems)
    user.password_hash = rules.hash(new)
    user.password_changed_at = utcnow()
    user.session_epoch += 1
    user.failed_logins = 0
    user.locked_at = None
    audit(session, principal.actor, "reset_password", "user", user.username)
    return PasswordReset(account=account_of(user), password=new if generated else None)


def assign_verifier(session: Session, principal: Principal, username: str, enterprise: str) -> Assignment:
    """Give a verifier an enterprise to check (its submissions they verify and lock)."""
    access.require(principal, "users.manage")
    user = _user(session, username)
    row = _assignable(session, user, enterprise)
    if _assignment(session, user, row) is not None:
        raise Conflict(code="accounts.already_assigned", username=user.username, enterprise=row.code)
    session.add(VerifierAssignment(user_id=user.id, enterprise_id=row.id, assigned_by=principal.actor))
    session.flush()
    session.refresh(user)
    audit(session, principal.actor, "assign_verifier", "user", user.username, after={"enterprise": row.code})
    return Assignment(account=account_of(user), enterprise=_enterprise_ref(row))


def unassign_verifier(session: Session, principal: Principal, username: str, enterprise: str) -> Assignment:
    """Take an enterprise from a verifier."""
    access.require(principal, "users.manage")
    user = _user(session, username)
    row = _assignable(session, user, enterprise)
    existing = _assignment(session, user, row)
    if existing is None:
        raise Conflict(code="accounts.not_assigned", username=user.username, enterprise=row.code)
    session.delete(existing)
    session.flush()
    session.refresh(user)
    audit(session, principal.actor, "unassign_verifier", "user", user.username, before={"enterprise": row.code})
    return Assignment(account=account_of(user), enterprise=_enterprise_ref(row))


# ---------------------------------------------------------------- checks and views


def password_problems(password: str, rules: PasswordRules, *, username: str = "") -> list[InputError]:
    """Why a new password is refused (coded), or nothing."""
    if len(password) < rules.min_length:
        return [InputError(code="accounts.password_too_short", field="password", min=rules.min_length)]
    if username and password.lower() == username.lower():
        return [InputError(code="accounts.password_is_username", field="password")]
    if len(set(password)) < 4:
        return [InputError(code="accounts.password_too_simple", field="password")]
    return []


def account_of(user: User) -> Account:
    return Account(
        username=user.username,
        display_name=user.display_name or user.username,
        role=user.role,
        lang=user.lang,
        region=_region_ref(user.region) if user.region else None,
        enterprise=_enterprise_ref(user.enterprise) if user.enterprise else None,
        assigned=tuple(sorted((_enterprise_ref(a.enterprise) for a in user.assignments), key=lambda e: e.code)),
        locked=user.locked_at is not None,
        active=bool(user.active),
        failed_logins=user.failed_logins or 0,
        last_login_at=user.last_login_at,
        created_at=user.created_at,
    )


def _described(user: User) -> dict[str, object]:
    return {
        "role": user.role,
        "region": user.region.code if user.region else None,
        "enterprise": user.enterprise.code if user.enterprise else None,
        "assigned": sorted(a.enterprise.code for a in user.assignments),
        "lang": user.lang,
    }


def _checked_region(session: Session, role: str, code: str, problems: list[InputError]) -> Region | None:
    if role not in access.REGULATORS:
        if code and role in ROLES:
            problems.append(InputError(code="accounts.region_not_for_role", field="region", value=code))
        return None
    if not code:
        problems.append(InputError(code="accounts.region_needed", field="region"))
        return None
    region = session.scalar(select(Region).where(Region.code == code))
    if region is None:
        problems.append(InputError(code="accounts.region_unknown", field="region", region=code))
        return None
    level = REGION_LEVEL[role]
    if region.level != level:
        problems.append(
            InputError(
                code="accounts.region_level",
                field="region",
                region=code,
                role=Message(f"accounts.role.{role}"),
                level=Message(f"accounts.level.{level}"),
            )
        )
        return None
    return region


def _checked_enterprise(session: Session, role: str, code: str, problems: list[InputError]) -> Enterprise | None:
    if role != access.ENTERPRISE:
        if code and role in ROLES:
            problems.append(InputError(code="accounts.enterprise_not_for_role", field="enterprise", value=code))
        return None
    if not code:
        problems.append(InputError(code="accounts.enterprise_needed", field="enterprise"))
        return None
    enterprise = session.scalar(select(Enterprise).where(Enterprise.code == code))
    if enterprise is None:
        problems.append(InputError(code="accounts.enterprise_unknown", field="enterprise", enterprise=code))
    return enterprise


def _user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(code="accounts.user_not_found", username=username)
    return user


def _assignable(session: Session, user: User, code: str) -> Enterprise:
    if user.role != access.VERIFIER:
        raise Conflict(code="accounts.not_a_verifier", username=user.username)
    code = (code or "").strip()
    row = session.scalar(select(Enterprise).where(Enterprise.code == code))
    if row is None:
        raise InputError(code="accounts.enterprise_unknown", field="enterprise", enterprise=code)
    return row


def _assignment(session: Session, user: User, enterprise: Enterprise) -> VerifierAssignment | None:
    return session.scalar(
        select(VerifierAssignment).where(
            VerifierAssignment.user_id == user.id, VerifierAssignment.enterprise_id == enterprise.id
        )
    )


def _generated(rules: PasswordRules, username: str) -> str:
    """A random password that passes the rules (16 URL-safe characters or the minimum length, if longer)."""
    while True:
        password = secrets.token_urlsafe(max(12, rules.min_length))
        if not password_problems(password, rules, username=username):
            return password


def _unique(codes: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(codes))


def _region_ref(region: Region) -> RegionRef:
    return RegionRef(code=region.code, name_zh=region.name_zh, name_en=region.name_en, level=region.level)


def _enterprise_ref(enterprise: Enterprise) -> EnterpriseRef:
    return EnterpriseRef(code=enterprise.code, name_zh=enterprise.name_zh, name_en=enterprise.name_en)
