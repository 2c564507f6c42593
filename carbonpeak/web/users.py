"""What accounts need from the web: argon2id password rules from its settings, API tokens, and the
demonstration accounts (one per role).

Creating, locking, unlocking, resetting and assigning are use cases of :mod:`carbonpeak.services.accounts`;
this module only supplies the web's password hashing to them and keeps the web's own tokens and demo.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.errors import InputError
from carbonpeak.services import access
from carbonpeak.services import accounts as accounts_service
from carbonpeak.services.accounts import LoginPolicy, NewAccount, PasswordRules
from carbonpeak.services.demo import DEMO_LOADER
from carbonpeak.store.accounts import User
from carbonpeak.store.models import AuditEvent, Enterprise, Region
from carbonpeak.web.security import Passwords
from carbonpeak.web.settings import Settings


def passwords(settings: Settings | None = None) -> Passwords:
    return Passwords(settings or Settings.from_env())


def password_rules(settings: Settings | None = None, hasher: Passwords | None = None) -> PasswordRules:
    """The rules of the settings: their minimum length and strength, and argon2id with their cost."""
    settings = settings or Settings.from_env()
    hasher = hasher or passwords(settings)
    return PasswordRules(
        hash=hasher.hash,
        min_length=settings.password_min_length,
        min_score=settings.password_min_score,
        verify=hasher.verify,
        needs_rehash=hasher.needs_rehash,
    )


def login_policy(settings: Settings) -> LoginPolicy:
    """How logins are counted and slowed down, from the settings."""
    return LoginPolicy(
        rate_limit=settings.login_rate_limit,
        rate_window_s=settings.login_rate_window_s,
        free_failures=settings.login_free_failures,
        first_delay_s=settings.login_first_delay_s,
        max_delay_s=settings.login_max_delay_s,
        session_max_age_s=settings.session_max_age_s,
    )


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
    """A new account, made by ``actor`` as the command line's operator (tests and the demo)."""
    new = NewAccount(
        username=username,
        role=role,
        display_name=display_name,
        region=region,
        enterprise=enterprise,
        assign=tuple(assign),
        lang=lang,
        password=password,
    )
    accounts_service.create_account(session, access.operator(actor), new, password_rules(settings))
    return session.scalars(select(User).where(User.username == username.strip())).one()


def create_token(session: Session, username: str, name: str, actor: str, days: int = 90) -> str:
    """A new API token for the user, made by ``actor`` as the command line's operator; the token is returned
    once and only its hash is kept."""
    made = accounts_service.create_token(session, access.operator(actor), name, days, username=username)
    return made.token


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
    rules = password_rules(settings)
    demo = access.operator(DEMO_LOADER)
    province = session.scalar(select(Region).where(Region.parent_id.is_(None)).order_by(Region.id))
    if province is None:
        raise InputError(code="accounts.demo_needs_demo")
    # Accounts with published passwords must never exist beside real data (probe D12): only where every
    # region, enterprise and facility was made by the demonstration loader.
    foreign = session.scalar(
        select(AuditEvent.id)
        .where(
            AuditEvent.action == "create",
            AuditEvent.entity.in_(("region", "park", "cluster", "enterprise", "facility")),
            AuditEvent.actor != DEMO_LOADER,
        )
        .limit(1)
    )
    if foreign is not None:
        raise InputError(code="accounts.demo_beside_real_data")
    enterprises = list(session.scalars(select(Enterprise).order_by(Enterprise.code).limit(2)))
    if len(enterprises) < 2:
        raise InputError(code="accounts.demo_needs_demo")
    first, second = enterprises
    facility = sorted(second.facilities, key=lambda f: f.code)[0] if second.facilities else None
    city = session.get(Region, facility.region_id) if facility else None
    while city is not None and city.level != "city" and city.parent_id is not None:
        city = session.get(Region, city.parent_id)
    city = city if city is not None and city.level == "city" else None
    specs: list[tuple[str, str, str, dict[str, object], str]] = [
        ("admin", "demo-admin-2026", access.ADMIN, {}, "all"),
        ("province", "demo-province-2026", access.PROVINCE, {"region": province.code}, province.code),
        (
            "verifier",
            "demo-verifier-2026",
            access.VERIFIER,
            {"assign": (first.code, second.code)},
            f"{first.code}, {second.code}",
        ),
        ("enterprise", "demo-enterprise-2026", access.ENTERPRISE, {"enterprise": second.code}, second.code),
    ]
    if city is not None:
        specs.insert(2, ("city", "demo-city-2026", access.CITY, {"region": city.code}, city.code))
    accounts = []
    for username, password, role, scope, shown in specs:
        existing = session.scalar(select(User).where(User.username == username))
        if existing is None:
            new = NewAccount(username=username, role=role, password=password, **scope)  # type: ignore[arg-type]
            accounts_service.create_account(session, demo, new, rules)
        else:
            accounts_service.reset_password(session, demo, username, rules, password)
        accounts.append(DemoAccount(username, password, role, shown))
    return accounts
