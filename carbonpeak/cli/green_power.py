"""CLI verbs of green power: ``carbonpeak green-power add|import|withdraw|list|report|share``.

``add`` registers (or corrects, with ``--reason``) one certificate, contract or on-site generation of a
facility; ``import`` a CSV or Excel file of them, all or none; ``withdraw`` takes one back; ``list`` shows
the register; ``report`` electricity by source with the location- and market-based figures side by side
per facility-month; ``share`` the renewable share of electrolytic aluminium against the plan's 30 % by
2030, with numerator, denominator and basis. Errors a person can act on exit with status 2.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError

from carbonpeak.accounting.green_power import SHARE_BASIS, SHARE_BASIS_ZH
from carbonpeak.cli.common import Actor, As, Db, JsonFlag, Lang, acting, fail
from carbonpeak.errors import CarbonpeakError
from carbonpeak.services import green_power as use
from carbonpeak.store import db

console = Console()
green_app = typer.Typer(
    help="Green power: certificates, green-power contracts, on-site renewables; both Scope 2 figures."
)

Opt = Annotated[str | None, typer.Option()]


def _clean(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


@green_app.command("add")
def add_command(
    code: Annotated[str, typer.Option("--code", help="the instrument's code (a correction reuses it)")],
    kind: Annotated[str, typer.Option("--kind", help="certificate, contract or onsite")],
    facility: Annotated[str, typer.Option("--facility", help="the beneficiary facility's code")],
    source_type: Annotated[str, typer.Option("--source-type", help="wind, solar, hydro, biomass, geothermal, other")],
    volumes: Annotated[str, typer.Option("--volumes", help="MWh per month: '2024-03:1200;2024-04:900'")],
    serial_from: Annotated[str | None, typer.Option("--serial-from", help="first certificate serial (digits)")] = None,
    serial_to: Annotated[str | None, typer.Option("--serial-to", help="last certificate serial (digits)")] = None,
    batch_id: Annotated[str | None, typer.Option("--batch-id")] = None,
    volume_mwh: Annotated[str | None, typer.Option("--volume-mwh", help="certificates: the batch's MWh")] = None,
    production_from: Annotated[str | None, typer.Option("--production-from", help="YYYY-MM")] = None,
    production_to: Annotated[str | None, typer.Option("--production-to", help="YYYY-MM")] = None,
    cancelled_on: Annotated[str | None, typer.Option("--cancelled-on", help="certificates: YYYY-MM-DD")] = None,
    project_name: Annotated[str | None, typer.Option("--project")] = None,
    counterparty: Annotated[str | None, typer.Option("--counterparty", help="contracts: the seller")] = None,
    measurement: Annotated[str | None, typer.Option("--measurement", help="on-site: metered or reported")] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="why, for a correction")] = None,
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
    as_json: JsonFlag = False,
) -> None:
    """Register or correct one instrument; checked whole, against the other instruments and the months."""
    data = {
        "code": code,
        "kind": kind,
        "facility": facility,
        "source_type": source_type,
        "volumes": volumes,
        "serial_from": serial_from,
        "serial_to": serial_to,
        "batch_id": batch_id,
        "volume_mwh": volume_mwh,
        "production_from": production_from,
        "production_to": production_to,
        "cancelled_on": cancelled_on,
        "project_name": project_name,
        "counterparty": counterparty,
        "measurement": measurement,
        "reason": reason,
    }
    try:
        with db.transaction(url) as session:
            done = use.register(session, acting(session, actor, as_user), data)
    except (CarbonpeakError, SQLAlchemyError) as exc:
        fail(exc)
        return
    _done([done], as_json)


@green_app.command("import")
def import_command(
    path: Annotated[Path, typer.Argument(help="CSV or Excel, one instrument a row (the columns of 'add')")],
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
    as_json: JsonFlag = False,
) -> None:
    """Register every row of a file, all or none; every problem named by row and field."""
    try:
        with db.transaction(url) as session:
            done = use.import_table(session, acting(session, actor, as_user), path)
    except (CarbonpeakError, SQLAlchemyError) as exc:
        fail(exc)
        return
    _done(done, as_json)


@green_app.command("withdraw")
def withdraw_command(
    code: Annotated[str, typer.Argument(help="the instrument's code")],
    reason: Annotated[str, typer.Option("--reason", help="why it no longer counts")],
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
    as_json: JsonFlag = False,
) -> None:
    """Withdraw an instrument (a new version claiming nothing); its history stays."""
    try:
        with db.transaction(url) as session:
            done = use.withdraw(session, acting(session, actor, as_user), code, reason)
    except (CarbonpeakError, SQLAlchemyError) as exc:
        fail(exc)
        return
    _done([done], as_json)


def _done(done: list[use.Registered], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps([d.__dict__ for d in done], ensure_ascii=False))
        return
    for d in done:
        typer.echo(f"{d.code}: {d.action} (v{d.version}), {d.kind}, {d.facility}")


@green_app.command("list")
def list_command(
    facility: Annotated[str | None, typer.Option("--facility")] = None,
    enterprise: Annotated[str | None, typer.Option("--enterprise")] = None,
    url: Db = None,
    as_user: As = None,
    as_json: JsonFlag = False,
    lang: Lang = "zh",
) -> None:
    """The register in scope: latest versions (withdrawn ones marked)."""
    try:
        with db.transaction(url) as session:
            rows = use.instruments(session, acting(session, None, as_user), facility=facility, enterprise=enterprise)
    except (CarbonpeakError, SQLAlchemyError) as exc:
        fail(exc)
        return
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, default=str))
        return
    zh = lang == "zh"
    table = Table(title="绿色电力登记" if zh else "Green-power register")
    for head in (
        "编号 类型 设施 版本 电源 总电量MWh 状态" if zh else "code kind facility version source total_MWh state"
    ).split():
        table.add_column(head)
    for r in rows:
        state = ("已撤销" if zh else "withdrawn") if r["withdrawn"] else ("有效" if zh else "counts")
        table.add_row(
            r["code"], r["kind"], r["facility"], str(r["version"]), r["source_type"], f"{r['total_mwh']:,.1f}", state
        )
    console.print(table)


@green_app.command("report")
def report_command(
    facility: Annotated[str | None, typer.Option("--facility")] = None,
    enterprise: Annotated[str | None, typer.Option("--enterprise")] = None,
    year: Annotated[int | None, typer.Option("--year")] = None,
    url: Db = None,
    as_user: As = None,
    as_json: JsonFlag = False,
) -> None:
    """Per facility-month: electricity by source; indirect emissions location- and market-based."""
    try:
        with db.transaction(url) as session:
            frame = use.electricity_report(
                session,
                acting(session, None, as_user),
                facility=facility,
                enterprise=enterprise,
                year=year,
                include_submitted=True,
            )
    except (CarbonpeakError, SQLAlchemyError) as exc:
        fail(exc)
        return
    rows = [{k: _clean(v) for k, v in r.items()} for r in frame.reset_index().to_dict("records")]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, default=str))
        return
    table = Table(title="外购电力间接排放：基于位置 / 基于市场")
    for head in (
        "设施",
        "月份",
        "电网MWh",
        "绿电交易MWh",
        "绿证MWh",
        "厂内可再生MWh",
        "基于位置 tCO2",
        "基于市场 tCO2",
        "剩余因子",
    ):
        table.add_column(head)
    for r in rows:
        table.add_row(
            r["facility_code"],
            r["period"],
            f"{r['grid_mwh']:,.1f}",
            f"{r['contract_mwh']:,.1f}",
            f"{r['certificate_mwh']:,.1f}",
            f"{r['onsite_mwh']:,.1f}",
            _num(r["location_tco2"]),
            _num(r["market_tco2"]),
            str(r["residual_basis"]),
        )
    console.print(table)


def _num(value: Any) -> str:
    return "—" if value is None else f"{value:,.1f}"


@green_app.command("share")
def share_command(
    region: Annotated[str | None, typer.Option("--region")] = None,
    enterprise: Annotated[str | None, typer.Option("--enterprise")] = None,
    by: Annotated[str, typer.Option("--by", help="year or period (month)")] = "year",
    url: Db = None,
    as_user: As = None,
    as_json: JsonFlag = False,
    lang: Lang = "zh",
) -> None:
    """Renewable share of electrolytic aluminium against the plan's 30 % by 2030, with its basis."""
    try:
        with db.transaction(url) as session:
            frame = use.renewable_share(
                session, acting(session, None, as_user), region=region, enterprise=enterprise, by=by
            )
            target = use.share_target(session)
    except (CarbonpeakError, SQLAlchemyError) as exc:
        fail(exc)
        return
    rows = [{k: _clean(v) for k, v in r.items()} for r in frame.to_dict("records")]
    if as_json:
        typer.echo(json.dumps({"target": target, "rows": rows}, ensure_ascii=False, default=str))
        return
    zh = lang == "zh"
    table = Table(title=("电解铝可再生能源电力占比" if zh else "Renewable share of electrolytic aluminium"))
    for head in (
        ("期间", "可再生电量MWh", "用电量MWh", "占比%") if zh else ("period", "renewable MWh", "used MWh", "share %")
    ):
        table.add_column(head)
    for r in rows:
        table.add_row(
            str(r[by]), f"{r['renewable_mwh']:,.1f}", f"{r['electricity_used_mwh']:,.1f}", _num(r["share_pct"])
        )
    console.print(table)
    typer.echo(("口径：" + SHARE_BASIS_ZH) if zh else ("basis: " + SHARE_BASIS))
    typer.echo(
        f"目标：{target['year']}年 ≥ {target['value']:g}%（{target['title_zh']}）"
        if zh
        else f"target: ≥ {target['value']:g} % by {target['year']} ({target['title_en']})"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(green_app, name="green-power")
