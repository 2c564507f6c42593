"""``carbonpeak cbam package``: the EU CBAM package of an aluminium installation for a year, written as the
Excel workbook (sheets of the Communication Template for Installations). A thin adapter over
:mod:`carbonpeak.services.cbam` and :mod:`carbonpeak.services.cbam_workbook`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from carbonpeak import messages
from carbonpeak.cli.common import As, Db, JsonFlag, Lang, acting, cli_lang, fail
from carbonpeak.errors import CarbonpeakError
from carbonpeak.services import cbam as use
from carbonpeak.services.cbam_form import InstallationForm
from carbonpeak.services.cbam_notes import notes
from carbonpeak.services.cbam_workbook import write_workbook
from carbonpeak.store import db

cbam_app = typer.Typer(
    help="EU CBAM packages of aluminium installations (the operator's workbook).", no_args_is_help=True
)


@cbam_app.command("package")
def package_command(
    facility: Annotated[str, typer.Option("--facility", help="the installation's facility code, e.g. AL01")],
    year: Annotated[int, typer.Option("--year", help="the calendar year (reporting period)")],
    out: Annotated[Path, typer.Option("--out", help="the .xlsx to write (whole or not at all)")],
    street_number: Annotated[str, typer.Option("--street", help="the installation's street and number")] = "",
    post_code: Annotated[str, typer.Option("--post-code")] = "",
    unlocode: Annotated[str, typer.Option("--unlocode", help="UN/LOCODE of the site, e.g. 'CN XIY'")] = "",
    latitude: Annotated[str, typer.Option("--latitude", help="main emission source, decimal degrees")] = "",
    longitude: Annotated[str, typer.Option("--longitude", help="main emission source, decimal degrees")] = "",
    operator_address: Annotated[str, typer.Option("--operator-address")] = "",
    electricity_fuels: Annotated[
        str, typer.Option("--electricity-fuels", help="fuel codes of a captive power plant, comma-separated")
    ] = "",
    cn_code: Annotated[str, typer.Option("--cn-code", help="an aluminium products plant's CN code")] = "",
    precursor_mass_t: Annotated[str, typer.Option("--precursor-mass", help="purchased unwrought aluminium [t]")] = "",
    precursor_country: Annotated[str, typer.Option("--precursor-country", help="its country, e.g. CN")] = "",
    precursor_see: Annotated[str, typer.Option("--precursor-see", help="the supplier's SEE [tCO2e/t]")] = "",
    complete: Annotated[bool, typer.Option("--complete", help="refuse while installation data are missing")] = False,
    url: Db = None,
    as_user: As = None,
    as_json: JsonFlag = False,
    lang: Lang = "zh",
) -> None:
    """Write the installation's CBAM package for a year: every month of the year must be verified; what the
    registry lacks comes from the options, and what is still missing is listed (or, with --complete, refused)."""
    lang = cli_lang(lang)
    form = InstallationForm(
        street_number=street_number,
        post_code=post_code,
        unlocode=unlocode,
        latitude=latitude,
        longitude=longitude,
        operator_address=operator_address,
        electricity_fuels=electricity_fuels,
        cn_code=cn_code,
        precursor_mass_t=precursor_mass_t,
        precursor_country=precursor_country,
        precursor_see=precursor_see,
    )
    try:
        with db.transaction(url, mode="read") as session:
            who = acting(session, None, as_user)
            found = use.cbam_package(session, who, facility, year, form, complete=complete)
            write_workbook(found, out)
    except CarbonpeakError as exc:
        fail(exc, consequence="cli.nothing_written", lang=lang)
        return
    gaps = [g.text(lang) for g in found.gaps] + [g.text(lang) for c in found.comparisons for g in c.gaps]
    if as_json:
        payload = {
            "out": str(out),
            "see": found.figures.see,
            "gaps": list(dict.fromkeys(gaps)),
            "notes": notes(found, lang),
        }
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return
    see = "—" if found.figures.see is None else f"{found.figures.see:.4f}"
    typer.echo(
        messages.render("cbam.cli.written", lang, {"out": str(out), "facility": facility, "year": year, "see": see})
    )
    for text in dict.fromkeys(gaps):
        typer.echo(f"  - {text}")


def register(app: typer.Typer) -> None:
    app.add_typer(cbam_app, name="cbam")
