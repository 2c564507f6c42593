"""CLI verbs of the energy-utilisation status report: ``carbonpeak energy-report show|save|submit|review|
make|nbs205|list``.

``show`` prints the year's pre-filled figures, the status, deadline and history; ``save`` and ``submit``
take what the enterprise completes as a JSON file (``{"t5": [{"factors": "..."}], "t8": [{...}, ...]}``);
``review`` accepts or returns (with ``--reason``) the filed version; ``make`` makes the report's PDF, Word
and Excel (stored like every report; ``--out`` writes one of them); ``nbs205`` writes the NBS 205-1/2/3
workbook. ``--as USER`` acts as that account. Errors a person can act on exit with status 2, every problem
listed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from carbonpeak.cli.common import Actor, As, Db, JsonFlag, Lang, use_case
from carbonpeak.errors import InputError
from carbonpeak.reports.render import write_whole
from carbonpeak.services import energy_report as use
from carbonpeak.services import energy_report_reads as reads
from carbonpeak.services import reports
from carbonpeak.services.energy_report_doc import KIND, deadline_words
from carbonpeak.services.reports_monitoring import Asked

console = Console()
energy_app = typer.Typer(help="能源利用状况报告 (energy-utilisation status report) and the NBS 205 forms.")

Enterprise = Annotated[str, typer.Option("--enterprise", help="the enterprise's code, e.g. E02")]
Year = Annotated[str, typer.Option("--year", help="the report year, e.g. 2025")]
EntriesFile = Annotated[
    Path | None, typer.Option("--file", help="the enterprise's entries: JSON, or CSV of table,row,field,value")
]


def _entries(path: Path | None) -> Any:
    if path is None:
        return None
    try:
        if path.suffix.lower() == ".csv":
            return use.entries_from_csv(path.read_bytes())
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(code="energy_report.bad_file", file=str(path), reason=str(exc)) from None


def _print(value: Any, as_json: bool) -> None:
    if as_json:
        console.print_json(json.dumps(value, default=str, ensure_ascii=False))
    else:
        for key, item in value.items():
            console.print(f"{key}: {item}", highlight=False)


@energy_app.command("show")
def show(
    enterprise: Enterprise,
    year: Year,
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
    as_json: JsonFlag = False,
    lang: Lang = "zh",
) -> None:
    """The year's report: the platform's figures, the status, the deadline and the history."""
    opened = use_case(
        lambda s, who: use.open_report(s, who, enterprise, year),
        url=url,
        lang=lang,
        actor=actor,
        as_user=as_user,
        mode="read",
    )
    f = opened.figures
    _print(
        {
            "enterprise": opened.basic.code,
            "year": opened.year,
            "status": opened.status,
            "deadline": deadline_words(opened.deadline, lang),
            "key_unit": f.key_unit.status,
            "total_tce": round(f.total_tce, 3),
            "carriers_tce": round(f.carriers_tce, 3),
            "previous_total_tce": None if f.previous_total_tce is None else round(f.previous_total_tce, 3),
            "net_electricity_mwh": round(f.net_electricity_mwh, 3),
            "carriers": [
                {"carrier": c.carrier, "unit": c.unit, "amount": round(c.amount, 3), "tce": round(c.tce, 3)}
                for c in f.carriers
            ],
            "products": [
                {
                    "product": p.product,
                    "output_t": round(p.output_t, 3),
                    "kgce_per_t": p.kgce_per_t,
                    "previous_kgce_per_t": p.previous_kgce_per_t,
                }
                for p in f.products
            ],
            "provisional": f.provisional,
            "not_final": f.not_final,
            "entries": opened.entries,
            "history": [dataclasses.asdict(v) for v in opened.history],
        },
        as_json,
    )


@energy_app.command("save")
def save(
    enterprise: Enterprise,
    year: Year,
    file: EntriesFile = None,
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
    as_json: JsonFlag = False,
    lang: Lang = "zh",
) -> None:
    """Save the enterprise's entries as a new draft version (all problems listed, nothing kept on one)."""
    info = use_case(
        lambda s, who: use.save(s, who, enterprise, year, _entries(file) or {}),
        url=url,
        lang=lang,
        actor=actor,
        as_user=as_user,
    )
    _print(dataclasses.asdict(info), as_json)


@energy_app.command("submit")
def submit(
    enterprise: Enterprise,
    year: Year,
    file: EntriesFile = None,
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
    as_json: JsonFlag = False,
    lang: Lang = "zh",
) -> None:
    """File the report (the entries of --file, or the latest draft) for the regulator's review."""
    info = use_case(
        lambda s, who: use.submit(s, who, enterprise, year, _entries(file)),
        url=url,
        lang=lang,
        actor=actor,
        as_user=as_user,
    )
    _print(dataclasses.asdict(info), as_json)


@energy_app.command("review")
def review(
    enterprise: Enterprise,
    year: Year,
    decision: Annotated[str, typer.Option("--decision", help="accept or return")],
    reason: Annotated[str | None, typer.Option("--reason", help="why it is returned")] = None,
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
    as_json: JsonFlag = False,
    lang: Lang = "zh",
) -> None:
    """Accept (lock) or return (with a reason) the filed version."""
    info = use_case(
        lambda s, who: use.review(s, who, enterprise, year, decision, reason),
        url=url,
        lang=lang,
        actor=actor,
        as_user=as_user,
    )
    _print(dataclasses.asdict(info), as_json)


@energy_app.command("make")
def make(
    enterprise: Enterprise,
    year: Year,
    report_lang: Annotated[str, typer.Option("--report-lang", help="zh (default) or en")] = "zh",
    as_of: Annotated[str | None, typer.Option("--as-of", help="the day judged on, YYYY-MM-DD")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="write the .pdf, .docx or .xlsx here")] = None,
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
    as_json: JsonFlag = False,
    lang: Lang = "zh",
) -> None:
    """Make the report (PDF, Word, Excel), stored like every report; --out writes one of its files."""
    day = dt.date.fromisoformat(as_of) if as_of else None

    def work(session: Any, who: Any) -> tuple[reports.Summary, bytes | None]:
        asked = Asked(kind=KIND, region="", period=year, lang=report_lang, as_of=day, enterprise=enterprise)
        made = reports.make(session, who, asked)
        data = reports.file_of(session, who, made.id, out.suffix.lstrip(".").lower())[2] if out else None
        return made, data

    made, data = use_case(work, url=url, lang=lang, actor=actor, as_user=as_user)
    if out is not None and data is not None:
        write_whole(out, data)
    _print(
        {
            "id": made.id,
            "version": made.version,
            "provisional": made.provisional,
            "files": {f.format: f.sha256 for f in made.files},
        },
        as_json,
    )


@energy_app.command("nbs205")
def nbs205(
    enterprise: Enterprise,
    year: Year,
    out: Annotated[Path, typer.Option("--out", help="the .xlsx to write")],
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
    lang: Lang = "zh",
) -> None:
    """Write the NBS 205-1/205-2/205-3 workbook of the year."""
    name, content = use_case(
        lambda s, who: reads.nbs205(s, who, enterprise, year),
        url=url,
        lang=lang,
        actor=actor,
        as_user=as_user,
        mode="read",
    )
    write_whole(out, content)
    console.print(f"{out} ({name}, {len(content)} bytes)", highlight=False)


@energy_app.command("list")
def list_command(
    year: Year,
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
    as_json: JsonFlag = False,
    lang: Lang = "zh",
) -> None:
    """The reports of the year in the person's scope, latest version each."""
    rows = use_case(
        lambda s, who: reads.inbox(s, who, year), url=url, lang=lang, actor=actor, as_user=as_user, mode="read"
    )
    if as_json:
        console.print_json(json.dumps([dataclasses.asdict(r) for r in rows], ensure_ascii=False))
        return
    for r in rows:
        console.print(f"{r.enterprise:8} {r.name}  v{r.version}  {r.status}", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(energy_app, name="energy-report")
