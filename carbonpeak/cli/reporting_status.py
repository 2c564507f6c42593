"""``carbonpeak submissions status``: who has reported a month in a region, the late list, and the 催报
list as Excel. A thin adapter over :mod:`carbonpeak.services.reporting_status` (registered on the
``submissions`` noun by :mod:`carbonpeak.cli.submissions`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from carbonpeak import messages
from carbonpeak.cli.common import As, Db, JsonFlag, Lang, acting, cli_lang, fail
from carbonpeak.errors import CarbonpeakError, InputError
from carbonpeak.indicators import reporting_status as rules
from carbonpeak.services import reporting_status as use
from carbonpeak.store import db

console = Console()


def _day(value: str | None) -> dt.date:
    if not value:
        return use.china_today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(code="reporting_status.bad_date", field="status_as_of", value=value) from None


def status_command(
    region: Annotated[str | None, typer.Option("--region", help="region code (default: everything in scope)")] = None,
    month: Annotated[str | None, typer.Option("--month", help="the month, YYYY-MM (default: last month)")] = None,
    late: Annotated[bool, typer.Option("--late", help="only the facilities late (the 催报 list)")] = False,
    out: Annotated[Path | None, typer.Option("--out", help="also write the list to this .xlsx")] = None,
    city: Annotated[str | None, typer.Option("--city", help="a city's code within the region")] = None,
    sector: Annotated[str | None, typer.Option("--sector", help="a sector code, e.g. magnesium")] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="the day to count from (default: today in China)")
    ] = None,
    url: Db = None,
    as_user: As = None,
    as_json: JsonFlag = False,
    lang: Lang = "zh",
) -> None:
    """Who has reported a month: each facility's state (已报送, 草稿, 退回, 逾期未报, 未到期) and the
    enterprises per state; ``--late`` lists only the late ones, ``--out`` writes the list to Excel."""
    lang = cli_lang(lang)
    try:
        today = _day(as_of)
        with db.transaction(url, mode="read") as session:
            who = acting(session, None, as_user)
            found = use.month_list(
                session, who, today=today, month=month, region=region, city=city, sector=sector, late_only=late
            )
        if out is not None:
            use.write_late_workbook(found, out, lang)
    except CarbonpeakError as exc:
        fail(exc, consequence="cli.nothing_written", lang=lang)
        return
    if as_json:
        payload = dataclasses.asdict(found)
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")
        return

    def say(code: str, **params: object) -> str:
        return messages.render(code, lang, params)

    place = (
        (found.region.name_zh if lang == "zh" else found.region.name_en)
        if found.region
        else say("reporting_status.all_regions")
    )
    console.print(
        say("reporting_status.cli.heading", region=place, month=found.period, due=found.due, today=found.today),
        highlight=False,
    )
    counts = ("，" if lang == "zh" else ", ").join(
        f"{use.state_text(s, lang)} {found.counts.get(s, 0)}" for s in rules.STATES
    )
    console.print(say("reporting_status.cli.counts", counts=counts), highlight=False)
    table = Table()
    for column in ("enterprise", "facility", "state", "days_late", "contact", "phone"):
        table.add_column(say(f"reporting_status.column.{column}"))
    for r in found.rows:
        table.add_row(
            r.enterprise_zh if lang == "zh" else (r.enterprise_en or r.enterprise_zh),
            r.facility_code,
            use.state_text(r.state, lang, r.has_draft),
            str(r.days_late) if r.days_late else "",
            r.contact_person,
            r.contact_phone,
        )
    console.print(table)
    if out is not None:
        console.print(say("reporting_status.cli.written", path=out, rows=len(found.rows)), highlight=False)
