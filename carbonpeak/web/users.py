"""Accounts: create, lock, unlock, reset; API tokens; the demonstration accounts (one per role).

Used by ``carbonpeak users`` and the administrator's page. Every change is written to the audit log
(entity ``user``), never with a password or token in it.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.errors import InputError
from carbonpeak.services import access
from carbonpeak.store.accounts import ApiToken, User, VerifierAssignment
from carbonpeak.store.models import Enterprise, Region, utcnow
from carbonpeak.store.repository import audit
from carbonpeak.web.security import Passwords, new_api_token, password_problem
from carbonpeak.web.settings import ROLES, Settings


def passwords(settings: Settings | None = None) -> Passwords:
    return Passwords(settings or Settings.from_env())


def create_user(
    session: Session,
    username: str,
    password: str,
    role: str,
    actor: str,
    *,
    region: str | None = None,
    enterprise: str | None = None,
    assign: Sequence[str] = (),
    display_name: str = "",
    lang: str = "zh",
    settings: Settings | None = None,
) -> User:
    """A new account. Regulators need a region, enterprise users an enterprise; verifiers may be
    assigned enterprises (codes)."""
    settings = settings or Settings.from_env()
    name = username.strip()
    if not name or len(name) > 100 or any(c.isspace() for c in name):
        raise InputError("a user name is 1 to 100 characters without spaces", field="username", value=username)
    if role not in ROLES:
        raise InputError("unknown role", field="role", value=role, expected=", ".join(ROLES))
    if session.scalar(select(User.id).where(User.username == name)) is not None:
        raise InputError("the user name is taken", field="username", value=name)
    problem = password_problem(password, settings, username=name)
    if problem:
        raise InputError(problem.format(n=settings.password_min_length), field="password")
    region_row = _region(session, region) if region else None
    enterprise_row = _enterprise(session, enterprise) if enterprise else None
    if role in access.REGULATORS and region_row is None:
        raise InputError("a regulator needs a region (their jurisdiction)", field="region", expected="a region code")
    if role == access.ENTERPRISE and enterprise_row is None:
        raise InputError("an enterprise user needs an enterprise", field="enterprise", expected="an enterprise code")
    if assign and role != access.VERIFIER:
        raise InputError("only a verifier is assigned enterprises", field="assign", value=",".join(assign))
    user = User(
        username=name,
        display_name=display_name or name,
        password_hash=passwords(settings).hash(password),
        role=role,
        region_id=region_row.id if region_row and role in access.REGULATORS else None,
        enterprise_id=enterprise_row.id if enterprise_row and role == access.ENTERPRISE else None,
        lang=lang,
        password_changed_at=utcnow(),
    )
    session.add(user)
    session.flush()
    for code in assign:
        assign_enterprise(session, user, code, actor)
    audit(session, actor, "create", "user", name, after=describe(user) | {"assigned": list(assign)})
    return user


def describe(user: User) -> dict[str, object]:
    return {
        "role": user.role,
        "region": user.region.code if user.region else None,
        "enterprise": user.enterprise.code if user.enterprise else None,
        "active": user.active,
        "locked": user.locked_at is not None,
    }


def assign_enterprise(session: Session, user: User, code: str, actor: str) -> None:
    enterprise = _enterprise(session, code)
    exists = session.scalar(
        select(VerifierAssignment.id).where(
            VerifierAssignment.user_id == user.id, VerifierAssignment.enterprise_id == enterprise.id
        )
    )
    if exists is None:
        session.add(VerifierAssignment(user_id=user.id, enterprise_id=enterprise.id, assigned_by=actor))
        session.flush()


def find(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise InputError("no such user", field="username", value=username)
    return user


def lock(session: Session, username: str, actor: str) -> User:
    user = find(session, username)
    if user.locked_at is None:
        user.locked_at = utcnow()
        user.session_epoch += 1
        audit(session, actor, "lock", "user", username)
    return user


def unlock(session: Session, username: str, actor: str) -> User:
    user = find(session, username)
    if user.locked_at is not None or user.failed_logins:
        user.locked_at = None
        user.failed_logins = 0
        audit(session, actor, "unlock", "user", username)
    return user


def reset_password(
    session: Session, username: str, actor: str, password: str | None = None, settings: Settings | None = None
) -> str:
    """Set a new password (a random one when none is given) and end the user's sessions; returns it."""
    settings = settings or Settings.from_env()
    user = find(session, username)
    new = password or secrets.token_urlsafe(12)
    problem = password_problem(new, settings, username=username)
    if problem:
        raise InputError(problem.format(n=settings.password_min_length), field="password")
    user.password_hash = passwords(settings).hash(new)
    user.password_changed_at = utcnow()
    user.session_epoch += 1
    user.failed_logins = 0
    user.locked_at = None
    audit(session, actor, "reset_password", "user", username)
    return new


def create_token(session: Session, username: str, name: str, actor: str, days: int = 90) -> str:
    """A new API token for the user; the token is returned once and only its hash is kept."""
    user = find(session, username)
    token, digest, prefix = new_api_token()
    session.add(
        ApiToken(
            user_id=user.id,
            name=name,
            token_hash=digest,
            prefix=prefix,
            expires_at=utcnow() + dt.timedelta(days=days),
        )
    )
    audit(session, actor, "create_token", "user", username, after={"name": name, "prefix": prefix})
    return token


def _region(session: Session, code: str) -> Region:
    region = session.scalar(select(Region).where(Region.code == code))
    if region is None:
        raise InputError("unknown region", field="region", value=code, expected="a region code in the registry")
    return region


def _enterprise(session: Session, code: str) -> Enterprise:
    enterprise = session.scalar(select(Enterprise).where(Enterprise.code == code))
    if enterprise is None:
        raise InputError("unknown enterprise", field="enterprise", value=code, expected="an enterprise code")
    return enterprise


# ---------------------------------------------------------------- demonstration accounts


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    scope: str


def create_demo_users(session: Session, settings: Settings | None = None) -> list[DemoAccount]:
    """One account per role on the demonstration province, with known passwords (demo only).

    Idempotent: an existing demo account is reset to its demo password and unlocked. The
    enterprise user belongs to E02 (the aluminium smelter of ``make run``), the city regulator to
    the city of E02's first facility, the verifier is assigned E01 and E02.
    """
    settings = settings or Settings.from_env()
    province = session.scalar(select(Region).where(Region.parent_id.is_(None)).order_by(Region.id))
    if province is None:
        raise InputError("the registry is empty: load the demonstration province first (carbonpeak demo load)")
    enterprises = list(session.scalars(select(Enterprise).order_by(Enterprise.code).limit(2)))
    if len(enterprises) < 2:
        raise InputError("the demonstration province needs at least two enterprises")
    first, second = enterprises
    facility = sorted(second.facilities, key=lambda f: f.code)[0] if second.facilities else None
    city = session.get(Region, facility.region_id) if facility else None
    while city is not None and city.level not in ("city", "province") and city.parent_id is not None:
        city = session.get(Region, city.parent_id)
    city = city or province
    specs = [
        ("admin", "demo-admin-2026", access.ADMIN, {}, "all"),
        ("province", "demo-province-2026", access.PROVINCE, {"region": province.code}, province.code),
        ("city", "demo-city-2026", access.CITY, {"region": city.code}, city.code),
        (
            "verifier",
            "demo-verifier-2026",
            access.VERIFIER,
            {"assign": [first.code, second.code]},
            f"{first.code}, {second.code}",
        ),
        ("enterprise", "demo-enterprise-2026", access.ENTERPRISE, {"enterprise": second.code}, second.code),
    ]
    accounts = []
    for username, password, role, scope, shown in specs:
        existing = session.scalar(select(User).where(User.username == username))
        if existing is None:
            create_user(session, username, password, role, "system:demo", settings=settings, **scope)  # type: ignore[arg-type]
        else:
            reset_password(session, username, "system:demo", password, settings=settings)
        accounts.append(DemoAccount(username, password, role, shown))
    return accounts
