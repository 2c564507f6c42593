"""CLI verbs of the web platform: ``carbonpeak serve`` and ``carbonpeak users ...``.

Registered on the main ``carbonpeak`` app by :mod:`carbonpeak.cli`. FastAPI and uvicorn are imported
only when a command needs them, so the other verbs start as fast as before.
"""

from __future__ import annotations

import getpass
import json
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from carbonpeak.cli.common import Actor, Db, JsonFlag, fail
from carbonpeak.cli.common import actor as _actor
from carbonpeak.errors import CarbonpeakError, InputError
from carbonpeak.store import db

console = Console()
users_app = typer.Typer(
    help="Accounts of the web platform: create, list, lock, unlock, reset, token, demo.", no_args_is_help=True
)

Role = Annotated[str, typer.Option("--role", help="enterprise, city_regulator, province_regulator, verifier or admin")]


def _password(given: str | None, from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    if given:
        return given
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise InputError("the two passwords differ", field="password")
    return first


@users_app.command("create")
def users_create(
    username: str,
    role: Role,
    region: Annotated[str | None, typer.Option(help="region code (regulators: their jurisdiction)")] = None,
    enterprise: Annotated[str | None, typer.Option(help="enterprise code (enterprise users)")] = None,
    assign: Annotated[str | None, typer.Option(help="enterprise codes a verifier checks, comma-separated")] = None,
    name: Annotated[str, typer.Option("--name", help="display name")] = "",
    lang: Annotated[str, typer.Option(help="zh or en")] = "zh",
    password: Annotated[str | None, typer.Option(help="the password (default: asked for)")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="read the password from stdin")] = False,
    url: Db = None,
    actor: Actor = None,
) -> None:
    """Create an account."""
    from carbonpeak.web import users

    try:
        secret = _password(password, password_stdin)
        db.upgrade(url)
        with db.transaction(url) as session:
            codes = [c.strip() for c in (assign or "").split(",") if c.strip()]
            users.create_user(
                session,
                username,
                secret,
                role,
                _actor(actor),
                region=region,
                enterprise=enterprise,
                assign=codes,
                display_name=name,
                lang=lang,
            )
    except CarbonpeakError as exc:
        fail(exc)
        return
    console.print(f"account {username} created ({role})")


@users_app.command("list")
def users_list(url: Db = None, as_json: JsonFlag = False) -> None:
    """Every account with its role, scope and state."""
    from sqlalchemy import select

    from carbonpeak.store.accounts import User

    with db.transaction(url) as session:
        rows = [
            {
                "username": u.username,
                "role": u.role,
                "region": u.region.code if u.region else "",
                "enterprise": u.enterprise.code if u.enterprise else "",
                "assigned": ",".join(a.enterprise.code for a in u.assignments),
                "locked": "yes" if u.locked_at else "",
                "failed_logins": u.failed_logins,
                "last_login": u.last_login_at.isoformat()[:19] if u.last_login_at else "",
            }
            for u in session.scalars(select(User).order_by(User.username))
        ]
    if as_json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table(title="accounts")
    for column in ("username", "role", "region", "enterprise", "assigned", "locked", "failed_logins", "last_login"):
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(v) for v in row.values()))
    console.print(table)


def _simple(action: str) -> None:
    def command(username: str, url: Db = None, actor: Actor = None) -> None:
        from carbonpeak.web import users

        try:
            with db.transaction(url) as session:
                getattr(users, action)(session, username, _actor(actor))
        except CarbonpeakError as exc:
            fail(exc)
            return
        console.print(f"{username}: {action}ed")

    command.__doc__ = f"{action.capitalize()} an account" + (
        " (its sessions end at once)." if action == "lock" else " (and reset its failed logins)."
    )
    users_app.command(action)(command)


_simple("lock")
_simple("unlock")


@users_app.command("reset")
def users_reset(
    username: str,
    password: Annotated[str | None, typer.Option(help="the new password (default: a random one, printed)")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin")] = False,
    url: Db = None,
    actor: Actor = None,
) -> None:
    """Set a new password (and unlock); every session of the account ends."""
    from carbonpeak.web import users

    try:
        given = sys.stdin.readline().rstrip("\n") if password_stdin else password
        with db.transaction(url) as session:
            new = users.reset_password(session, username, _actor(actor), given)
    except CarbonpeakError as exc:
        fail(exc)
        return
    console.print(f"{username}: new password set" + ("" if given else f": {new}"))


@users_app.command("token")
def users_token(
    username: str,
    name: Annotated[str, typer.Option("--name", help="what the token is for")] = "api",
    days: Annotated[int, typer.Option(help="valid for this many days")] = 90,
    url: Db = None,
    actor: Actor = None,
) -> None:
    """Make an API token for the account; it is printed once (only its hash is kept)."""
    from carbonpeak.web import users

    try:
        with db.transaction(url) as session:
            token = users.create_token(session, username, name, _actor(actor), days)
    except CarbonpeakError as exc:
        fail(exc)
        return
    sys.stdout.write(token + "\n")


@users_app.command("demo")
def users_demo(url: Db = None) -> None:
    """Create (or reset) one demonstration account per role and print them."""
    from carbonpeak.web import users

    try:
        db.upgrade(url)
        with db.transaction(url) as session:
            accounts = users.create_demo_users(session)
    except CarbonpeakError as exc:
        fail(exc)
        return
    print_demo_accounts(accounts)


def print_demo_accounts(accounts: list[object]) -> None:
    table = Table(title="demonstration accounts (synthetic data; for the demo only)")
    for column in ("user", "password", "role", "scope"):
        table.add_column(column)
    for a in accounts:
        table.add_row(a.username, a.password, a.role, a.scope)  # type: ignore[attr-defined]
    console.print(table)


def serve_command(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = 8000,
    workers: Annotated[int, typer.Option(help="worker processes")] = 1,
    url: Db = None,
) -> None:
    """Serve the web platform (pages and /api/v1) with uvicorn."""
    import os

    import uvicorn

    if url:
        os.environ["CARBONPEAK_DATABASE_URL"] = url
    db.upgrade(url)
    console.print(f"carbonpeak web platform on http://{host}:{port} (database {db.database_url(url)})")
    uvicorn.run("carbonpeak.web.app:create_app", factory=True, host=host, port=port, workers=workers, log_level="info")


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
    app.command("serve")(serve_command)
