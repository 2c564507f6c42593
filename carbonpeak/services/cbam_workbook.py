"""The CBAM package as an Excel workbook with the sheets of the official Communication Template for
Installations (CTI) and the field labels that could be read from a stored extraction of it.

**Not the official cell layout.** The official file (``CBAM Communication template for
installations_en_20241213.xlsx``, 19 sheets) was not available; its sheet names and the labels of its input
and summary fields were read from an extraction of it kept in a public repository (GitHub
GordanVasilic/CBAMCalc, ``ExcelAnalysis/<sheet>/raw_data.csv``, commit 983356a; confidence medium). Each
sheet here lists those fields as rows (section, field, value, unit, source) so an operator can carry them
into the official file. A definitive-period (2026) version of the CTI was not found. The workbook says so on
its ``Notes`` sheet, which also lists the values that rest on unconfirmed sources and the package's gaps;
``Verification`` links every figure to its verified months and parameters.

Written to a temporary file beside the target and moved into place, so a failure leaves no half-written file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from carbonpeak.services.cbam import CbamPackage
from carbonpeak.services.cbam_sheets import _WRITERS, HEADER, LAYOUT_NOTE, SOURCE, _bold, _cite, _round

__all__ = ["CTI_SHEETS", "LAYOUT_NOTE", "OWN_SHEETS", "build_workbook", "write_workbook"]

# The template's 19 sheets, by group (shared/research/anchors-next.md §3.1); the order within the official
# file was not read.
DOCUMENTATION = ("0_Versions", "a_Contents", "b_Guidelines&Conditions", "G_FurtherGuidance", "VersionDocumentation")
REFERENCE = ("c_CodeLists", "Parameters_Constants", "Parameters_CNCodes", "Translations")
INPUT = ("A_InstData", "B_EmInst", "C_Emissions&Energy", "D_Processes", "E_PurchPrec")
TOOLS = ("F_Tools", "InputOutput")
OUTPUT = ("Summary_Processes", "Summary_Products", "Summary_Communication")
CTI_SHEETS = (*DOCUMENTATION, *REFERENCE, *INPUT, *TOOLS, *OUTPUT)
OWN_SHEETS = ("Notes", "Verification", "Default_vs_Actual", "Art10_Registration")


def write_workbook(package: CbamPackage, target: Path) -> Path:
    """Write the package to ``target`` (.xlsx), whole or not at all."""
    book = build_workbook(package)
    target = Path(target)
    handle, temporary = tempfile.mkstemp(suffix=".xlsx", dir=target.parent or None)
    os.close(handle)
    try:
        book.save(temporary)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def build_workbook(package: CbamPackage) -> Workbook:
    book = Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "Notes"
    _notes(notes, package)
    for name in CTI_SHEETS:
        sheet = book.create_sheet(name)
        writer = _WRITERS.get(name)
        if writer is None:
            sheet.append([f"Not reproduced: the official sheet's content ({_group(name)}) was not read. {LAYOUT_NOTE}"])
        else:
            sheet.append([f"{name} - {LAYOUT_NOTE} Field labels: {SOURCE}."])
            sheet.append(list(HEADER))
            _bold(sheet)
            writer(sheet, package)
    _verification(book.create_sheet("Verification"), package)
    _comparison(book.create_sheet("Default_vs_Actual"), package)
    _registration(book.create_sheet("Art10_Registration"), package)
    return book


def _group(name: str) -> str:
    for label, names in (("documentation", DOCUMENTATION), ("reference", REFERENCE), ("tools", TOOLS)):
        if name in names:
            return label
    return "input"


# ---------------------------------------------------------------- own sheets


def _notes(sheet: Worksheet, p: CbamPackage) -> None:
    from carbonpeak.services.cbam_notes import notes

    sheet.append([f"EU CBAM package: {p.facility_name_en or p.facility_code} ({p.facility_code}), {p.year}"])
    _bold(sheet)
    sheet.append([LAYOUT_NOTE])
    sheet.append(
        [f"Field labels read from: {SOURCE}. A definitive-period (2026) version of the template was not found."]
    )
    for text in notes(p, "en"):
        sheet.append([text])
    sheet.append([])
    sheet.append(["Gaps (to be completed before the package is final)"])
    _bold(sheet)
    for gap in p.gaps:
        sheet.append([gap.text("en")])
    if not p.gaps:
        sheet.append(["none"])


def _verification(sheet: Worksheet, p: CbamPackage) -> None:
    sheet.append(["Each figure of the package with the verified months and the parameters it comes from."])
    sheet.append(
        [
            "Period",
            "Version",
            "Status",
            "Output [t]",
            "Fuel CO2 [t]",
            "of which fuel for electricity [t]",
            "Process CO2 [t]",
            "PFC [tCO2e]",
            "Attributed direct [tCO2e]",
            "Electricity consumed [MWh]",
        ]
    )
    _bold(sheet)
    for m in p.figures.months:
        sheet.append(
            [
                m.period,
                m.version,
                m.status,
                m.output_t,
                m.fuel_tco2,
                m.electricity_fuel_tco2,
                m.process_tco2,
                m.pfc_tco2e,
                m.attributed_tco2e,
                m.electricity_mwh,
            ]
        )
    sheet.append([])
    sheet.append(["Parameter", "Key", "Value", "Unit", "Valid from", "Valid to", "Confidence", "Source"])
    _bold(sheet)
    seen = {c.label: c for c in p.figures.cited}
    for cmp in p.comparisons:
        for c in cmp.cited:
            seen.setdefault(f"{c.label}@{c.valid_from}", c)
    for c in seen.values():
        key = ", ".join(f"{k}={v}" for k, v in c.key.items())
        sheet.append(
            [
                c.parameter,
                key,
                c.value,
                c.unit,
                str(c.valid_from or ""),
                str(c.valid_to or ""),
                c.confidence.value,
                c.citation(),
            ]
        )


def _comparison(sheet: Worksheet, p: CbamPackage) -> None:
    sheet.append(
        [
            "Default value with the year's mark-up against the installation's actual SEE (direct), and the "
            "certificate cost per tonne of good before the free-allocation adjustment (upper bound)."
        ]
    )
    sheet.append(
        [
            "Import year",
            "Default SEE [tCO2e/t]",
            "Mark-up [%]",
            "Default with mark-up [tCO2e/t]",
            "Actual SEE [tCO2e/t]",
            "Certificate price [EUR/tCO2e]",
            "Cost at actual [EUR/t]",
            "Cost at default [EUR/t]",
            "Sources and confidence",
            "Gaps",
        ]
    )
    _bold(sheet)
    for c in p.comparisons:
        sheet.append(
            [
                c.year,
                c.default_see,
                c.markup_pct,
                _round(c.default_marked_up, 4),
                _round(c.actual_see, 4),
                c.price_eur,
                _round(c.cost_actual_eur_per_t, 2),
                _round(c.cost_default_eur_per_t, 2),
                _cite(c.cited),
                "; ".join(g.text("en") for g in c.gaps),
            ]
        )


def _registration(sheet: Worksheet, p: CbamPackage) -> None:
    sheet.append(
        [
            "Registration of an operator and its installation in the CBAM Registry, Regulation (EU) 2023/956 "
            "Art. 10 (coordinates to six decimals; the registration is valid for five years)."
        ]
    )
    labels = {
        "operator_name": "Operator name",
        "operator_address": "Operator address",
        "operator_contact": "Operator contact",
        "installation_name": "Installation name",
        "installation_address": "Installation address",
        "latitude": "Latitude (six decimals)",
        "longitude": "Longitude (six decimals)",
        "main_activity": "Main economic activity",
        "validity_years": "Validity of the registration [years]",
    }
    for key, label in labels.items():
        sheet.append([label, p.registration[key] or "MISSING"])
