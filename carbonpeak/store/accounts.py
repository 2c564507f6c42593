"""Tables of the web platform: people, their roles and scopes, verifier assignments, API tokens, browser
sessions and login attempt counters, with the few reads and writes the account use cases need.

They share the store's declarative ``Base`` (and its naming convention), so Alembic sees them; the
schema comes from migrations ``0005_web_users`` and ``0009`` (sessions, login counters). Scopes are rows
of the registry: a regulator's region (its subtree is the jurisdiction), an enterprise user's enterprise,
a verifier's assigned enterprises. What a role may read and do is decided in
:mod:`carbonpeak.services.access`, nowhere else.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint, case, delete, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from carbonpeak.store.models import Base, Enterprise, Region, utcnow


class User(Base):
    """A person who logs in. ``session_epoch`` grows when the password changes or the account is
    locked, which ends every session signed before."""

    __tablename__ = "web_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    # enterprise, city_regulator, province_regulator, verifier, admin (carbonpeak.web.settings.ROLES)
    role: Mapped[str] = mapped_column(String(30))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"))  # regulators
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"))  # enterprise users
    lang: Mapped[str] = mapped_column(String(5), default="zh")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    region: Mapped[Region | None] = relationship()
    enterprise: Mapped[Enterprise | None] = relationship()
    assignments: Mapped[list[VerifierAssignment]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="VerifierAssignment.id"
    )


class VerifierAssignment(Base):
    """An enterprise whose submissions a verifier checks (and may verify and lock)."""

    __tablename__ = "web_verifier_assignment"
    __table_args__ = (UniqueConstraint("user_id", "enterprise_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_user.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    assigned_by: Mapped[str] = mapped_column(String(100))
    assigned_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user: Mapped[User] = relationship(back_populates="assignments")
    enterprise: Mapped[Enterprise] = relationship()


class ApiToken(Base):
    """A token for a machine client, acting as its user. Only its SHA-256 is kept; the token itself is
    shown once, when made. ``prefix`` (its first characters) lets a person tell tokens apart."""

    __tablename__ = "web_api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_user.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    user: Mapped[User] = relationship()


class WebSession(Base):
    """A browser's login. The signed session cookie carries a random id; only its SHA-256 is kept here.
    A session opens nothing once its row is ended (logout, password change or reset, lock) or gone."""

    __tablename__ = "web_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_user.id"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    ended_why: Mapped[str | None] = mapped_column(String(20))  # logout, password, reset, lock


class LoginThrottle(Base):
    """A counter of login attempts, shared by every worker: per client address (attempts in the current
    window) or per user name or device (consecutive failures, and until when the next attempt waits).
    ``key`` is a SHA-256 of the kind and the value, so no typed user name is kept."""

    __tablename__ = "web_login_throttle"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # address, name, device
    count: Mapped[int] = mapped_column(Integer, default=0)
    since: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    blocked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


# ---------------------------------------------------------------- tokens and session keys


TOKEN_PREFIX = "cp_"


def digest(secret: str) -> str:
    """How an API token or a session key is kept: its SHA-256 (each carries 256 random bits, so a fast
    hash is enough, unlike a password)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_token() -> tuple[str, str, str]:
    """(API token shown once, its SHA-256 kept, its first characters for display)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, digest(token), token[:10]


def start_session(session: Session, user_id: int, now: dt.datetime) -> str:
    """A new session of the user; its key (for the cookie) is returned once."""
    key = secrets.token_urlsafe(32)
    session.add(WebSession(user_id=user_id, key_hash=digest(key), created_at=now))
    return key


def live_session(session: Session, key: str) -> WebSession | None:
    row = session.scalar(select(WebSession).where(WebSession.key_hash == digest(key)))
    return row if row is not None and row.ended_at is None else None


def end_session(session: Session, key: str, why: str, now: dt.datetime) -> int:
    return _end(session, WebSession.key_hash == digest(key), why, now)


def end_sessions(session: Session, user_id: int, why: str, now: dt.datetime, *, keep: str | None = None) -> int:
    """End every session of the user (but the one whose key is ``keep``); how many ended."""
    where = WebSession.user_id == user_id
    if keep:
        where = where & (WebSession.key_hash != digest(keep))
    return _end(session, where, why, now)


def _end(session: Session, where: Any, why: str, now: dt.datetime) -> int:
    statement = (
        update(WebSession)
        .where(where, WebSession.ended_at.is_(None))
        .values(ended_at=now, ended_why=why)
        .execution_options(synchronize_session=False)
    )
    return int(session.execute(statement).rowcount or 0)  # type: ignore[attr-defined]


def revoke_tokens(session: Session, user_id: int, now: dt.datetime) -> int:
    """Revoke every API token of the user still valid; how many."""
    statement = (
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(session.execute(statement).rowcount or 0)  # type: ignore[attr-defined]


def forget_sessions(session: Session, before: dt.datetime) -> None:
    """Drop sessions begun before ``before`` (past any session's age) and stale login counters."""
    session.execute(delete(WebSession).where(WebSession.created_at < before))
    session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.updated_at < before,
            (LoginThrottle.blocked_until.is_(None)) | (LoginThrottle.blocked_until < before),
        )
    )


# ---------------------------------------------------------------- login counters


def throttle_key(kind: str, value: str) -> str:
    return digest(f"{kind}:{value}")


def _insert(session: Session) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def count_attempt(
    session: Session, key: str, kind: str, now: dt.datetime, restart_before: dt.datetime
) -> tuple[int, dt.datetime]:
    """Add one to the key's counter in one statement (atomic across workers), starting it afresh when its
    count began before ``restart_before``; the count and when it began."""
    table = LoginThrottle.__table__
    restart = table.c.since <= restart_before
    statement = (
        _insert(session)(table)
        .values(key=key, kind=kind, count=1, since=now, updated_at=now)
        .on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "count": case((restart, 1), else_=table.c["count"] + 1),
                "since": case((restart, now), else_=table.c.since),
                "updated_at": now,
            },
        )
        .returning(table.c["count"], table.c.since)
    )
    count, since = session.execute(statement).one()
    return int(count), _aware(since)


def attempts(session: Session, key: str, restart_before: dt.datetime) -> tuple[int, dt.datetime | None]:
    """The key's count and when it began (0 and None when none, or begun before ``restart_before``)."""
    row = session.execute(select(LoginThrottle.count, LoginThrottle.since).where(LoginThrottle.key == key)).first()
    if row is None or _aware(row.since) <= restart_before:
        return 0, None
    return int(row.count), _aware(row.since)


def blocked_until(session: Session, key: str) -> dt.datetime | None:
    value = session.scalar(select(LoginThrottle.blocked_until).where(LoginThrottle.key == key))
    return _aware(value) if value is not None else None


def block(session: Session, key: str, until: dt.datetime) -> None:
    session.execute(update(LoginThrottle).where(LoginThrottle.key == key).values(blocked_until=until))


def clear_throttle(session: Session, key: str) -> None:
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))


def _aware(value: Any) -> Any:
    """A timestamp read back from SQLite (naive, always UTC) as an aware one."""
    return value if value is None or value.tzinfo else value.replace(tzinfo=dt.UTC)
