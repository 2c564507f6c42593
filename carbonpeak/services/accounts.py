"""Accounts: as an administrator manages them (create, lock, unlock, reset a password, assign a verifier
to an enterprise, list) and as a person uses their own (log in and out, change the password, make an API
token).

Each use case checks access first (``users.manage``), then validates (every problem, coded: texts in
``carbonpeak/messages/accounts.yaml``), writes in the caller's transaction, writes an audit event (entity
``user``, never with a password or token in it) and returns a typed result. The web pages, ``/api/v1/accounts``
and ``carbonpeak users`` are adapters over these functions.

How a password is hashed is the web's business (argon2id with the cost of its settings): the caller passes
a :class:`PasswordRules`, so this layer imports nothing from the web.

Sessions and logins (the model is described in docs/security.md):

* a login starts a session row (:class:`carbonpeak.store.accounts.WebSession`); the cookie carries its
  random key. Logging out ends that row; a password change ends every other session of the account, a
  reset or a lock ends all of them; a password change, reset or lock also revokes every API token.
* every failed login answers the same, whether the user name exists, the password is wrong, or the
  account is locked or inactive; an unknown name costs a password hash as well.
* a user name (or a trusted device) that keeps failing is slowed down: after
  :attr:`LoginPolicy.free_failures` failures each attempt waits longer (doubling, capped), answered with
  a "retry after"; the count is kept for unknown names too, so it tells nothing. Nothing locks an
  account automatically, so nobody can lock another person out; a browser that logged in to the account
  before (its device cookie) keeps a counter of its own.
* attempts per client address are counted in the database, so every worker shares the limit.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak import messages
from carbonpeak.errors import Conflict, InputError, NotFound, ValidationFailed
from carbonpeak.messages import Message
from carbonpeak.services import access, limits
from carbonpeak.services.access import Principal
from carbonpeak.store import accounts as store
from carbonpeak.store.accounts import ApiToken, User, VerifierAssignment
from carbonpeak.store.models import Enterprise, Region, utcnow
from carbonpeak.store.repository import audit

ROLES = (access.ENTERPRISE, access.CITY, access.PROVINCE, access.VERIFIER, access.ADMIN)
LANGS = ("zh", "en")
# The level of region a regulator's jurisdiction is: a city regulator's a city, a provincial one's a province.
REGION_LEVEL = {access.CITY: "city", access.PROVINCE: "province"}
# Labels of the fields only accounts have ("region" and "enterprise" keep the registry's labels).
FIELDS = ("username", "display_name", "role", "assign", "lang", "password", "current", "new", "confirm", "days")


def _field_label(name: str, lang: str) -> str | None:
    return messages.render(f"accounts.field.{name}", lang) if name in FIELDS else None


messages.register_labels(_field_label)


def _no_verify(stored: str | None, password: str) -> bool:
    return False


def _no_rehash(stored: str) -> bool:
    return False


@dataclass(frozen=True)
class PasswordRules:
    """How a new password is checked and kept: its minimum length and strength, the hash to store and how
    a password is checked against a stored hash (from the web's settings: argon2id).

    ``min_score`` is zxcvbn's estimate (0 to 4) a new password must reach: 3 is "safely unguessable"
    (about 10^8 guesses or more), which refuses common passwords, keyboard runs, repeated characters,
    dictionary words with digits, dates and the user name in the password."""

    hash: Callable[[str], str]
    min_length: int = 10
    min_score: int = 3
    verify: Callable[[str | None, str], bool] = _no_verify  # a stored hash or None (then a dummy) and a password
    needs_rehash: Callable[[str], bool] = _no_rehash


@dataclass(frozen=True)
class LoginPolicy:
    """How logins are counted and slowed down (from the web's settings)."""

    rate_limit: int = 10  # attempts per client address in a window ...
    rate_window_s: int = 60  # ... of this many seconds
    free_failures: int = 5  # failures of a user name (or device) before each next attempt must wait
    first_delay_s: int = 2  # the first wait; it doubles with each further failure ...
    max_delay_s: int = 300  # ... up to this
    forget_after_s: int = 24 * 3600  # failures older than this are forgotten
    session_max_age_s: int = 8 * 3600  # sessions older than this are dropped from the table

    def delay(self, failures: int) -> int:
        """Seconds the next attempt waits after ``failures`` consecutive failures (0: no wait)."""
        if failures < self.free_failures:
            return 0
        steps = min(failures - self.free_failures, 30)
        return int(min(self.first_delay_s * 2**steps, self.max_delay_s))


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
    if not name or len(name) > limits.limit_of("username") or any(c.isspace() for c in name):
        shown = new.username if len(name) <= limits.limit_of("username") else None  # never echo a huge value
        problems.append(
            InputError(
                code="accounts.username_invalid", field="username", value=shown, limit=limits.limit_of("username")
            )
        )
    elif session.scalar(select(User.id).where(User.username == name)) is not None:
        problems.append(InputError(code="accounts.username_taken", field="username", username=name))
    display_name = (new.display_name or "").strip()
    if (problem := limits.too_long("display_name", display_name)) is not None:
        problems.append(problem)
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
    problems.extend(password_problems(password, rules, username=name, others=(display_name,)))
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
    """Lock an account: its sessions end at once and its API tokens are revoked."""
    access.require(principal, "users.manage")
    user = _user(session, username)
    if user.id == principal.user_id:
        raise Conflict(code="accounts.lock_self")
    if user.locked_at is not None:
        return LockChange(account=account_of(user), changed=False)
    now = utcnow()
    user.locked_at = now
    user.session_epoch += 1
    store.end_sessions(session, user.id, "lock", now)
    revoked = store.revoke_tokens(session, user.id, now)
    audit(session, principal.actor, "lock", "user", user.username, after={"locked": True, "tokens_revoked": revoked})
    return LockChange(account=account_of(user), changed=True, tokens_revoked=revoked or 0)


def unlock_account(session: Session, principal: Principal, username: str) -> LockChange:
    """Unlock an account and forget its failed logins, so its user name is no longer slowed down (revoked API
    tokens stay revoked)."""
    access.require(principal, "users.manage")
    user = _user(session, username)
    store.clear_throttle(session, _name_key(user.username))
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
    """A new password (a random one, returned once, when none is given); the account's sessions end, its API
    tokens are revoked, and it is unlocked."""
    access.require(principal, "users.manage")
    user = _user(session, username)
    generated = not password
    new = _generated(rules, user.username) if generated else str(password)
    problems = password_problems(new, rules, username=user.username, others=(user.display_name,))
    if problems:
        raise ValidationFailed(problems)
    now = utcnow()
    user.password_hash = rules.hash(new)
    user.password_changed_at = now
    user.session_epoch += 1
    user.failed_logins = 0
    user.locked_at = None
    store.end_sessions(session, user.id, "reset", now)
    revoked = store.revoke_tokens(session, user.id, now)
    store.clear_throttle(session, _name_key(user.username))
    audit(session, principal.actor, "reset_password", "user", user.username, after={"tokens_revoked": revoked})
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


# ---------------------------------------------------------------- a person's own account


@dataclass(frozen=True)
class LoginAttempt:
    username: str
    password: str
    address: str  # the client's address, as the web decided it (trusted proxies only)
    device: str | None = None  # the id of a device cookie an earlier login of this user name gave the browser


@dataclass(frozen=True)
class LoginResult:
    """A login's outcome. ``retry_after`` > 0: too many attempts, nothing was checked; else ``user_id`` is
    None for every kind of failure alike, or the account with its new session's key (for the cookie, once)
    and the device id to keep in the browser."""

    user_id: int | None = None
    session_key: str | None = None
    session_epoch: int = 0
    lang: str = "zh"
    device: str | None = None
    retry_after: int = 0


def log_in(
    session: Session, attempt: LoginAttempt, rules: PasswordRules, policy: LoginPolicy, now: dt.datetime | None = None
) -> LoginResult:
    """Check a login and start a session; the caller commits in every case (the counters are part of it).

    The address counts every attempt (over its limit, nothing is checked); the user name (or, for a
    browser holding a device cookie of this name, the device) counts consecutive failures and makes the
    next attempt wait once it has too many. Every failure answers alike; an unknown name is checked
    against a dummy hash, so it takes as long."""
    now = now or utcnow()
    name = (attempt.username or "").strip()
    address_key = store.throttle_key("address", attempt.address)
    window = dt.timedelta(seconds=policy.rate_window_s)
    # reads first, then the password hash, then the writes: the counters' rows stay locked only briefly
    count, since = store.attempts(session, address_key, now - window)
    if count >= policy.rate_limit and since is not None:
        return LoginResult(retry_after=_seconds_until(since + window, now))
    kind, key = (
        ("device", store.throttle_key("device", attempt.device)) if attempt.device else ("name", _name_key(name))
    )
    until = store.blocked_until(session, key)
    if until is not None and until > now:
        return LoginResult(retry_after=_seconds_until(until, now))
    oversized = len(name) > limits.limit_of("username") or len(attempt.password) > limits.limit_of("password")
    user = None if oversized or not name else session.scalar(select(User).where(User.username == name))
    good = rules.verify(user.password_hash if user is not None else None, "" if oversized else attempt.password)
    # counted in one statement: of attempts racing in several workers, only ``rate_limit`` get through
    count, since = store.count_attempt(session, address_key, "address", now, now - window)
    if count > policy.rate_limit:
        return LoginResult(retry_after=_seconds_until(since + window, now))
    if user is None or not user.active or user.locked_at is not None or not good:
        failures, _ = store.count_attempt(session, key, kind, now, now - dt.timedelta(seconds=policy.forget_after_s))
        wait = policy.delay(failures)
        if wait:
            store.block(session, key, now + dt.timedelta(seconds=wait))
        if user is not None:
            user.failed_logins = (user.failed_logins or 0) + 1
        return LoginResult()
    store.clear_throttle(session, key)
    user.failed_logins = 0
    user.last_login_at = now
    if rules.needs_rehash(user.password_hash):
        user.password_hash = rules.hash(attempt.password)
    store.forget_sessions(session, now - dt.timedelta(seconds=max(policy.session_max_age_s, policy.forget_after_s)))
    key_for_cookie = store.start_session(session, user.id, now)
    return LoginResult(
        user_id=user.id,
        session_key=key_for_cookie,
        session_epoch=user.session_epoch,
        lang=user.lang,
        device=attempt.device or secrets.token_urlsafe(24),
    )


def log_out(session: Session, session_key: str | None) -> None:
    """End the session whose cookie carries ``session_key``: a copy of the cookie opens nothing any more."""
    if session_key:
        store.end_session(session, session_key, "logout", utcnow())


def session_open(session: Session, session_key: str | None, user_id: int) -> bool:
    """Whether the session is live and the user's (the web checks this on every request)."""
    if not session_key:
        return False
    row = store.live_session(session, session_key)
    return row is not None and row.user_id == user_id


def change_password(
    session: Session,
    principal: Principal,
    current: str,
    new: str,
    confirm: str,
    rules: PasswordRules,
    *,
    session_key: str | None = None,
) -> int:
    """Change one's own password: every other session of the account ends and every API token is revoked
    (the session ``session_key`` goes on). Every problem is reported at once, each naming its field
    (current, new, confirm). Returns the account's new session epoch."""
    access.require(principal, "account.self")
    user = session.get(User, principal.user_id)
    if user is None:
        raise NotFound(code="accounts.user_not_found", username=principal.username)
    problems: list[InputError] = []
    if len(current) > limits.limit_of("password") or not rules.verify(user.password_hash, current):
        problems.append(InputError(code="accounts.current_password_wrong", field="current"))
    new_problems = password_problems(new, rules, username=user.username, others=(user.display_name,), field="new")
    problems.extend(new_problems)
    if not new_problems and new == current:
        problems.append(InputError(code="accounts.password_unchanged", field="new"))
    if new != confirm:
        problems.append(InputError(code="accounts.passwords_differ", field="confirm"))
    if problems:
        raise ValidationFailed(problems)
    now = utcnow()
    user.password_hash = rules.hash(new)
    user.password_changed_at = now
    user.session_epoch += 1
    ended = store.end_sessions(session, user.id, "password", now, keep=session_key)
    revoked = store.revoke_tokens(session, user.id, now)
    audit(
        session,
        principal.actor,
        "change_password",
        "user",
        user.username,
        after={"sessions_ended": ended, "tokens_revoked": revoked},
    )
    return user.session_epoch


@dataclass(frozen=True)
class TokenCreated:
    token: str  # shown once; only its SHA-256 is kept
    name: str
    prefix: str
    expires_at: dt.datetime


MAX_TOKEN_DAYS = 366


def create_token(
    session: Session, principal: Principal, name: str, days: int | str, *, username: str | None = None
) -> TokenCreated:
    """A new API token for one's own account (or, for an administrator, the account ``username``), valid
    ``days`` days (1 to 366)."""
    if username is None or (username == principal.username and principal.user_id):
        access.require(principal, "account.self")
        user = session.get(User, principal.user_id)
        if user is None:
            raise NotFound(code="accounts.user_not_found", username=principal.username)
    else:
        access.require(principal, "users.manage")
        user = _user(session, username)
    label = (name or "").strip()
    problems: list[InputError] = []
    if not label:
        problems.append(InputError(code="accounts.token_name_needed", field="token_name"))
    elif (problem := limits.too_long("token_name", label)) is not None:
        problems.append(problem)
    try:
        lifetime = int(days)
    except (TypeError, ValueError):
        lifetime = 0
    if not 1 <= lifetime <= MAX_TOKEN_DAYS:
        shown = str(days)[:20]
        problems.append(InputError(code="accounts.token_days", field="days", value=shown, max=MAX_TOKEN_DAYS))
    if problems:
        raise ValidationFailed(problems)
    token, token_hash, prefix = store.new_token()
    expires = utcnow() + dt.timedelta(days=lifetime)
    session.add(ApiToken(user_id=user.id, name=label, token_hash=token_hash, prefix=prefix, expires_at=expires))
    audit(session, principal.actor, "create_token", "user", user.username, after={"name": label, "prefix": prefix})
    return TokenCreated(token=token, name=label, prefix=prefix, expires_at=expires)


def _name_key(username: str) -> str:
    return store.throttle_key("name", username.strip().casefold())


def _seconds_until(moment: dt.datetime, now: dt.datetime) -> int:
    return max(1, math.ceil((moment - now).total_seconds()))


# ---------------------------------------------------------------- checks and views


def password_problems(
    password: str, rules: PasswordRules, *, username: str = "", others: Sequence[str] = (), field: str = "password"
) -> list[InputError]:
    """Why a new password is refused (coded), or nothing: too short or too long, the user name, fewer than
    four different characters, or too easy to guess (zxcvbn's score, with the user name and ``others``,
    e.g. the display name, counted as known words)."""
    if len(password) < rules.min_length:
        return [InputError(code="accounts.password_too_short", field=field, min=rules.min_length)]
    if (problem := limits.too_long("password", password)) is not None:
        return [InputError(code="limits.too_long", field=field, **problem.params)]
    if username and password.lower() == username.lower():
        return [InputError(code="accounts.password_is_username", field=field)]
    if len(set(password)) < 4:
        return [InputError(code="accounts.password_too_simple", field=field)]
    if rules.min_score > 0 and password_score(password, (username, *others)) < rules.min_score:
        return [InputError(code="accounts.password_guessable", field=field)]
    return []


def password_score(password: str, known: Sequence[str] = ()) -> int:
    """zxcvbn's strength estimate, 0 (a top password) to 4 (about 10^10 guesses or more), of the first 72
    characters (zxcvbn's own bound; longer passwords are at least as strong)."""
    from zxcvbn import zxcvbn

    words = [w for w in (*known, "carbonpeak") if w]
    return int(zxcvbn(password[:72], user_inputs=words)["score"])


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
