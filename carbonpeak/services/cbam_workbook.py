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
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from carbonpeak.parameters import Cited
from carbonpeak.services.cbam import A_INSTDATA, CbamPackage
from carbonpeak.services.cbam_figures import PRODUCTS

SOURCE = "GitHub GordanVasilic/CBAMCalc ExcelAnalysis/*/raw_data.csv (commit 983356a)"
# The template's 19 sheets, by group (shared/research/anchors-next.md §3.1); the order within the official
# file was not read.
DOCUMENTATION = ("0_Versions", "a_Contents", "b_Guidelines&Conditions", "G_FurtherGuidance", "VersionDocumentation")
REFERENCE = ("c_CodeLists", "Parameters_Constants", "Parameters_CNCodes", "Translations")
INPUT = ("A_InstData", "B_EmInst", "C_Emissions&Energy", "D_Processes", "E_PurchPrec")
TOOLS = ("F_Tools", "InputOutput")
OUTPUT = ("Summary_Processes", "Summary_Products", "Summary_Communication")
CTI_SHEETS = (*DOCUMENTATION, *REFERENCE, *INPUT, *TOOLS, *OUTPUT)
OWN_SHEETS = ("Notes", "Verification", "Default_vs_Actual", "Art10_Registration")
LAYOUT_NOTE = (
    "Same sheets and fields as the official CBAM Communication template for installations "
    "(CBAM Communication template for installations_en_20241213.xlsx), not the official cell layout."
)
HEADER = ("Section", "Field (template label)", "Value", "Unit", "Source of the value")
BOLD = Font(bold=True)


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


def _bold(sheet: Worksheet) -> None:
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD


def _row(sheet: Worksheet, section: str, label: str, value: Any, unit: str = "", source: str = "") -> None:
    sheet.append([section, label, "" if value is None else value, unit, source])


def _months(package: CbamPackage) -> str:
    """The short provenance of a yearly figure; the Verification sheet lists each month and version."""
    return f"{package.facility_code} {package.year}: {len(package.months_used)} verified months (sheet Verification)"


def _cite(cited: list[Cited]) -> str:
    return "; ".join(f"{c.label} = {c.value} {c.unit} ({c.citation()}; confidence {c.confidence.value})" for c in cited)


# ---------------------------------------------------------------- input sheets


def _a_instdata(sheet: Worksheet, p: CbamPackage) -> None:
    _row(sheet, "1 Reporting period", "Start:", p.start.isoformat())
    _row(sheet, "1 Reporting period", "End:", p.end.isoformat())
    sources = {
        "Name of the installation (optional):": "registry (facility name)",
        "Name of the installation (English name):": "registry (facility English name)",
        "Economic activity:": "registry (sector)",
        "City:": "registry (region English name)",
        "Country:": "registry (a province of China)",
        "Name of authorized representative:": "registry (enterprise contact)",
        "Email:": "registry (enterprise contact)",
        "Telephone:": "registry (enterprise contact)",
    }
    for label in A_INSTDATA.values():
        value = p.installation[label]
        _row(sheet, "2 About the installation", label, value or "MISSING", "", sources.get(label, "operator's form"))
    for label in ("Company Name:", "Street, Number:", "City:", "Postcode/ZIP:", "Country:"):
        _row(sheet, "3 Verifier (a) Name and address of the verifier of this report", label, "", "", "not held")
    f = p.figures
    _row(
        sheet,
        "4 (a) Aggregated goods categories",
        "G1 Aggregated goods category",
        f.category,
        "",
        "IR 2025/2547 Annex I",
    )
    _row(sheet, "4 (b) Relevant production processes", "P1 Aggregated goods category", f.category)
    _row(sheet, "4 (b) Relevant production processes", "P1 Name", f.process, "", "IR 2025/2547 Annex I section")
    for k, pre in enumerate(f.precursors, start=1):
        _row(sheet, "5 Purchased precursors", f"PP{k} Production process", pre.name, "", "operator's form")
        _row(sheet, "5 Purchased precursors", f"PP{k} Country code", pre.country, "", "operator's form")


def _b_eminst(sheet: Worksheet, p: CbamPackage) -> None:
    section = "(a) Calculation based approaches: Source Streams (excluding PFC emissions)"
    for k, s in enumerate(p.figures.streams, start=1):
        src = f"{_months(p)}; method {p.figures.method}"
        _row(sheet, section, f"#{k} Method", s.method)
        _row(
            sheet,
            section,
            f"#{k} Source stream name",
            s.name + (" (fuel for electricity)" if s.for_electricity else ""),
        )
        _row(sheet, section, f"#{k} Activity data (AD)", round(s.activity, 3), s.activity_unit, src)
        if s.energy_tj:
            _row(
                sheet,
                section,
                f"#{k} Net calorific value (NCV)",
                round(s.energy_tj * 1000 / s.activity, 4),
                f"GJ/{s.activity_unit}",
                "derived: energy content / AD",
            )
            _row(sheet, section, f"#{k} Energy content (fossil), TJ", round(s.energy_tj, 3), "TJ", src)
        _row(sheet, section, f"#{k} CO2e fossil (t)", round(s.tco2, 3), "tCO2e", src)
    pfc = p.figures.pfc
    section = "(b) PFC (perfluorocarbon) emissions"
    if pfc is None:
        _row(sheet, section, "#1 Method", "none computed", "", "see Notes (gaps)")
        return
    by_name = {c.key.get("quantity") or c.key.get("gas"): c for c in p.figures.cited}
    sources = {
        "#1 A: SEF(CF4)": _cite([by_name["slope_cf4"]]) if "slope_cf4" in by_name else "",
        "#1 F(C2F6)": _cite([by_name["c2f6_to_cf4"]]) if "c2f6_to_cf4" in by_name else "",
        "#1 GWP (CF4) (tCO2e/t)": _cite([by_name["CF4"]]) if "CF4" in by_name else "",
        "#1 GWP (C2F6) (tCO2e/t)": _cite([by_name["C2F6"]]) if "C2F6" in by_name else "",
    }
    for label, value, unit in (
        ("#1 Method", pfc.method, ""),
        ("#1 Technology type", pfc.technology, "code of IR 2025/2547 Annex II B.7 Table 2"),
        ("#1 Activity data (AD)", round(pfc.production_t, 3), "t"),
        ("#1 A: Frequency", "", "not reported: the months give AEM = frequency x duration (Eq. 23)"),
        ("#1 A: Duration", "", "not reported: the months give AEM = frequency x duration (Eq. 23)"),
        ("#1 AEM, production-weighted (own field)", None if pfc.aem is None else round(pfc.aem, 5), "AE-min/cell-day"),
        ("#1 A: SEF(CF4)", pfc.sef_cf4, "(kg CF4/t Al)/(AE-min/cell-day)"),
        ("#1 F(C2F6)", pfc.f_c2f6, "t C2F6/t CF4"),
        ("#1 CF4 Emissions (t CF4)", round(pfc.cf4_t, 6), "t"),
        ("#1 C2F6 Emissions (t C2F6)", round(pfc.c2f6_t, 6), "t"),
        ("#1 GWP (CF4) (tCO2e/t)", pfc.gwp_cf4, "tCO2e/t"),
        ("#1 GWP (C2F6) (tCO2e/t)", pfc.gwp_c2f6, "tCO2e/t"),
        ("#1 CF4 Emissions (t CO2e)", round(pfc.cf4_t * pfc.gwp_cf4, 3), "tCO2e"),
        ("#1 C2F6 Emissions (t CO2e)", round(pfc.c2f6_t * pfc.gwp_c2f6, 3), "tCO2e"),
        ("#1 Collection efficiency, %", "", "not reported (Eq. 20 applies where factors are measured)"),
    ):
        _row(sheet, section, label, value, unit, sources.get(label) or _months(p))
    _row(sheet, "(c) Measurement-Based Approaches: Emissions Sources", "#1 Name", "none reported")


def _c_emissions(sheet: Worksheet, p: CbamPackage) -> None:
    f = p.figures
    total_tj = sum(s.energy_tj or 0.0 for s in f.streams)
    electricity_tj = sum(s.energy_tj or 0.0 for s in f.streams if s.for_electricity)
    src = _months(p)
    section = "1 Fuel balance (Results:)"
    _row(sheet, section, "Total fuel input", round(total_tj, 3), "TJ", src)
    _row(sheet, section, "Direct fuel for CBAM goods", round(total_tj - electricity_tj, 3), "TJ", src)
    _row(sheet, section, "Fuel for electricity", round(electricity_tj, 3), "TJ", "fuels declared on the form")
    _row(sheet, section, "Direct fuel for non-CBAM goods", 0.0, "TJ", "none reported")
    co2 = sum(m.fuel_tco2 + m.process_tco2 for m in f.months)
    pfc = sum(m.pfc_tco2e for m in f.months)
    section = "2 (a) GHG balance by type of GHG (Results:)"
    _row(sheet, section, "Total CO2 emissions", round(co2, 3), "tCO2e", src)
    _row(sheet, section, "Biomass emissions", "", "tCO2e", "not reported")
    _row(sheet, section, "Total N2O emissions", "", "tCO2e", "not reported")
    _row(sheet, section, "Total PFC emissions", round(pfc, 3), "tCO2e", src)
    _row(sheet, section, "Total direct emissions", round(co2 + pfc, 3), "tCO2e", src)
    _row(
        sheet,
        section,
        "Total indirect emissions",
        "",
        "tCO2e",
        "entered manually in the template; not part of the SEE of aluminium goods",
    )
    section = "2 (b) GHG balance by type of monitoring methodology"
    _row(sheet, section, "Calculation - based (excl. PFC emissions)", round(co2, 3), "tCO2e", src)
    _row(sheet, section, "Total PFC emissions", round(pfc, 3), "tCO2e", src)
    _row(sheet, section, "Measurement - based", 0.0, "tCO2e", "none reported")
    section = "2 (c) Information on the data quality and quality assurance"
    _row(
        sheet,
        section,
        "General information on data quality:",
        "",
        "",
        "a drop-down of the template whose options were not read",
    )
    _row(sheet, section, "Justification for use of default values (if relevant):", "")
    _row(
        sheet, section, "Information on quality assurance:", "monthly data verified on the provincial platform", "", src
    )


def _d_processes(sheet: Worksheet, p: CbamPackage) -> None:
    f = p.figures
    src = _months(p)
    section = "1 Production process 1: " + f.process
    _row(sheet, section, "(a) Total production levels: " + f.category, round(f.activity_level_t, 3), "t", src)
    _row(
        sheet,
        section,
        "Total production within installation (= denominator for SEE calculation):",
        round(f.activity_level_t, 3),
        "t",
        src,
    )
    _row(sheet, section, "(b) i. Produced for the market", "", "t", "not held")
    _row(
        sheet,
        section,
        "(g) Directly attributable emissions (DirEm*)",
        round(f.attributed_tco2e, 3),
        "tCO2e",
        f"{src}; fuel for electricity left out",
    )
    _row(sheet, section, "(h) i. Amount of net measurable heat", "", "TJ", "none reported")
    _row(sheet, section, "(i) i. Amount of waste gas", "", "TJ", "none reported")
    _row(
        sheet,
        section,
        "(j) i. Electricity consumption",
        round(f.electricity_mwh, 3),
        "MWh",
        f"{src}; grid + captive + on-site renewable",
    )
    _row(
        sheet,
        section,
        "(j) ii. Emission factor of the electricity",
        "",
        "tCO2/MWh",
        "not relevant: aluminium counts direct emissions only",
    )
    _row(sheet, section, "(k) i. Amounts exported", "", "MWh", "none reported")


def _e_purchprec(sheet: Worksheet, p: CbamPackage) -> None:
    if not p.figures.precursors:
        _row(sheet, "Purchased precursor 1:", "none", "")
    for k, pre in enumerate(p.figures.precursors, start=1):
        section = f"{k} Purchased precursor {k}: {pre.name} ({pre.country})"
        _row(sheet, section, "(a) Total purchased levels:", pre.mass_t, "t", "operator's form")
        _row(
            sheet,
            section,
            "(b) Consumed in 'production processes' within the installation: P1",
            pre.mass_t,
            "t",
            "operator's form",
        )
        _row(
            sheet,
            section,
            "(e) i. Specific embedded direct emissions (SEE (direct))",
            pre.see,
            "tCO2e/t",
            pre.see_source,
        )
        _row(
            sheet,
            section,
            "(e) v. Justification for use of default values (if relevant):",
            "supplier's actual value not given" if pre.by_default else "",
        )


# ---------------------------------------------------------------- summaries


def _summary_processes(sheet: Worksheet, p: CbamPackage) -> None:
    f = p.figures
    for label in (
        "Name of the installation (English name):",
        "Street, Number:",
        "Economic activity:",
        "City:",
        "Country:",
        "UNLOCODE:",
        "Coordinates of the main emission source (latitude):",
        "Coordinates of the main emission source (longitude):",
    ):
        _row(sheet, "1 Summary of the installation", label, p.installation[label] or "MISSING")
    _row(sheet, "1 Summary of the installation", "Reporting period start:", p.start.isoformat())
    _row(sheet, "1 Summary of the installation", "Reporting period end:", p.end.isoformat())
    section = "2 (a) GHG balance: P1 " + f.category
    _row(sheet, section, "DirEm*", round(f.attributed_tco2e, 3), "tCO2e", _months(p))
    _row(sheet, section, "Total direct emissions", round(f.attributed_tco2e, 3), "tCO2e", _months(p))
    _row(sheet, section, "Activity level", round(f.activity_level_t, 3), "t", _months(p))
    section = "2 Specific direct and indirect (embedded) emissions: P1 " + f.category
    se = f.attributed_tco2e / f.activity_level_t if f.activity_level_t > 0 and not f.gaps else None
    _row(sheet, section, "SE (direct)", _round(se), "tCO2e/t", "attributed direct emissions / activity level")
    _row(sheet, section, "SEE (direct)", _round(f.see), "tCO2e/t", "IR 2025/2547 Annex III B Eq. 59-60")
    _row(
        sheet,
        section,
        "Electricity consumed",
        _round(f.electricity_mwh / f.activity_level_t if f.activity_level_t else None),
        "MWh/t",
    )
    for k, pre in enumerate(f.precursors, start=1):
        _row(sheet, f"(b) Purchased precursors: PP{k} {pre.name}", "SEE (direct)", pre.see, "tCO2e/t", pre.see_source)


def _product_row(p: CbamPackage) -> list[tuple[str, Any, str]]:
    f = p.figures
    default = next((c for cmp in p.comparisons for c in cmp.cited if c.parameter == "cbam.default_see"), None)
    scrap = f.scrap_t / f.activity_level_t if f.activity_level_t > 0 else None
    return [
        ("Production process from which the products arise", f.process, ""),
        ("Type of aggregated good or precursor", f.category, ""),
        ("CN Codes", f.cn_code or "MISSING", ""),
        ("CN Name", (default.note if default is not None else "") or "", "note of the default-value parameter"),
        ("Product name (used for communication with reporting declarant, e.g. on invoices)", "", "to be entered"),
        ("SEE (direct)", _round(f.see), "tCO2e/t"),
        ("SEE (indirect)", "", "not part of the SEE of aluminium goods"),
        ("SEE (total)", _round(f.see), "tCO2e/t"),
        ("Unit", "tCO2e/t", ""),
        ("Share of emissions by default value", _round(f.share_default), "fraction"),
        ("t scrap per t aluminium", _round(scrap) if f.category != PRODUCTS else "", "t/t"),
        ("% pre-consumer scrap", "", "not held"),
        ("% non-aluminium elements", "", "not held"),
    ]


def _summary_products(sheet: Worksheet, p: CbamPackage) -> None:
    for label, value, unit in _product_row(p):
        _row(sheet, "Summary of products: 1", label, value, unit)


def _summary_communication(sheet: Worksheet, p: CbamPackage) -> None:
    for label in (
        "Name of the installation (English name):",
        "Street, Number:",
        "Economic activity:",
        "Country:",
        "UNLOCODE:",
        "Coordinates of the main emission source (latitude):",
        "Coordinates of the main emission source (longitude):",
    ):
        _row(sheet, "1 Installation details", label, p.installation[label] or "MISSING")
    _row(sheet, "1 Installation details", "Reporting period start:", p.start.isoformat())
    _row(sheet, "1 Installation details", "Reporting period end:", p.end.isoformat())
    f = p.figures
    _row(sheet, "2 (a) Aggregated good produced", "G1", f.category)
    _row(sheet, "2 (b) Production process", "P1", f"{f.process} ({f.category})")
    co2 = sum(m.fuel_tco2 - m.electricity_fuel_tco2 + m.process_tco2 for m in f.months)
    pfc = sum(m.pfc_tco2e for m in f.months)
    section = "3 Summary of emissions by monitoring methodology and data quality"
    _row(sheet, section, "Calculation - based (excl. PFC emissions)", round(co2, 3), "tCO2e", _months(p))
    _row(sheet, section, "Total PFC emissions", round(pfc, 3), "tCO2e", _months(p))
    _row(sheet, section, "Measurement - based", 0.0, "tCO2e")
    _row(
        sheet,
        section,
        "Total direct emissions during reporting period:",
        round(co2 + pfc, 3),
        "tCO2e",
        "fuel for electricity left out",
    )
    _row(
        sheet, section, "Total indirect emissions during reporting period:", "", "tCO2e", "not part of aluminium's SEE"
    )
    _row(sheet, "4 Further information", "Carbon price instrument:", "", "", "to be entered")
    _row(sheet, "4 Further information", "Any additional information:", LAYOUT_NOTE)
    for label, value, unit in _product_row(p):
        _row(sheet, "2 Summary of products: 1", label, value, unit)


_WRITERS = {
    "A_InstData": _a_instdata,
    "B_EmInst": _b_eminst,
    "C_Emissions&Energy": _c_emissions,
    "D_Processes": _d_processes,
    "E_PurchPrec": _e_purchprec,
    "Summary_Processes": _summary_processes,
    "Summary_Products": _summary_products,
    "Summary_Communication": _summary_communication,
}


def _round(value: float | None, digits: int = 6) -> float | str:
    return "" if value is None else round(value, digits)


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
