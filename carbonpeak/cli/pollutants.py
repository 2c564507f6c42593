"""CLI verbs of the pollutant ledger: ``carbonpeak pollutants add|import|template|history|synergy``.

``add`` records (or corrects, with ``--reason``) one facility-month's SO2, NOx and particulates [t] with their
source; ``import`` a CSV or Excel file of months, all or none; ``template`` writes the file's template;
``history`` lists every version of a facility's months; ``synergy`` the synergy indicators of a facility or an
enterprise for a year (per tonne of product, 同比, coverage). Errors a person can act on exit with status 2.
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Annotated, Any

import typer

from carbonpeak.cli.common import Actor, As, Db, JsonFlag, Lang, read_file, use_case
from carbonpeak.services import pollutants as use
from carbonpeak.services import pollutants_reads as reads
from carbonpeak.synergy import file as pollutant_file
from carbonpeak.synergy.ledger import POLLUTANT_NAMES, SOURCE_NAMES

pollutants_app = typer.Typer(help="Pollutant ledger: SO2, NOx, particulates per facility-month; synergy indicators.")


def _plain(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _recorded(done: use.Recorded, as_json: bool, lang: str) -> None:
    if as_json:
        typer.echo(json.dumps(dataclasses.asdict(done), ensure_ascii=False))
        return
    for facility, period, version in done.versions:
        typer.echo(f"{facility} {period}: v{version}" + (" 已保存" if lang == "zh" else " saved"))
    for facility, period, version in done.unchanged:
        typer.echo(f"{facility} {period}: v{version}" + (" 未变化" if lang == "zh" else " unchanged"))


@pollutants_app.command("add")
def add_command(
    facility: Annotated[str, typer.Option("--facility", help="the facility's code")],
    period: Annotated[str, typer.Option("--period", help="the month, YYYY-MM")],
    so2: Annotated[str, typer.Option("--so2", help="SO2 discharged in the month [t]")],
    nox: Annotated[str, typer.Option("--nox", help="NOx discharged in the month [t]")],
    pm: Annotated[str, typer.Option("--pm", help="particulates discharged in the month [t]")],
    source: Annotated[str, typer.Option("--source", help="permit_report, cems or manual_estimate")],
    note: Annotated[str | None, typer.Option("--note", help="explains an unusual figure")] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="why, for a correction")] = None,
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
    as_json: JsonFlag = False,
    lang: Lang = "zh",
) -> None:
    """Record or correct one facility-month; checked whole, against the facility's own history."""
    row = {"facility_id": facility, "period": period, "so2_t": so2, "nox_t": nox, "pm_t": pm, "source": source}
    row.update({k: v for k, v in (("note", note), ("reason", reason)) if v})
    done = use_case(
        lambda session, who: use.record(session, who, [(None, row)], file="cli"),
        url=url,
        lang=lang,
        actor=actor,
        as_user=as_user,
    )
    _recorded(done, as_json, lang)


@pollutants_app.command("import")
def import_command(
    path: Annotated[Path, typer.Argument(help="CSV or .xlsx, one facility-month a row")],
    reason: Annotated[str | None, typer.Option("--reason", help="the reason of the months it corrects")] = None,
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
    as_json: JsonFlag = False,
    lang: Lang = "zh",
) -> None:
    """Record every row of a file, all or none; every problem named by file, row and field."""
    done = use_case(
        lambda session, who: use.import_file(session, who, read_file(path), path.name, reason=reason),
        url=url,
        lang=lang,
        actor=actor,
        as_user=as_user,
    )
    _recorded(done, as_json, lang)


@pollutants_app.command("template")
def template_command(
    out: Annotated[Path, typer.Argument(help="where to write the CSV template")],
    lang: Lang = "zh",
) -> None:
    """Write the file's template (headings in zh or en)."""
    out.write_bytes(pollutant_file.template(lang))
    typer.echo(str(out))


@pollutants_app.command("history")
def history_command(
    facility: Annotated[str, typer.Argument(help="the facility's code")],
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
    as_json: JsonFlag = False,
    lang: Lang = "zh",
) -> None:
    """Every version of every month of a facility, newest month first."""
    _f, found = use_case(
        lambda session, who: use.history(session, who, facility),
        url=url,
        lang=lang,
        actor=actor,
        as_user=as_user,
        mode="read",
    )
    if as_json:
        rows = [{**dataclasses.asdict(v), "recorded_at": v.recorded_at.isoformat()} for v in found]
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    k = 0 if lang == "zh" else 1
    for v in found:
        mark = "" if v.latest else " *"
        typer.echo(
            f"{v.period} v{v.version}{mark}  SO2 {v.so2_t:g} t  NOx {v.nox_t:g} t  "
            f"{POLLUTANT_NAMES['pm_t'][k]} {v.pm_t:g} t  {SOURCE_NAMES.get(v.source, (v.source, v.source))[k]}"
            + (f"  ({v.reason})" if v.reason else "")
        )


@pollutants_app.command("synergy")
def synergy_command(
    year: Annotated[int, typer.Option("--year", help="the year")],
    facility: Annotated[str | None, typer.Option("--facility")] = None,
    enterprise: Annotated[str | None, typer.Option("--enterprise")] = None,
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
    as_json: JsonFlag = False,
    lang: Lang = "zh",
) -> None:
    """Pollutants and CO2e of a facility or an enterprise, per tonne of product, 同比 and coverage."""
    shown = use_case(
        lambda session, who: reads.block(session, who, year=year, facility=facility, enterprise=enterprise),
        url=url,
        lang=lang,
        actor=actor,
        as_user=as_user,
        mode="read",
    )
    whole = shown.whole if shown is not None else None
    if as_json:
        typer.echo(json.dumps(_plain(dataclasses.asdict(whole)) if whole else None, ensure_ascii=False))
        return
    if whole is None:
        typer.echo("无污染物数据" if lang == "zh" else "no pollutant figures")
        return
    now = whole.current
    k = 0 if lang == "zh" else 1
    names = {**{n: POLLUTANT_NAMES[n][k] for n in POLLUTANT_NAMES}, "co2e_t": "CO2e"}
    for name, label in names.items():
        per_t = now.per_t[name]
        change = whole.per_t_change_pct[name]
        unit = "t" if name != "co2e_t" else "tCO2e"
        per_unit = "kg/t" if name != "co2e_t" else "tCO2e/t"
        typer.echo(
            f"{label}: {now.totals[name] if now.totals[name] is not None else '—'} {unit}; "
            f"{'—' if per_t is None else f'{per_t:.3f}'} {per_unit}; "
            f"{'同比' if lang == 'zh' else 'yoy'} {'—' if change is None else f'{change:+.1f}%'}"
        )
    coverage = "有污染物数据的月份" if lang == "zh" else "months with pollutant figures"
    typer.echo(f"{coverage}: {now.with_pollutants}/{now.months}")


def register(app: typer.Typer) -> None:
    app.add_typer(pollutants_app, name="pollutants")
