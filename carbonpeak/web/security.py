"""Passwords (argon2id), API tokens (random, kept as SHA-256), CSRF tokens, the client's address (trusted
proxies only) and the device cookie of a browser that logged in. Counting and slowing down logins is the
account use cases' (:func:`carbonpeak.services.accounts.log_in`), in the database."""

from __future__ import annotations

import hmac
import ipaddress
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from itsdangerous import BadSignature, URLSafeTimedSerializer

from carbonpeak.store import accounts as store_accounts
from carbonpeak.web.settings import Settings

TOKEN_PREFIX = store_accounts.TOKEN_PREFIX
DEVICE_COOKIE = "carbonpeak_device"
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


def new_api_token() -> tuple[str, str, str]:
    """(token shown once, its SHA-256 kept in the database, its first characters for display)."""
    return store_accounts.new_token()


def hash_api_token(token: str) -> str:
    # A token carries 256 random bits, so a fast hash is enough (unlike a password).
    return store_accounts.digest(token)


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def same_token(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


def _trusted(address: str, proxies: str) -> bool:
    for entry in (p.strip() for p in proxies.split(",")):
        if not entry:
            continue
        if entry == address:
            return True
        try:
            if ipaddress.ip_address(address) in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def client_address(peer: str | None, forwarded_for: str | None, trusted_proxies: str) -> str:
    """The address a login is counted against: the peer's, unless the peer is a trusted proxy; then the
    nearest address in X-Forwarded-For (read from the right) that is not itself a trusted proxy. A header
    from anyone else is ignored, so a client cannot pick a fresh address for each attempt."""
    address = peer or "unknown"
    if not forwarded_for or not _trusted(address, trusted_proxies):
        return address
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        address = hop
        if not _trusted(hop, trusted_proxies):
            break
    return address


class DeviceCookies:
    """A signed cookie a browser gets when it logs in: the user name and a random device id. Logins with
    it are counted apart from strangers' attempts on the same name, so failures elsewhere never slow the
    account's own browser down."""

    def __init__(self, secret_key: str, max_age_s: int) -> None:
        self.signer = URLSafeTimedSerializer(secret_key, salt="carbonpeak-device")
        self.max_age_s = max_age_s

    def make(self, username: str, device: str) -> str:
        return self.signer.dumps({"u": username.strip().casefold(), "d": device})

    def device_for(self, cookie: str | None, username: str) -> str | None:
        """The device id of a valid cookie made for ``username``, else None."""
        if not cookie:
            return None
        try:
            data = self.signer.loads(cookie, max_age=self.max_age_s)
        except (BadSignature, ValueError, TypeError):
            return None
        if not isinstance(data, dict) or data.get("u") != username.strip().casefold():
            return None
        device = data.get("d")
        return device if isinstance(device, str) and 0 < len(device) <= 64 else None
