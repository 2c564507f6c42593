"""The input and summary sheets of the CBAM workbook: each lists the template's fields as rows (section,
field label as the template writes it, value, unit, source of the value). See
:mod:`carbonpeak.services.cbam_workbook` for where the labels were read and why this is not the official
cell layout."""

from __future__ import annotations

from typing import Any

from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from carbonpeak.parameters import Cited
from carbonpeak.services.cbam import A_INSTDATA, CbamPackage
from carbonpeak.services.cbam_figures import PRODUCTS

SOURCE = "GitHub GordanVasilic/CBAMCalc ExcelAnalysis/*/raw_data.csv (commit 983356a)"
LAYOUT_NOTE = (
    "Same sheets and fields as the official CBAM Communication template for installations "
    "(CBAM Communication template for installations_en_20241213.xlsx), not the official cell layout."
)
HEADER = ("Section", "Field (template label)", "Value", "Unit", "Source of the value")
BOLD = Font(bold=True)


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
