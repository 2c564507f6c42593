"""Passwords (argon2id), API tokens (random, kept as SHA-256), CSRF tokens and login rate limiting."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from carbonpeak.web.i18n import N_
from carbonpeak.web.settings import Settings

TOKEN_PREFIX = "cp_"
# A hash that matches no password: verifying against it costs as much as a real one, so a login
# with an unknown user name takes as long as one with a wrong password.
_DUMMY_PASSWORD = "not-a-password-" + secrets.token_hex(8)


class Passwords:
    """argon2id hashing with the cost of the settings."""

    def __init__(self, settings: Settings) -> None:
        self.hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
        )
        self._dummy_hash: str | None = None

    @property
    def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = self.hasher.hash(_DUMMY_PASSWORD)
        return self._dummy_hash

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        try:
            return self.hasher.verify(stored or self._dummy, password) and stored is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        return self.hasher.check_needs_rehash(stored)


def password_problem(password: str, settings: Settings, *, username: str = "") -> str | None:
    """Why a new password is refused (an English msgid, translated by the caller), or None."""
    if len(password) < settings.password_min_length:
        return N_("The password must have at least {n} characters.")
    if username and password.lower() == username.lower():
        return N_("The password must differ from the user name.")
    if len(set(password)) < 4:
        return N_("The password is too simple.")
    return None


def new_api_token() -> tuple[str, str, str]:
    """(token shown once, its SHA-256 kept in the database, its first characters for display)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, hash_api_token(token), token[:10]


def hash_api_token(token: str) -> str:
    # A token carries 256 random bits, so a fast hash is enough (unlike a password).
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def same_token(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


class RateLimiter:
    """At most ``limit`` events per key in a sliding window of ``window_s`` seconds (in this process)."""

    def __init__(self, limit: int, window_s: int) -> None:
        self.limit, self.window_s = limit, window_s
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> bool:
        """Record an attempt; False when the key is over its limit (the attempt must be refused)."""
        now = time.monotonic()
        with self._lock:
            events = self._events.setdefault(key, deque())
            while events and now - events[0] > self.window_s:
                events.popleft()
            if len(events) >= self.limit:
                return False
            events.append(now)
            return True

    def retry_after(self, key: str) -> int:
        with self._lock:
            events = self._events.get(key)
            if not events:
                return 0
            return max(1, int(self.window_s - (time.monotonic() - events[0])) + 1)

    def reset(self, key: str) -> None:
        with self._lock:
            self._events.pop(key, None)
