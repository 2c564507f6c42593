"""What every CLI module shares: option types, the acting user, and how an error is reported."""

from __future__ import annotations

import dataclasses
import getpass
import os
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy.exc import SQLAlchemyError

from carbonpeak import messages
from carbonpeak.errors import Busy, CarbonpeakError, ValidationFailed
from carbonpeak.store.db import is_busy

err = Console(stderr=True)

Db = Annotated[str | None, typer.Option("--db", help="database URL (default: CARBONPEAK_DATABASE_URL or SQLite)")]
Actor = Annotated[
    str | None, typer.Option("--actor", help="who is acting (default: cli:<user>)", envvar="CARBONPEAK_ACTOR")
]
JsonFlag = Annotated[bool, typer.Option("--json", help="machine-readable JSON on stdout")]
_chosen_lang: ContextVar[str | None] = ContextVar("carbonpeak_cli_lang", default=None)


def _remember_lang(value: str) -> str:
    """The command's --lang, kept for its error messages (:func:`fail`)."""
    _chosen_lang.set(value)
    return value


def start_command() -> None:
    """Forget the language of an earlier command run in this process (the root command calls this first)."""
    _chosen_lang.set(None)


Lang = Annotated[
    str, typer.Option("--lang", help="zh (default) or en", envvar="CARBONPEAK_LANG", callback=_remember_lang)
]
Excel = Annotated[Path | None, typer.Option("--excel", help="also write the table to this .xlsx")]


def actor(name: str | None) -> str:
    return name or f"cli:{getpass.getuser()}"


def cli_lang(lang: str | None = None) -> str:
    """The person's language at the command line: ``lang`` when given, else the command's ``--lang`` where it
    has one, else ``CARBONPEAK_LANG``, else zh (zh-CN)."""
    candidates = [lang, _chosen_lang.get(), os.environ.get("CARBONPEAK_LANG")]
    for candidate in candidates:
        if isinstance(candidate, str) and candidate.strip().lower()[:2] in messages.LANGS:
            return candidate.strip().lower()[:2]
    return messages.DEFAULT_LANG


def fail(exc: Exception, *, consequence: str = "cli.nothing_written", lang: str | None = None) -> NoReturn:
    """Print one error (every problem of a file, for a failed validation) in the person's language
    (:func:`cli_lang`) and exit with status 2. ``consequence`` is a message code (what was not done).

    An error of a part not coded yet has only its English text: then the whole message is in English,
    rather than English sentences in a Chinese frame."""
    lang = cli_lang(lang)
    if is_busy(exc):  # the database stayed locked by another writer
        exc = Busy()
    problems = exc.errors if isinstance(exc, ValidationFailed) else [exc]
    coded = all(_coded(problem) for problem in problems)
    if not coded:
        lang = "en"
    label = f"[bold red]{escape(messages.render('cli.error', lang))}[/]"
    if isinstance(exc, ValidationFailed):
        count = len(exc.errors)
        code = ("cli.problem" if count == 1 else "cli.problems") + ("_in" if exc.file else "")
        head = messages.render(code, lang, {"count": count, "file": exc.file})
        err.print(f"{label} {escape(head)}", highlight=False, soft_wrap=True)
        for problem in exc.errors:
            err.print(f"  - {escape(problem.text(lang) if coded else str(problem))}", highlight=False, soft_wrap=True)
        annotated = getattr(exc, "annotated", None)
        if annotated:
            err.print(escape(messages.render("cli.annotated_copy", lang, {"path": annotated})), highlight=False)
        shown = messages.render(consequence, lang) if messages.known(consequence) else consequence
        err.print(escape(shown), highlight=False, soft_wrap=True)
    elif isinstance(exc, SQLAlchemyError):
        err.print(f"{label} {escape(messages.render('cli.database_error', lang))}", highlight=False, soft_wrap=True)
    elif isinstance(exc, CarbonpeakError) and _coded(exc):
        err.print(f"{label} {escape(exc.text(lang))}", highlight=False, soft_wrap=True)
    else:
        err.print(f"{label} {escape(str(exc))}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


def _coded(error: Exception) -> bool:
    """Whether an error's text comes from the message catalog (a database fault has one of its own)."""
    if isinstance(error, SQLAlchemyError):
        return True
    return isinstance(error, CarbonpeakError) and bool(error.code) and messages.known(str(error.code))


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
