"""What every CLI module shares: option types, the acting user, and how an error is reported."""

from __future__ import annotations

import dataclasses
import getpass
import json
import os
import sys
from collections.abc import Callable
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError

from carbonpeak import messages
from carbonpeak.errors import Busy, CarbonpeakError, InputError, ValidationFailed
from carbonpeak.store import db
from carbonpeak.store.db import is_busy

err = Console(stderr=True)
out = Console()
T = TypeVar("T")

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


# ---------------------------------------------------------------- a use case at the command line


def use_case(
    work: Callable[[Any, Any], T],
    *,
    url: str | None,
    lang: str,
    actor: str | None = None,
    as_user: str | None = None,
    upgrade: bool = False,
    mode: str = "write",
) -> T:
    """Run one use case the way every registry and monitoring verb does: (the schema brought up to date,
    with ``upgrade``), one transaction (committed when ``work`` returns), ``work(session, person)`` called as
    the acting person (:func:`acting`), and a coded error printed with every problem (:func:`fail_listed`),
    exit status 2, nothing written."""
    try:
        if upgrade:
            db.upgrade(url)
        with db.transaction(url, mode=mode) as session:
            return work(session, acting(session, actor, as_user))
    except CarbonpeakError as exc:
        fail_listed(exc, lang)


def read_file(path: Path) -> bytes:
    """A file a person names at the command line, as bytes; a missing, unreadable or oversized one is a coded
    error (``intake.file_missing``, ``intake.file_too_large``), never a traceback."""
    from carbonpeak.io.reading import Limits

    limit = Limits.from_env().max_bytes
    try:
        if path.stat().st_size > limit:
            raise InputError(code="intake.file_too_large", file=str(path), limit=f"{limit / 2**20:.0f} MiB")
        return path.read_bytes()
    except OSError:
        raise InputError(code="intake.file_missing", file=str(path)) from None


def fail_listed(exc: CarbonpeakError, lang: str) -> NoReturn:
    """Print a coded error (a failed validation: its head, then every problem one per line) in ``lang`` on
    stderr and exit with status 2."""
    problems = exc.errors if isinstance(exc, ValidationFailed) else [exc]
    if isinstance(exc, ValidationFailed):
        err.print(f"[bold red]{escape(exc.text(lang))}[/]", highlight=False, soft_wrap=True)
    for problem in problems:
        err.print(f"  - {escape(problem.text(lang))}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


def field_pairs(pairs: list[str] | None, lang: str) -> dict[str, str]:
    """``field=value`` arguments as a record (a pair without ``=`` is a coded error)."""
    record: dict[str, str] = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep:
            fail_listed(InputError(code="registry.pair_expected", value=pair), lang)
        record[name.strip()] = value
    return record


def print_rows(rows: list[dict[str, Any]], title: str, as_json: bool) -> None:
    """Rows as a table on stdout, or as JSON with ``--json``."""
    if as_json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    table = Table(title=title)
    columns = list(rows[0]) if rows else []
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*("" if row[c] is None else str(row[c]) for c in columns))
    out.print(table)


def print_change(result: Any, as_json: bool) -> None:
    """What an add or change did (a :class:`carbonpeak.services.registry.Change`), in words or JSON."""
    if as_json:
        payload = {
            "entity": result.entity,
            "code": result.code,
            "action": result.action,
            "changed": result.changed_fields,
            "ledger_events": list(result.ledger_events),
        }
        sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
        return
    changed = f": {', '.join(result.changed_fields)}" if result.action == "changed" else ""
    ledger = f" ({len(result.ledger_events)} capacity ledger event(s))" if result.ledger_events else ""
    out.print(f"{result.entity} {result.code} {result.action}{changed}{ledger}", highlight=False)


def version_rows(versions: list[Any]) -> list[dict[str, Any]]:
    """An object's versions (:class:`carbonpeak.services.registry.Version`) as rows: what each changed (a
    replacement lists everything it recorded; internal fields, named ``_...``, are left out)."""
    return [
        {
            "version": v.number,
            "at": v.at.isoformat()[:19],
            "actor": v.actor,
            "action": v.action,
            "changed": ", ".join(
                f"{k}: {(v.before or {}).get(k)} → {val}"
                for k, val in (v.after or {}).items()
                if not k.startswith("_") and (v.action == "replace" or (v.before or {}).get(k) != val)
            )
            if v.before
            else "",
        }
        for v in versions
    ]
