"""The FastAPI application: pages (Jinja2 + HTMX), the REST API under /api/v1, static assets.

``create_app(database_url=None)`` builds an app on the store's database (default: the embedded
SQLite file ``var/carbonpeak.db``); ``carbonpeak serve`` runs it with uvicorn.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator
from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from carbonpeak import __version__, messages
from carbonpeak.errors import Busy, CarbonpeakError
from carbonpeak.store import db
from carbonpeak.web import city_maps, display, i18n, labels, parameter_texts, queries
from carbonpeak.web.daily import DailyWarnings
from carbonpeak.web.deps import Database, Scopes, csrf_token
from carbonpeak.web.errors import (
    LoginRequired,
    NotFound,
    SessionExpired,
    TooLarge,
    Unavailable,
    WebError,
    from_domain,
)
from carbonpeak.web.i18n import N_
from carbonpeak.web.imports import Imports
from carbonpeak.web.queries import Cache
from carbonpeak.web.security import Passwords
from carbonpeak.web.settings import Settings

log = logging.getLogger("carbonpeak.web")
SESSION_COOKIE = "carbonpeak_session"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


def templates_environment() -> Environment:
    env = Environment(
        loader=PackageLoader("carbonpeak.web", "templates"),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda message: i18n.gettext(message),
        lambda singular, plural, n: i18n.translations(i18n.current_lang()).ngettext(singular, plural, n),
        newstyle=True,
    )
    env.filters.update(
        num=i18n.num,
        qty=display.qty,
        qty_text=display.qty_text,
        unit_of=display.unit_of,
        points=display.points,
        year=display.year,
        pct=i18n.pct,
        date=i18n.date,
        datetime=i18n.datetime,
        period=i18n.period,
        sector=labels.sector,
        indicator=labels.indicator,
        benchmark_class=labels.benchmark_class,
        named=labels.named,
        unit=labels.unit,
        result_column=labels.result_column,
        field_label=i18n.field_label,
    )
    env.globals.update(
        labels=labels,
        lang=i18n.current_lang,
        html_lang=lambda: i18n.HTML_LANG[i18n.current_lang()],
        version=__version__,
        app_version=__version__,  # the footer's: a page's own `version` (a submission version) must not shadow it
        tr=i18n.tr,
        translate=lambda text: i18n.gettext(str(text)),  # a catalog lookup of a text from data, no formatting
        display=display,  # the sector's units (display_units.yaml)
        reason=i18n.reason,  # a reason of the indicators or targets, part by part
        ptext=parameter_texts,  # a parameter family's names, notes and citations in the reader's language
        message=lambda code, **params: messages.render(code, i18n.current_lang(), params),  # messages/*.yaml
    )
    return env


class LanguageMiddleware:
    """Sets the language of a request: ``?lang=`` (not stored), the session's choice, else the default."""

    def __init__(self, app: ASGIApp, default: str) -> None:
        self.app, self.default = app, default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            lang = (scope.get("session") or {}).get("lang") or self.default
            from urllib.parse import parse_qs

            asked = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("lang")
            if asked and asked[0] in i18n.LANGS:
                lang = asked[0]
            i18n.set_lang(lang)
            scope.setdefault("state", {})["lang"] = lang
        await self.app(scope, receive, send)


class SecurityHeadersMiddleware:
    """Security headers on every response, and a size limit on request bodies (checked on the
    declared length, before anything is read)."""

    def __init__(self, app: ASGIApp, max_body: int, https_only: bool = False) -> None:
        self.app, self.max_body, self.https_only = app, max_body, https_only

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body:
            scope.setdefault("state", {})["too_large"] = True

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin"),
                    (b"content-security-policy", CSP.encode()),
                    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
                ]
                headers = list(message.get("headers", []))
                if not scope["path"].startswith("/static/"):
                    # Pages, API answers and exports carry enterprise data, new tokens and passwords:
                    # no browser or proxy keeps a copy. Static files are the same for everyone.
                    headers = [(k, v) for k, v in headers if k.lower() != b"cache-control"]
                    extra.append((b"cache-control", b"no-store"))
                if self.https_only:  # behind TLS only: HSTS over plain HTTP would lock browsers out
                    extra.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
                message["headers"] = [*headers, *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings = app.state.settings
    daily = DailyWarnings(  # the day's warnings check, claimed in the database: one worker runs it
        app.state.database.url or None,
        settings.warnings_daily_hour,
        settings.warnings_daily_check_s,
        settings.benchmark_edition,
        today=dt.date.fromisoformat(settings.today) if settings.today else None,
        monthly_reports=settings.scheduled_reports,  # last month's reports, once a month (services/reports_daily.py)
    )
    app.state.daily_warnings = daily
    daily.start()
    yield
    daily.stop()
    app.state.imports.close()  # the import processes end with the server


def create_app(database_url: str | None = None, settings: Settings | None = None) -> FastAPI:
    """The web platform on the store at ``database_url`` (default: CARBONPEAK_DATABASE_URL or SQLite)."""
    settings = settings or Settings.from_env(database_url=database_url)
    app = FastAPI(
        title="carbonpeak",
        version=__version__,
        description="Carbon accounting and carbon-peak tracking for the non-ferrous metals industry: the REST API. "
        "Authenticate with `Authorization: Bearer <token>` (tokens: `carbonpeak users token`, or the account page).",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.database = Database(settings.database_url or "")
    app.state.templates = Jinja2Templates(env=templates_environment())
    app.state.passwords = Passwords(settings)
    app.state.cache = Cache()
    app.state.scopes = Scopes()  # people's resolved scopes, per session and data state (web/deps.py)
    app.state.imports = Imports(app.state.database.url, settings.import_processes)
    display.configure(settings.display_units)
    display.table()  # read and check the display table now, not on the first page
    city_maps.configure(settings.city_maps)
    city_maps.config()  # read and check the city maps' file now (maps/maps.yaml)
    queries.params()  # load and validate the parameter files now, not on the first request

    from carbonpeak.web import api, api_cbam, api_registry, api_verification, pages
    from carbonpeak.web import api_accounts as accounts_api
    from carbonpeak.web import api_disclosure as disclosure_api
    from carbonpeak.web import api_energy_report as energy_report_api
    from carbonpeak.web import api_footprints as footprints_api
    from carbonpeak.web import api_green as green_api
    from carbonpeak.web import api_green_power as green_power_api
    from carbonpeak.web import api_monitoring as monitoring_api
    from carbonpeak.web import api_pollutants as pollutants_api
    from carbonpeak.web import api_recycling as recycling_api
    from carbonpeak.web import api_reporting_status as reporting_status_api
    from carbonpeak.web import api_reports as reports_api

    app.include_router(pages.router)
    app.include_router(api.router)
    app.include_router(accounts_api.router)  # /api/v1/accounts
    app.include_router(api_registry.router)
    app.include_router(api_verification.router)  # /api/v1/verification, verify and return a month
    app.include_router(api_cbam.router)  # /api/v1/cbam, EU CBAM packages of aluminium installations
    app.include_router(reporting_status_api.router)  # /api/v1/reporting-status
    app.include_router(monitoring_api.router)  # /api/v1/monitoring, readings from gateways
    app.include_router(footprints_api.router)  # /api/v1/footprints, published product footprints (public)
    app.include_router(recycling_api.router)  # /api/v1/recycling, the scrap intake ledger and shares
    app.include_router(green_power_api.router)  # /api/v1/green-power
    app.include_router(green_api.router)  # /api/v1/green, the green-manufacturing register
    app.include_router(reports_api.router)  # /api/v1/reports, the regulator's reports
    app.include_router(pollutants_api.router)  # /api/v1/pollutants, the pollutant ledger and synergy
    app.include_router(disclosure_api.router)  # /api/v1/disclosure, /api/v1/public/disclosure (docs/disclosure.md)
    app.include_router(energy_report_api.router)  # /api/v1/energy-reports, the energy-utilisation report
    from carbonpeak.web import api_ets as ets_api

    app.include_router(ets_api.router)  # /api/v1/ets, the national carbon market's deposits and reports
    static = resources.files("carbonpeak.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    _add_error_handlers(app)

    app.add_middleware(LanguageMiddleware, default=settings.default_lang)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_max_age_s,
        same_site="lax",
        https_only=settings.https_only,
    )
    app.add_middleware(GZipMiddleware, minimum_size=2048)
    app.add_middleware(
        SecurityHeadersMiddleware, max_body=settings.max_upload_bytes + 1024 * 1024, https_only=settings.https_only
    )
    return app


# ---------------------------------------------------------------- failures


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _lang_of(request: Request) -> str:
    state = request.scope.get("state") or {}
    return str(state.get("lang") or request.app.state.settings.default_lang)


def error_response(request: Request, error: WebError) -> Response:
    i18n.set_lang(_lang_of(request))
    message = error.rendered or i18n.tr(error.message, **error.params)
    extra: dict[str, str] = dict(getattr(error, "headers", None) or {})  # e.g. Retry-After of a 429
    if error.status == 503:  # the database is busy with another writer: try again shortly
        extra.setdefault("Retry-After", str(Unavailable.retry_after_s))
    if wants_json(request):
        headers = {"WWW-Authenticate": "Bearer", **extra} if error.status == 401 else extra
        body = {"error": error.code, "message": message, "details": error.details}
        if getattr(error, "domain_code", None):
            body["code"] = error.domain_code  # type: ignore[attr-defined]
        return JSONResponse(body, status_code=error.status, headers=headers)
    if isinstance(error, LoginRequired) and request.method == "GET" and not request.headers.get("hx-request"):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={_quote(target)}", status_code=303)
    templates = request.app.state.templates
    context: dict[str, Any] = {
        "request": request,
        "error": error,
        "message": message,
        "principal": getattr(request.state, "principal", None) if not isinstance(error, SessionExpired) else None,
        "csrf": csrf_token(request),
    }
    page = templates.TemplateResponse(request, "error.html", context, status_code=error.status)
    page.headers.update(extra)
    return page  # type: ignore[no-any-return]


def _quote(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/")


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(WebError)
    async def on_web_error(request: Request, exc: WebError) -> Response:
        return error_response(request, exc)

    @app.exception_handler(CarbonpeakError)
    async def on_domain_error(request: Request, exc: CarbonpeakError) -> Response:
        # Coded errors of the use-case layer (access, not found, conflict, invalid input).
        return error_response(request, from_domain(exc, _lang_of(request)))

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return error_response(request, NotFound())
        if exc.status_code == 405:
            error = WebError(N_("This address does not accept this kind of request."))
            error.status, error.code = 405, "method_not_allowed"
            return error_response(request, error)
        error = WebError(str(exc.detail))
        error.status, error.code = exc.status_code, "http_error"
        return error_response(request, error)

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(request: Request, exc: RequestValidationError) -> Response:
        details = [
            {"field": ".".join(str(p) for p in e.get("loc", ())[1:]), "message": e.get("msg", "")} for e in exc.errors()
        ]
        from carbonpeak.web.errors import Invalid

        return error_response(request, Invalid(details=details))

    @app.exception_handler(OperationalError)
    async def on_database_error(request: Request, exc: OperationalError) -> Response:
        if db.is_busy(exc):  # locked by another writer (a long import on SQLite): 503, try again
            return error_response(request, from_domain(Busy(), _lang_of(request)))
        log.exception("database error on %s %s", request.method, request.url.path, exc_info=exc)
        return error_response(request, WebError())

    @app.exception_handler(Exception)
    async def on_server_error(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return error_response(request, WebError())

    @app.middleware("http")
    async def refuse_large_bodies(request: Request, call_next: Any) -> Response:
        if (request.scope.get("state") or {}).get("too_large"):
            limit = request.app.state.settings.max_upload_bytes // 2**20
            return error_response(request, TooLarge(limit=limit))
        response: Response = await call_next(request)
        return response


__all__ = ["HTMLResponse", "create_app"]
