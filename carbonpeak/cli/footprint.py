"""``carbonpeak footprint compute|list|review|publish|export|supply``: product carbon footprints from the verified
months. A thin adapter over :mod:`carbonpeak.services.footprints` (and its reads and exports)."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from carbonpeak.cli.common import As, Db, JsonFlag, Lang, acting, cli_lang, fail
from carbonpeak.errors import CarbonpeakError
from carbonpeak.services import footprint_exports as exports
from carbonpeak.services import footprint_reads as reads
from carbonpeak.services import footprints as use
from carbonpeak.store import db

console = Console()
footprint_app = typer.Typer(
    help="Product carbon footprints (GB/T 44905-2024, GB/T 24067-2024): compute, list, review, publish, export.",
    no_args_is_help=True,
)
Year = Annotated[int, typer.Argument(help="the calendar year, e.g. 2024")]
Facility = Annotated[str, typer.Argument(help="the facility's code, e.g. AL03")]


def _product(session: object, facility: str) -> str:
    from sqlalchemy import select

    from carbonpeak.engine.footprint import product_of_sector
    from carbonpeak.store.models import Facility as FacilityRow

    found = session.scalar(select(FacilityRow).where(FacilityRow.code == facility))  # type: ignore[attr-defined]
    return (product_of_sector(found.sector) or "") if found is not None else ""


@footprint_app.command("compute")
def compute_command(
    year: Year,
    facility: Annotated[list[str] | None, typer.Option("--facility", help="a facility's code, repeatable")] = None,
    basis: Annotated[
        str, typer.Option("--basis", help="electricity basis of the headline: location or market")
    ] = "location",
    url: Db = None,
    as_user: As = None,
    lang: Lang = "zh",
) -> None:
    """Compute (or refresh) the year's footprints from the verified months; a changed input makes a new version."""
    lang = cli_lang(lang)
    try:
        with db.transaction(url) as session:
            who = acting(session, None, as_user)
            outcome = use.compute(session, who, year, facility_codes=facility or None, basis=basis)
            written = [
                (v.footprint.facility.code, v.footprint.product, v.version, v.value_tco2e_per_t)
                for v in outcome.written
            ]
            same = len(outcome.unchanged)
            gaps = [(g.facility_code, g.reason.text(lang)) for g in outcome.gaps]  # the text names the facility
    except CarbonpeakError as exc:
        fail(exc, lang=lang)
    for code, product, version, value in written:
        console.print(f"{code} {product} v{version}: {_num(value)} tCO2e/t")
    console.print(f"{len(written)} / {same}")
    for _code, text in gaps:
        console.print(f"[yellow]{text}[/]", highlight=False)


def _num(value: float | None) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.3f}"


@footprint_app.command("list")
def list_command(
    year: Annotated[int | None, typer.Option("--year", help="only this year")] = None,
    published: Annotated[bool, typer.Option("--published", help="the public list: published footprints only")] = False,
    url: Db = None,
    as_user: As = None,
    as_json: JsonFlag = False,
    lang: Lang = "zh",
) -> None:
    """The footprints in scope (latest version each), or the published ones, with the distribution."""
    lang = cli_lang(lang)
    try:
        with db.transaction(url, mode="read") as session:
            rows = reads.published(session) if published else reads.in_scope(session, acting(session, None, as_user))
    except CarbonpeakError as exc:
        fail(exc, lang=lang)
    if year is not None:
        rows = rows[rows["year"] == year]
    if as_json:
        sys.stdout.write(rows.to_json(orient="records", force_ascii=False) + "\n")
        return
    table = Table("facility", "product", "year", "v", "status", "tCO2e/t", "complete", "cut-off")
    for r in rows.itertuples(index=False):
        table.add_row(
            r.facility_code,
            r.product,
            str(r.year),
            str(r.version),
            r.status,
            _num(r.value_tco2e_per_t),
            str(r.complete),
            r.cutoff,
        )
    console.print(table)
    for s in reads.distribution(rows):
        console.print(f"{s.product} {s.group}: n={s.count} P10 {_num(s.p10)} median {_num(s.median)} P90 {_num(s.p90)}")


def _step(action: str, facility: str, year: int, url: str | None, as_user: str | None, lang: str) -> None:
    lang = cli_lang(lang)
    try:
        with db.transaction(url) as session:
            who = acting(session, None, as_user)
            step = use.review if action == "review" else use.publish
            version = step(session, who, facility, _product(session, facility), year)
            console.print(f"{facility} {year} v{version.version}: {version.status}")
    except CarbonpeakError as exc:
        fail(exc, lang=lang)


@footprint_app.command("review")
def review_command(facility: Facility, year: Year, url: Db = None, as_user: As = None, lang: Lang = "zh") -> None:
    """Mark the latest draft version reviewed (a regulator of the region, or the operator)."""
    _step("review", facility, year, url, as_user, lang)


@footprint_app.command("publish")
def publish_command(facility: Facility, year: Year, url: Db = None, as_user: As = None, lang: Lang = "zh") -> None:
    """Publish the latest reviewed version."""
    _step("publish", facility, year, url, as_user, lang)


@footprint_app.command("export")
def export_command(
    facility: Facility,
    year: Year,
    out: Annotated[Path, typer.Option("--out", help="file to write: .xlsx (declaration), .json (PACT) or .pdf")],
    url: Db = None,
    as_user: As = None,
    lang: Lang = "zh",
) -> None:
    """The footprint's declaration (Excel or PDF, in --lang) or its PACT JSON (by the file's suffix)."""
    lang = cli_lang(lang)
    try:
        with db.transaction(url, mode="read") as session:
            who = acting(session, None, as_user)
            footprint = use.get(session, who, facility, _product(session, facility), year)
            latest = footprint.versions[-1]
            if out.suffix == ".json":
                body = exports.pact(
                    footprint, latest, footprint.facility.enterprise.name_en or footprint.facility.enterprise.code
                )
                out.write_text(json.dumps(body, ensure_ascii=False, indent=2), encoding="utf-8")
            elif out.suffix == ".pdf":
                out.write_bytes(exports.declaration_pdf(footprint, latest, lang))
            else:
                out.write_bytes(exports.declaration_xlsx(footprint, latest, lang))
    except CarbonpeakError as exc:
        fail(exc, lang=lang)
    console.print(str(out))


@footprint_app.command("supply")
def supply_command(
    facility: Facility,
    material: Annotated[
        str, typer.Argument(help="alumina, anode, copper_concentrate, zinc_concentrate, ferrosilicon, scrap")
    ],
    year: Year,
    supplier: Annotated[str, typer.Option("--supplier", help="the supplier's name")],
    footprint: Annotated[float | None, typer.Option("--footprint", help="declared footprint, t CO2e per t")] = None,
    evidence: Annotated[str | None, typer.Option("--evidence", help="the declaration's document and number")] = None,
    supplier_facility: Annotated[
        str | None, typer.Option("--supplier-facility", help="a supplier facility on the platform (its code)")
    ] = None,
    quantity: Annotated[float | None, typer.Option("--quantity", help="own consumption, t per t of product")] = None,
    gate_to_gate: Annotated[
        bool, typer.Option("--gate-to-gate", help="the declared value leaves out the supplier's upstream")
    ] = False,
    url: Db = None,
    as_user: As = None,
    lang: Lang = "zh",
) -> None:
    """Where an upstream material comes from: a supplier's declared footprint (refused without evidence) or a
    supplier facility on the platform."""
    lang = cli_lang(lang)
    try:
        with db.transaction(url) as session:
            who = acting(session, None, as_user)
            row = use.add_supply(
                session,
                who,
                facility,
                material,
                year,
                supplier_name=supplier,
                footprint_tco2e_per_t=footprint,
                supplier_facility_code=supplier_facility,
                quantity_t_per_t=quantity,
                cradle_to_gate=not gate_to_gate,
                evidence=evidence,
            )
            console.print(f"{facility} {material} {year}: {row.supplier_name}")
    except CarbonpeakError as exc:
        fail(exc, lang=lang)


def register(app: typer.Typer) -> None:
    app.add_typer(footprint_app, name="footprint")
