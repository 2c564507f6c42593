"""``carbonpeak recycling template|import|list|balance|content|share|verify|return|lock``: the scrap intake ledger of
recycled aluminium and copper casthouses (thin adapters over :mod:`carbonpeak.services.recycling`,
``recycling_steps``, ``recycling_reads`` and ``recycling_share``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from carbonpeak import messages
from carbonpeak.cli.common import Actor, As, Db, JsonFlag, Lang, print_rows, read_file, use_case

recycling_app = typer.Typer(
    help="recycled aluminium and copper: the scrap intake ledger, balances and shares", no_args_is_help=True
)
Year = Annotated[int, typer.Option("--year", help="calendar year")]
Facility = Annotated[str | None, typer.Option("--facility", help="facility (casthouse) code")]
Months = Annotated[list[str], typer.Argument(help="FACILITY@YYYY-MM, one or more")]


@recycling_app.command("template")
def template_command(
    out: Annotated[Path, typer.Argument(help="where to write the template (.xlsx, or .csv for one table)")],
    table: Annotated[str, typer.Option("--table", help="for a .csv: lots or outputs")] = "lots",
    lang: Lang = "zh",
) -> None:
    """Write the scrap intake template (workbook with both tables, or one table as CSV) in zh or en."""
    from carbonpeak.io import scrap_file

    if out.suffix.casefold() == ".csv":
        out.write_bytes(scrap_file.write_csv_template("outputs" if table == "outputs" else "lots", lang))
    else:
        out.write_bytes(scrap_file.write_template(lang))
    typer.echo(str(out))


@recycling_app.command("import")
def import_command(
    path: Annotated[Path, typer.Argument(help="the scrap intake file (.xlsx, .csv, .json)")],
    submit: Annotated[bool, typer.Option("--submit", help="submit the months for verification")] = False,
    reason: Annotated[str | None, typer.Option("--reason", help="a correction: why (every month in the file)")] = None,
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
    lang: Lang = "zh",
    as_json: JsonFlag = False,
) -> None:
    """Import a scrap intake file: all rows, or none (every problem is listed)."""
    from carbonpeak.services.recycling import import_file

    done = use_case(
        lambda session, who: import_file(session, who, read_file(path), path.name, submit=submit, reason=reason),
        url=url,
        lang=lang,
        actor=actor,
        as_user=as_user,
    )
    rows: list[dict[str, Any]] = [
        {"facility": f, "period": p, "version": v, "state": "new"} for f, p, v in done.versions
    ] + [{"facility": f, "period": p, "version": v, "state": "unchanged"} for f, p, v in done.unchanged]
    print_rows(rows, f"{path.name}: {done.lots} lots", as_json)
    for gap in done.open_balances:
        typer.echo(gap.text(lang), err=True)


@recycling_app.command("list")
def list_command(
    year: Annotated[int | None, typer.Option("--year")] = None,
    facility: Facility = None,
    status: Annotated[str | None, typer.Option("--status")] = None,
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
    lang: Lang = "zh",
    as_json: JsonFlag = False,
) -> None:
    """The casthouse-months (latest version) with their status, lots, scrap and output."""
    from carbonpeak.services.recycling_reads import months

    def work(session: Any, who: Any) -> list[dict[str, Any]]:
        return [
            {
                "facility": m.facility.code,
                "period": m.period,
                "version": m.version.version,
                "status": messages.render(f"submission.status.{m.version.status}", lang),
                "lots": m.lots,
                "scrap_t": round(m.scrap_t, 3),
                "output_t": round(m.output_t, 3),
            }
            for m in months(session, who, facility=facility, year=year, status=status)
        ]

    rows = use_case(work, url=url, lang=lang, actor=actor, as_user=as_user, mode="read")
    print_rows(rows, "scrap ledger", as_json)


@recycling_app.command("balance")
def balance_command(
    year: Annotated[int | None, typer.Option("--year")] = None,
    facility: Facility = None,
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
    lang: Lang = "zh",
    as_json: JsonFlag = False,
) -> None:
    """The metal balance of each casthouse-month: metal in, accounted, residual and the tolerance (exit 3 when
    one does not close)."""
    from carbonpeak.services.recycling_reads import months

    found = use_case(
        lambda session, who: months(session, who, facility=facility, year=year),
        url=url,
        lang=lang,
        actor=actor,
        as_user=as_user,
        mode="read",
    )
    rows = [
        {
            "facility": m.facility.code,
            "period": m.period,
            "version": m.version.version,
            "metal_in_t": round(m.balance.metal_in_t, 3),
            "accounted_t": round(m.balance.accounted_t, 3),
            "residual_pct": None if m.balance.residual_pct is None else round(m.balance.residual_pct, 2),
            "tolerance_pct": m.balance.tolerance_pct,
            "closes": m.balance.closes,
        }
        for m in found
    ]
    print_rows(rows, "metal balance", as_json)
    if any(not m.balance.closes for m in found):
        raise typer.Exit(code=3)


@recycling_app.command("content")
def content_command(
    year: Year,
    facility: Facility = None,
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
    lang: Lang = "zh",
    as_json: JsonFlag = False,
) -> None:
    """Recycled content of each product over the year's verified months, with its method (ISO 14021)."""
    from carbonpeak.services.recycling_reads import contents

    found = use_case(
        lambda session, who: contents(session, who, year, facility=facility),
        url=url,
        lang=lang,
        actor=actor,
        as_user=as_user,
        mode="read",
    )
    rows = [
        {
            "facility": c.facility.code,
            "product": c.product,
            "months": c.months,
            "recycled_t": round(c.content.recycled_t, 3),
            "charged_t": round(c.content.charged_t, 3),
            "content_pct": None if c.content.content_pct is None else round(c.content.content_pct, 2),
            "method": c.content.method,
        }
        for c in found
    ]
    print_rows(rows, "recycled content", as_json)


@recycling_app.command("share")
def share_command(
    region: Annotated[str, typer.Option("--region", help="region code")],
    year: Year,
    record: Annotated[bool, typer.Option("--record", help="keep the figures (with their sources)")] = False,
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
    lang: Lang = "zh",
    as_json: JsonFlag = False,
) -> None:
    """The region's recycled-metal share on both bases, each with numerator, denominator, basis and gaps."""
    from carbonpeak.services import recycling_share

    def work(session: Any, who: Any) -> Any:
        figures = recycling_share.shares(session, who, region, year)
        if record:
            recycling_share.record(session, who, region, year)
        return figures

    mode = "write" if record else "read"
    figures = use_case(work, url=url, lang=lang, actor=actor, as_user=as_user, mode=mode)
    rows = [
        {
            "basis": f.label.text(lang),
            "numerator_t": f.numerator_t,
            "denominator_t": f.denominator_t,
            "share_pct": None if f.share_pct is None else round(f.share_pct, 2),
            "target": "; ".join(f"{t['id']} {t['comparator']} {t['value']:g}% ({t['year']})" for t in f.targets),
            "gaps": "; ".join(g.text(lang) for g in f.gaps),
        }
        for f in figures
    ]
    print_rows(rows, f"recycled-metal share {region} {year}", as_json)


def _steps(
    target: str, months: list[str], note: str | None, url: str | None, actor: str | None, as_user: str | None, lang: str
) -> None:
    from carbonpeak.services.recycling_steps import step

    pairs = [tuple(m.split("@", 1)) if "@" in m else (m, "") for m in months]
    done = use_case(
        lambda session, who: step(session, who, pairs, target, note=note),  # type: ignore[arg-type]
        url=url,
        lang=lang,
        actor=actor,
        as_user=as_user,
    )
    typer.echo(f"{len(done)}")


Note = Annotated[str | None, typer.Option("--opinion", help="the verification opinion (核查意见)")]
Reason = Annotated[str | None, typer.Option("--reason", help="why the month is returned")]


@recycling_app.command("submit")
def submit_command(months: Months, url: Db = None, actor: Actor = None, as_user: As = None, lang: Lang = "zh") -> None:
    """Submit draft months (their balance must close)."""
    _steps("submitted", months, None, url, actor, as_user, lang)


@recycling_app.command("verify")
def verify_command(
    months: Months, opinion: Note = None, url: Db = None, actor: Actor = None, as_user: As = None, lang: Lang = "zh"
) -> None:
    """Verify submitted months with one opinion: all, or none."""
    _steps("verified", months, opinion, url, actor, as_user, lang)


@recycling_app.command("return")
def return_command(
    months: Months, reason: Reason = None, url: Db = None, actor: Actor = None, as_user: As = None, lang: Lang = "zh"
) -> None:
    """Return submitted months to the enterprise with a reason."""
    _steps("returned", months, reason, url, actor, as_user, lang)


@recycling_app.command("lock")
def lock_command(months: Months, url: Db = None, actor: Actor = None, as_user: As = None, lang: Lang = "zh") -> None:
    """Lock verified months."""
    _steps("locked", months, None, url, actor, as_user, lang)


def register(app: typer.Typer) -> None:
    app.add_typer(recycling_app, name="recycling")
