"""Tables of the web platform: people, their roles and scopes, verifier assignments, API tokens.

They share the store's declarative ``Base`` (and its naming convention), so Alembic sees them; the
schema comes from migration ``0005_web_users``. Scopes are rows of the registry: a regulator's
region (its subtree is the jurisdiction), an enterprise user's enterprise, a verifier's assigned
enterprises. What a role may read and do is decided in :mod:`carbonpeak.services.access`, nowhere else.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

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
