"""What every CLI module shares: option types, the acting user, and how an error is reported."""

from __future__ import annotations

import dataclasses
import getpass
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy.exc import SQLAlchemyError

from carbonpeak.errors import ValidationFailed

err = Console(stderr=True)

Db = Annotated[str | None, typer.Option("--db", help="database URL (default: CARBONPEAK_DATABASE_URL or SQLite)")]
Actor = Annotated[
    str | None, typer.Option("--actor", help="who is acting (default: cli:<user>)", envvar="CARBONPEAK_ACTOR")
]
JsonFlag = Annotated[bool, typer.Option("--json", help="machine-readable JSON on stdout")]
Lang = Annotated[str, typer.Option("--lang", help="zh (default) or en", envvar="CARBONPEAK_LANG")]
Excel = Annotated[Path | None, typer.Option("--excel", help="also write the table to this .xlsx")]


def actor(name: str | None) -> str:
    return name or f"cli:{getpass.getuser()}"


def fail(exc: Exception, *, consequence: str = "nothing was written") -> NoReturn:
    """Print one error (every problem of a file, for a failed validation) and exit with status 2."""
    if isinstance(exc, ValidationFailed):
        where = f" in {exc.file}" if exc.file else ""
        err.print(
            f"[bold red]error:[/] {len(exc.errors)} problem{'s' if len(exc.errors) != 1 else ''}{where}",
            highlight=False,
            soft_wrap=True,
        )
        for problem in exc.errors:
            err.print(f"  - {escape(str(problem))}", highlight=False, soft_wrap=True)
        annotated = getattr(exc, "annotated", None)
        if annotated:
            err.print(f"annotated copy of the workbook: {annotated}", highlight=False)
        err.print(f"{consequence}.")
    elif isinstance(exc, SQLAlchemyError):
        err.print(
            f"[bold red]error:[/] the database could not answer ({type(exc).__name__}); is its schema "
            "current? run: carbonpeak db upgrade",
            highlight=False,
            soft_wrap=True,
        )
    else:
        err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


As = Annotated[str | None, typer.Option("--as", help="act as this account (its role and scope); default: the operator")]


def acting(session: Any, who: str | None, as_user: str | None) -> Any:
    """Who acts at the command line: the operator (an administrator, named by --actor), or the account
    named by --as with its role and scope, so that a command can be tried exactly as that person."""
    from sqlalchemy import select

    from carbonpeak.errors import InputError
    from carbonpeak.services import access
    from carbonpeak.store.accounts import User

    if not as_user:
        return access.operator(actor(who))
    user = session.scalar(select(User).where(User.username == as_user))
    if user is None:
        raise InputError(code="registry.unknown_account", field="as", value=as_user)
    return dataclasses.replace(access.principal_for(session, user), audit_as=f"cli:{as_user}")
