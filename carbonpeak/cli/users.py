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
from carbonpeak.services import access, accounts
from carbonpeak.services.accounts import PasswordRules
from carbonpeak.store import db

console = Console()
users_app = typer.Typer(
    help="Accounts: create, list, lock, unlock, reset, assign, unassign, token, demo.", no_args_is_help=True
)

Role = Annotated[str, typer.Option("--role", help="enterprise, city_regulator, province_regulator, verifier or admin")]


def _password(given: str | None, from_stdin: bool, ask: bool = False) -> str | None:
    """The password given, read from stdin or asked for; None: a random one is made (printed once)."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    if given:
        return given
    if not ask:
        return None
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise InputError(code="accounts.passwords_differ", field="password")
    return first


def _rules() -> PasswordRules:
    from carbonpeak.web.users import password_rules

    return password_rules()


def _codes(text: str | None) -> list[str]:
    return [c.strip() for c in (text or "").split(",") if c.strip()]


@users_app.command("create")
def users_create(
    username: str,
    role: Role,
    region: Annotated[str | None, typer.Option(help="region code (regulators: their jurisdiction)")] = None,
    enterprise: Annotated[str | None, typer.Option(help="enterprise code (enterprise users)")] = None,
    assign: Annotated[str | None, typer.Option(help="enterprise codes a verifier checks, comma-separated")] = None,
    name: Annotated[str, typer.Option("--name", help="display name")] = "",
    lang: Annotated[str, typer.Option(help="zh or en")] = "zh",
    password: Annotated[
        str | None, typer.Option(help="the initial password (default: a random one, printed once)")
    ] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="read the password from stdin")] = False,
    ask: Annotated[bool, typer.Option("--ask", help="ask for the password (twice)")] = False,
    url: Db = None,
    actor: Actor = None,
) -> None:
    """Create an account in its role and scope."""
    try:
        secret = _password(password, password_stdin, ask)
        new = accounts.NewAccount(
            username=username,
            role=role,
            display_name=name,
            region=region,
            enterprise=enterprise,
            assign=tuple(_codes(assign)),
            lang=lang,
            password=secret,
        )
        db.upgrade(url)
        with db.transaction(url) as session:
            created = accounts.create_account(session, access.operator(_actor(actor)), new, _rules())
    except CarbonpeakError as exc:
        fail(exc)
        return
    console.print(f"account {created.account.username} created ({created.account.role})", highlight=False)
    if created.password:
        console.print(f"initial password (shown once): {created.password}", highlight=False)


@users_app.command("list")
def users_list(url: Db = None, as_json: JsonFlag = False, actor: Actor = None) -> None:
    """Every account with its role, scope and state."""
    with db.transaction(url) as session:
        rows = [
            {
                "username": a.username,
                "role": a.role,
                "region": a.region.code if a.region else "",
                "enterprise": a.enterprise.code if a.enterprise else "",
                "assigned": ",".join(e.code for e in a.assigned),
                "locked": "yes" if a.locked else "",
                "failed_logins": a.failed_logins,
                "last_login": a.last_login_at.isoformat()[:19] if a.last_login_at else "",
            }
            for a in sorted(accounts.list_accounts(session, access.operator(_actor(actor))), key=lambda a: a.username)
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


@users_app.command("lock")
def users_lock(username: str, url: Db = None, actor: Actor = None) -> None:
    """Lock an account: its sessions end at once and its API tokens are revoked."""
    try:
        with db.transaction(url) as session:
            change = accounts.lock_account(session, access.operator(_actor(actor)), username)
    except CarbonpeakError as exc:
        fail(exc)
        return
    if not change.changed:
        console.print(f"{username}: already locked", highlight=False)
    else:
        console.print(f"{username}: locked ({change.tokens_revoked} API tokens revoked)", highlight=False)


@users_app.command("unlock")
def users_unlock(username: str, url: Db = None, actor: Actor = None) -> None:
    """Unlock an account (and reset its failed logins)."""
    try:
        with db.transaction(url) as session:
            change = accounts.unlock_account(session, access.operator(_actor(actor)), username)
    except CarbonpeakError as exc:
        fail(exc)
        return
    console.print(f"{username}: {'unlocked' if change.changed else 'was not locked'}", highlight=False)


@users_app.command("reset")
def users_reset(
    username: str,
    password: Annotated[str | None, typer.Option(help="the new password (default: a random one, printed)")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin")] = False,
    url: Db = None,
    actor: Actor = None,
) -> None:
    """Set a new password (and unlock); every session of the account ends."""
    try:
        given = sys.stdin.readline().rstrip("\n") if password_stdin else password
        with db.transaction(url) as session:
            reset = accounts.reset_password(session, access.operator(_actor(actor)), username, _rules(), given)
    except CarbonpeakError as exc:
        fail(exc)
        return
    console.print(f"{username}: new password set" + (f": {reset.password}" if reset.password else ""), highlight=False)


@users_app.command("assign")
def users_assign(
    username: str,
    enterprises: Annotated[str, typer.Argument(help="enterprise codes, comma-separated")],
    url: Db = None,
    actor: Actor = None,
) -> None:
    """Assign a verifier enterprises to check."""
    try:
        with db.transaction(url) as session:
            for code in _codes(enterprises):
                accounts.assign_verifier(session, access.operator(_actor(actor)), username, code)
    except CarbonpeakError as exc:
        fail(exc)
        return
    console.print(f"{username}: assigned {enterprises}", highlight=False)


@users_app.command("unassign")
def users_unassign(
    username: str,
    enterprises: Annotated[str, typer.Argument(help="enterprise codes, comma-separated")],
    url: Db = None,
    actor: Actor = None,
) -> None:
    """Take enterprises from a verifier."""
    try:
        with db.transaction(url) as session:
            for code in _codes(enterprises):
                accounts.unassign_verifier(session, access.operator(_actor(actor)), username, code)
    except CarbonpeakError as exc:
        fail(exc)
        return
    console.print(f"{username}: no longer assigned {enterprises}", highlight=False)


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
    # proxy_headers=False: uvicorn would believe X-Forwarded-For from 127.0.0.1; the platform decides itself,
    # trusting only CARBONPEAK_TRUSTED_PROXIES (carbonpeak.web.security.client_address)
    uvicorn.run(
        "carbonpeak.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        server_header=False,  # no "server: uvicorn" banner
        proxy_headers=False,
    )


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
    app.command("serve")(serve_command)
