"""What every request needs: its database session, the person behind it, CSRF and rendering.

A read (GET/HEAD) gets a session on a read engine (on SQLite: a deferred transaction, so readers
never wait for each other); anything else gets a session on the store's write engine, and its
handler commits once at the end (``session.commit()``) — an exception before that rolls everything
back, so a request writes all of its work or none.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine, create_engine, event, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from carbonpeak.errors import Busy
from carbonpeak.services import access, accounts
from carbonpeak.services.access import Principal
from carbonpeak.store import db
from carbonpeak.store.accounts import ApiToken, User
from carbonpeak.store.models import utcnow
from carbonpeak.web.errors import CsrfFailed, LoginRequired, SessionExpired
from carbonpeak.web.i18n import N_
from carbonpeak.web.queries import SNAPSHOT, stamp
from carbonpeak.web.security import hash_api_token, new_csrf_token, same_token
from carbonpeak.web.settings import Settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@lru_cache(maxsize=8)
def read_engine(url: str) -> Engine:
    """On SQLite, an engine whose transactions start deferred (readers share the file); else the store's."""
    if not url.startswith("sqlite"):
        return db.engine_for(url)
    engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA query_only=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")

    return engine


@dataclass
class Database:
    url: str

    def __post_init__(self) -> None:
        self.url = db.database_url(self.url)
        self.write = db.session_factory(self.url)
        self.read = sessionmaker(read_engine(self.url), expire_on_commit=False)


def settings_of(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def get_session(request: Request) -> Iterator[Session]:
    database: Database = request.app.state.database
    reading = request.method in SAFE_METHODS
    session = (database.read if reading else database.write)()
    if reading:
        session.info[SNAPSHOT] = True  # one read-only transaction: its change stamp is read once
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def commit_bookkeeping(session: Session) -> bool:
    """Commit a login's bookkeeping; False (rolled back) when the database stayed busy with another writer."""
    try:
        session.commit()
    except OperationalError as exc:
        if not db.is_busy(exc):
            raise
        session.rollback()
        return False
    return True


# ---------------------------------------------------------------- who is asking


class Scopes:
    """People's resolved scopes (:class:`Principal`: the jurisdiction's regions, a verifier's enterprises),
    kept per login session or API token and data state, so a person's scope is resolved once, not on
    every request.

    The key holds what the scope is made of: the session (or token) and the account's row as read on
    this request (id, role, region, enterprise, session epoch), and the store's change stamp (every
    change of the region tree or of a verifier's assignments is audited, which moves it). Whether the
    session or token is still valid is checked on every request before the cache is asked; the cache
    only spares the work of resolving the scope again."""

    def __init__(self, size: int = 2048) -> None:
        self._items: OrderedDict[tuple[Any, ...], Principal] = OrderedDict()
        self._lock = threading.Lock()
        self.size = size
        self.counts = {"hit": 0, "made": 0}

    def get(self, key: tuple[Any, ...], make: Callable[[], Principal]) -> Principal:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                self.counts["hit"] += 1
                return found
        made = make()  # cheap and idempotent: two requests making it at once both get the same scope
        with self._lock:
            self._items[key] = made
            self.counts["made"] += 1
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return made


def _scope(request: Request, session: Session, user: User, via: tuple[Any, ...], via_token: bool) -> Principal:
    """The person's scope, from the app's :class:`Scopes` (resolved when it is not kept)."""
    scopes: Scopes | None = getattr(request.app.state, "scopes", None)
    if scopes is None:
        return access.principal_for(session, user, via_token=via_token)
    account = (user.id, user.username, user.display_name, user.role, user.region_id, user.enterprise_id)
    key = (*via, *account, user.session_epoch, via_token, stamp(session))
    return scopes.get(key, lambda: access.principal_for(session, user, via_token=via_token))


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _from_token(request: Request, session: Session, token: str) -> Principal:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_api_token(token)))
    now = utcnow()
    if row is None or row.revoked_at is not None or (row.expires_at is not None and _aware(row.expires_at) < now):
        raise LoginRequired(N_("The API token is unknown, revoked or expired."))
    user = session.get(User, row.user_id)
    if user is None or not user.active or user.locked_at is not None:
        raise LoginRequired(N_("The API token's account is locked or inactive."))
    _note_token_use(request, session, row)
    return _scope(request, session, user, ("token", row.id), True)


def _note_token_use(request: Request, session: Session, row: ApiToken) -> None:
    """Record when a token was last used, at most every five minutes: with the request's own writes, or
    for a read in a short transaction of its own, best effort: while another writer holds the database
    (a long import on SQLite) it is skipped, never making the request wait or fail."""
    if row.last_used_at is not None and (utcnow() - _aware(row.last_used_at)).total_seconds() < 300:
        return
    if request.method not in SAFE_METHODS:
        row.last_used_at = utcnow()  # committed with the request's work
        return
    token_id = row.id
    try:
        with db.transaction(request.app.state.database.url, mode="brief") as write:
            write.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=utcnow()))
    except Busy:
        pass  # noted on a later request


def _aware(value: Any) -> Any:
    import datetime as dt

    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _from_session(request: Request, session: Session) -> Principal | None:
    data = request.session
    uid = data.get("uid")
    if uid is None:
        return None
    settings = settings_of(request)
    now = time.time()
    user = session.get(User, uid)
    expired = now - float(data.get("seen", 0)) > settings.session_idle_s
    expired = expired or now - float(data.get("born", 0)) > settings.session_max_age_s
    stale = user is None or not user.active or user.locked_at is not None or data.get("epoch") != user.session_epoch
    # the session's row on the server: logging out (or a password change, reset or lock) ends it, so a
    # copy of the cookie taken before opens nothing
    stale = stale or not accounts.session_open(session, data.get("sid"), int(uid))
    if expired or stale:
        lang = data.get("lang")
        data.clear()
        if lang:
            data["lang"] = lang
        raise SessionExpired()
    data["seen"] = now
    assert user is not None
    return _scope(request, session, user, ("session", data.get("sid")), False)


def optional_principal(request: Request, session: Annotated[Session, Depends(get_session)]) -> Principal | None:
    token = bearer_token(request)
    principal = _from_token(request, session, token) if token else _from_session(request, session)
    request.state.principal = principal
    return principal


def principal(found: Annotated[Principal | None, Depends(optional_principal)]) -> Principal:
    """The person behind the request; a request without one is asked to log in (401)."""
    if found is None:
        raise LoginRequired()
    return found


# ---------------------------------------------------------------- CSRF


def csrf_token(request: Request) -> str:
    """This session's CSRF token (made on first use); every form and HTMX request carries it."""
    token = request.session.get("csrf")
    if not token:
        token = new_csrf_token()
        request.session["csrf"] = token
    return str(token)


async def csrf_protect(request: Request) -> None:
    """Refuse a state-changing request made with the session cookie unless it carries the session's
    token (form field ``csrf_token`` or header ``X-CSRF-Token``). A request with an API token sends
    no cookie a browser could be tricked into sending, so it needs none."""
    if request.method in SAFE_METHODS or bearer_token(request):
        return
    expected = request.session.get("csrf")
    sent = request.headers.get("x-csrf-token")
    if not sent:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()  # Starlette keeps the parsed form for the handler
            value = form.get("csrf_token")
            sent = value if isinstance(value, str) else None
    if not same_token(expected, sent):
        raise CsrfFailed()


# ---------------------------------------------------------------- rendering


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    templates = request.app.state.templates
    context.setdefault("principal", getattr(request.state, "principal", None))
    context["request"] = request
    context["csrf"] = csrf_token(request)
    return templates.TemplateResponse(request, template, context, status_code=status_code)  # type: ignore[no-any-return]


# The annotated forms handlers declare their parameters with.
DbSession = Annotated[Session, Depends(get_session)]
Who = Annotated[Principal, Depends(principal)]
MaybeWho = Annotated[Principal | None, Depends(optional_principal)]
