"""Failures of a web request, each with its status code and a message id (translated when shown).

Handlers in :mod:`carbonpeak.web.app` turn them into a page in the user's language (HTML) or a
JSON body ``{"error": code, "message": ..., "details": [...]}`` under ``/api``.
"""

from __future__ import annotations

from typing import Any

from carbonpeak.errors import AccessDenied, CarbonpeakError, InputError
from carbonpeak.errors import Busy as DomainBusy
from carbonpeak.errors import Conflict as DomainConflict
from carbonpeak.errors import NotFound as DomainNotFound
from carbonpeak.web.i18n import N_


class WebError(Exception):
    status = 500
    code = "server_error"
    message = N_("Something went wrong on our side. Nothing was changed; please try again.")

    def __init__(self, message: str | None = None, *, details: list[dict[str, Any]] | None = None, **params: Any):
        self.message = message or type(self).message  # an English msgid; {name} placeholders filled from params
        self.params = params
        self.details = details or []
        self.rendered: str | None = None  # already in the reader's language (from the message catalog)
        super().__init__(self.message.format(**params) if params else self.message)


class BadRequest(WebError):
    status = 400
    code = "bad_request"
    message = N_("The request could not be understood.")


class LoginRequired(WebError):
    status = 401
    code = "login_required"
    message = N_("Please log in to continue.")


class SessionExpired(WebError):
    status = 401
    code = "session_expired"
    message = N_("Your session has expired. Please log in again; nothing was changed.")


class Forbidden(WebError):
    status = 403
    code = "forbidden"
    message = N_("You do not have access to this.")


class CsrfFailed(WebError):
    status = 403
    code = "csrf_failed"
    message = N_("The form was out of date or did not come from this site, so nothing was changed. Please try again.")


class NotFound(WebError):
    status = 404
    code = "not_found"
    message = N_("This page or object does not exist.")


class Conflict(WebError):
    status = 409
    code = "conflict"
    message = N_("This cannot be done in the current state.")


class TooLarge(WebError):
    status = 413
    code = "too_large"
    message = N_("The file is too large (at most {limit} MiB).")


class Invalid(WebError):
    status = 422
    code = "invalid"
    message = N_("Some values need correcting; nothing was changed.")


class RateLimited(WebError):
    status = 429
    code = "rate_limited"
    message = N_("Too many attempts. Please wait {seconds} seconds and try again.")

    def __init__(self, *, seconds: int) -> None:
        super().__init__(seconds=seconds)
        self.headers = {"Retry-After": str(seconds)}


class Unavailable(WebError):
    """The database is locked by another writer (a long import on SQLite): nothing was done; try again."""

    status = 503
    code = "busy"
    message = N_("The database is busy with another import; nothing was changed. Please try again shortly.")
    retry_after_s = 10


def from_domain(error: CarbonpeakError, lang: str) -> WebError:
    """A coded error of the use-case layer as an HTTP answer, its text from the message catalog."""
    kind: type[WebError] = BadRequest
    if isinstance(error, DomainBusy):
        kind = Unavailable
    elif isinstance(error, AccessDenied):
        kind = Forbidden
    elif isinstance(error, DomainNotFound):
        kind = NotFound
    elif isinstance(error, DomainConflict):
        kind = Conflict
    elif isinstance(error, InputError):
        kind = Invalid
    web = kind(details=[_detail(e, lang) for e in getattr(error, "errors", [])])
    if error.code != type(error).code or kind not in (Forbidden, NotFound):
        web.rendered = error.text(lang)  # the plain refusals keep the web's own wording
        web.domain_code = error.code  # type: ignore[attr-defined]
    return web


def _detail(error: InputError, lang: str) -> dict[str, Any]:
    return {**error.location(), "code": error.code, "message": error.text(lang)}
