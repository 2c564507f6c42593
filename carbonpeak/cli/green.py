"""CLI verbs of the green-manufacturing register: ``carbonpeak green list|designate|decide|file|status|gaps``.

``list`` who is designated in a year (by kind and level); ``designate`` lists an enterprise or park;
``decide`` warns, removes, keeps (a unit flagged for not filing) or relists, with a reason; ``file`` files an
enterprise's dynamic-management indicators for a year (the measured values, each replaced by ``--value``);
``status`` the filing state, flag and 企业绿码 per designated enterprise; ``gaps`` an enterprise's measured values
beside GB/T 36132-2025's baseline and leading values. Errors a person can act on exit with status 2.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from carbonpeak.cli.common import Actor, As, Db, JsonFlag, Lang, use_case
from carbonpeak.green import config, scoring
from carbonpeak.services import green_register as use
from carbonpeak.services import green_register_filing as filing

console = Console()
green_app = typer.Typer(help="Green manufacturing: green factories, parks, supply chains; dynamic management.")
Year = Annotated[int, typer.Option("--year", help="the year")]


def _out(rows: list[dict[str, Any]], as_json: bool, columns: list[str]) -> None:
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, default=str, indent=1))
        return
    table = Table(*columns)
    for row in rows:
        table.add_row(*[str(row.get(c) if row.get(c) is not None else "—") for c in columns])
    console.print(table)


@green_app.command("list")
def list_command(
    year: Year, url: Db = None, actor: Actor = None, as_user: As = None, lang: Lang = "zh", as_json: JsonFlag = False
) -> None:
    """Every designation in scope; ``in_force`` says whether it is on the list at the end of the year."""
    rows = use_case(
        lambda s, who: use.register_rows(s, who, year, lang),
        url=url,
        lang=lang,
        actor=actor,
        as_user=as_user,
        mode="read",
    )
    columns = ["id", "code", "name", "kind", "level", "year_designated", "status", "removed_on", "in_force"]
    _out(rows, as_json, columns)


@green_app.command("designate")
def designate_command(
    subject: Annotated[str, typer.Option("--subject", help="the enterprise's or park's code")],
    kind: Annotated[str, typer.Option("--kind", help="factory, park or supply_chain")],
    level: Annotated[str, typer.Option("--level", help="national, provincial or city")],
    year: Annotated[int, typer.Option("--year", help="the year designated")],
    batch: Annotated[str | None, typer.Option("--batch")] = None,
    document: Annotated[str | None, typer.Option("--document", help="e.g. 工信厅节函〔2023〕xxx号")] = None,
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
    lang: Lang = "zh",
) -> None:
    data = {"subject": subject, "kind": kind, "level": level, "year": str(year), "batch": batch, "document": document}
    done = use_case(lambda s, who: use.designate(s, who, data), url=url, lang=lang, actor=actor, as_user=as_user)
    typer.echo(f"{done.action} #{done.designation} v{done.version}")


@green_app.command("decide")
def decide_command(
    designation: Annotated[int, typer.Option("--id", help="the designation's number (green list)")],
    action: Annotated[str, typer.Option("--action", help="warn, remove, keep or relist")],
    reason: Annotated[str, typer.Option("--reason")],
    year: Annotated[int | None, typer.Option("--year", help="keep: the filing year decided on")] = None,
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
    lang: Lang = "zh",
) -> None:
    done = use_case(
        lambda s, who: use.decide(s, who, designation, action, reason, year=year),
        url=url,
        lang=lang,
        actor=actor,
        as_user=as_user,
    )
    typer.echo(f"{done.action} #{done.designation} v{done.version}")


@green_app.command("file")
def file_command(
    enterprise: Annotated[str, typer.Option("--enterprise")],
    year: Year,
    value: Annotated[
        list[str] | None, typer.Option("--value", help="indicator=number, to replace a measured one")
    ] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="why, for a correction")] = None,
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
    lang: Lang = "zh",
) -> None:
    values = dict(v.split("=", 1) for v in (value or []) if "=" in v)
    done = use_case(
        lambda s, who: filing.file(s, who, enterprise, year, values, reason=reason),
        url=url,
        lang=lang,
        actor=actor,
        as_user=as_user,
    )
    typer.echo(f"filed {done.enterprise} {done.year} v{done.version}")


@green_app.command("status")
def status_command(
    year: Year, url: Db = None, actor: Actor = None, as_user: As = None, lang: Lang = "zh", as_json: JsonFlag = False
) -> None:
    """Per designated enterprise: filing state against the configured deadline, flag for removal, 企业绿码."""

    def work(s: Any, who: Any) -> list[dict[str, Any]]:
        out = []
        for r in filing.board(s, who, year):
            out.append(
                {
                    "enterprise": r["enterprise"],
                    "name": r["name"],
                    "state": r["state"],
                    "deadline": r["deadline"].on.isoformat() if r["deadline"] else None,
                    "flagged": r["flagged"],
                    "kept": r["kept"],
                    "code": r["code"],
                    "filed_on": r["filing"].filed_on.isoformat() if r["filing"] else None,
                }
            )
        return out

    rows = use_case(work, url=url, lang=lang, actor=actor, as_user=as_user, mode="read")
    _out(rows, as_json, ["enterprise", "name", "state", "deadline", "filed_on", "flagged", "kept", "code"])


@green_app.command("gaps")
def gaps_command(
    enterprise: Annotated[str, typer.Option("--enterprise")],
    year: Year,
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
    lang: Lang = "zh",
    as_json: JsonFlag = False,
) -> None:
    """The enterprise's measured values beside GB/T 36132-2025's baseline and leading values (empty: unpublished)."""
    taken = use_case(
        lambda s, who: filing.prefill(s, who, enterprise, year),
        url=url,
        lang=lang,
        actor=actor,
        as_user=as_user,
        mode="read",
    )
    rows = [g.__dict__ for g in scoring.gaps(config.standard(), taken["values"])]
    _out(rows, as_json, ["group_zh", "indicator_zh", "unit", "measured", "baseline", "leading", "status"])


def register(app: typer.Typer) -> None:
    app.add_typer(green_app, name="green")
