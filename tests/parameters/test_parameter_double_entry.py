"""Double entry of transcribed tables.

Every value below was typed independently from the documents in /work/shared/reference (not copied from
the parameter files). Each test is a TRANSCRIPTION CHECK of a parameter file cell, not a test of a formula:
it catches a mistyped, shifted or mis-keyed value.
"""

import datetime as dt

import pytest

from carbonpeak.units import conversion_factor


def _assert_cell(cited, value, unit):
    assert cited.value == pytest.approx(value, rel=1e-12, abs=0)
    assert conversion_factor(cited.unit, unit) == pytest.approx(1.0, rel=1e-12)


# international-methods.md §1.7 (SAR/AR4: AMEE and IAI; AR5: IR 2025/2547 Annex II G Table 6; AR6: code tables)
GWP = [
    ("SAR", "CF4", 6500),
    ("SAR", "C2F6", 9200),
    ("SAR", "SF6", 23900),
    ("AR4", "CF4", 7390),
    ("AR4", "C2F6", 12200),
    ("AR4", "SF6", 22800),
    ("AR5", "CF4", 6630),
    ("AR5", "C2F6", 11100),
    ("AR5", "SF6", 23500),
    ("AR6", "CF4", 7380),
    ("AR6", "C2F6", 12400),
    ("AR6", "SF6", 25200),
]


@pytest.mark.parametrize(("edition", "gas", "gwp"), GWP)
def test_gwp_table(params, edition, gas, gwp):
    """Transcription check of emissions.gwp against the IPCC GWP100 table (not a formula test)."""
    _assert_cell(params.at("emissions.gwp", edition=edition, gas=gas), gwp, "t CO2e / t_gas")


# china-energy-coefficients.csv, GB/T 2589-2020 Annex A
COEFFICIENTS = [
    ("electricity_equivalent", 0.1229, "kgce/kWh"),
    ("heat", 0.03412, "kgce/MJ"),
    ("coke", 0.9714, "kgce/kg"),
    ("diesel", 1.4571, "kgce/kg"),
]


@pytest.mark.parametrize(("carrier", "coefficient", "unit"), COEFFICIENTS)
def test_gbt2589_coefficients(params, carrier, coefficient, unit):
    """Transcription check of energy.coefficient against GB/T 2589-2020 Annex A (not a formula test)."""
    _assert_cell(params.at("energy.coefficient", period=2024, carrier=carrier), coefficient, unit)


# china-grid-factors.csv: MEE/NBS notices 2024 No. 12 (2021 data), 2024 No. 33 (2022), 2025 No. 47 (2023)
GRID = [
    (2021, "china", "location", 0.5568),
    (2022, "china", "location", 0.5366),
    (2023, "china", "location", 0.5306),
    (2021, "china", "residual", 0.5942),
    (2022, "china", "residual", 0.5856),
    (2023, "china", "residual", 0.6096),
    (2021, "guizhou", "location", 0.5182),
    (2022, "guizhou", "location", 0.4989),
    (2023, "guizhou", "location", 0.5683),
    (2021, "shaanxi", "location", 0.6336),
    (2022, "shaanxi", "location", 0.6558),
    (2023, "shaanxi", "location", 0.6335),
    (2021, "xinjiang", "location", 0.6577),
    (2022, "xinjiang", "location", 0.6231),
    (2023, "xinjiang", "location", 0.6021),
]


@pytest.mark.parametrize(("data_year", "region", "basis", "factor"), GRID)
def test_grid_factors(params, data_year, region, basis, factor):
    """Transcription check of electricity.grid_factor against the MEE/NBS notices (not a formula test)."""
    cited = params.at("electricity.grid_factor", data_year=data_year, region=region, basis=basis)
    _assert_cell(cited, factor, "t CO2/MWh")


# china-grid-factors.csv and china-reference-data.md §4.1: the national-ETS factor by accounting year.
# 0.6101 (环办气候〔2021〕9号) until 2020; 0.5810 (2022 notice) for 2021; 0.5703 ("2022年度", notice of
# February 2023) for 2022 — a report made in year R covers year R-1. From 2023 the rule uses the MEE/NBS series.
ETS = [(2019, 0.6101), (2020, 0.6101), (2021, 0.5810), (2022, 0.5703)]


@pytest.mark.parametrize(("accounting_year", "factor"), ETS)
def test_ets_grid_factor_by_accounting_year(params, accounting_year, factor):
    """Transcription check of electricity.grid_factor_ets and its dates (not a formula test)."""
    _assert_cell(params.at("electricity.grid_factor_ets", period=accounting_year), factor, "t CO2/MWh")
    rule = params.at("electricity.grid_factor_rule", period=accounting_year).value
    assert rule["series"] == "ets" and rule["lag_years"] == 0


# The rule from 2023 (china-reference-data.md §4.2, "use the factors of year Y-2"): accounting year → data year.
@pytest.mark.parametrize(("accounting_year", "location", "residual"), [(2023, 0.5568, 0.5942), (2024, 0.5366, 0.5856)])
def test_y_minus_2_rule(params, accounting_year, location, residual):
    rule = params.at("electricity.grid_factor_rule", period=accounting_year).value
    assert (rule["series"], rule["lag_years"], rule["region"]) == ("mee_nbs", 2, "china")
    data_year = accounting_year - rule["lag_years"]
    _assert_cell(
        params.at("electricity.grid_factor", data_year=data_year, region="china", basis="location"),
        location,
        "t CO2/MWh",
    )
    _assert_cell(
        params.at("electricity.grid_factor", data_year=data_year, region="china", basis="residual"),
        residual,
        "t CO2/MWh",
    )


# china-accounting-defaults.csv: NDRC 2013 fuel table (NCV, carbon content per heat, oxidation rate)
FUELS = [
    ("anthracite", 20.304, "GJ/t", 27.49, 94),
    ("bituminous_coal", 19.570, "GJ/t", 26.18, 93),
    ("coke", 28.447, "GJ/t", 29.50, 93),
    ("natural_gas", 389.31, "GJ/(10^4 Nm3)", 15.30, 99),
]


@pytest.mark.parametrize(("fuel", "ncv", "ncv_unit", "carbon_content", "oxidation_pct"), FUELS)
def test_ndrc2013_fuel_table(params, fuel, ncv, ncv_unit, carbon_content, oxidation_pct):
    """Transcription check of emissions.fuel against the NDRC 2013 fuel table (not a formula test)."""
    _assert_cell(params.at("emissions.fuel", period=2020, fuel=fuel, quantity="ncv"), ncv, ncv_unit)
    _assert_cell(params.at("emissions.fuel", period=2020, fuel=fuel, quantity="carbon_content"), carbon_content, "t/TJ")
    _assert_cell(params.at("emissions.fuel", period=2020, fuel=fuel, quantity="oxidation_rate"), oxidation_pct, "%")


# china-missing-values.md §2 and china-benchmarks.csv: 发改价格〔2021〕1239号 分档标准 by date
THRESHOLDS = [
    (dt.date(2022, 1, 1), 13650),
    (dt.date(2022, 12, 31), 13650),
    (dt.date(2023, 1, 1), 13450),
    (dt.date(2024, 12, 31), 13450),
    (dt.date(2025, 1, 1), 13300),
    (dt.date(2030, 6, 1), 13300),
]


@pytest.mark.parametrize(("day", "threshold"), THRESHOLDS)
def test_tiered_price_thresholds(params, day, threshold):
    """Transcription check of the 1239 thresholds and their dates (not a formula test)."""
    _assert_cell(params.at("benchmarks.tiered_price_al", period=day, item="threshold"), threshold, "kWh/t")


# china-benchmarks.csv: the 2013 NDRC/MIIT notice (effective 2014-01-01)
TIERS_2013 = [
    ("tier1_upper", 13700, "kWh/t"),
    ("tier2_upper", 13800, "kWh/t"),
    ("tier2_surcharge", 0.02, "yuan/kWh"),
    ("tier3_surcharge", 0.08, "yuan/kWh"),
]


@pytest.mark.parametrize(("item", "value", "unit"), TIERS_2013)
def test_tiered_price_2013(params, item, value, unit):
    """Transcription check of the 2013 three-tier rule (not a formula test)."""
    _assert_cell(params.at("benchmarks.tiered_price_al", period=2018, item=item), value, unit)


# china-missing-values.md §1 and china-benchmarks.csv: 发改产业〔2021〕1609号 (2021 edition)
BENCHMARKS_2021 = [
    ("electrolytic_aluminium", 13000, 13350, "kWh/t"),
    ("copper_smelting", 260, 380, "kgce/t"),
    ("lead_smelting_crude", 230, 300, "kgce/t"),
    ("zinc_smelting_hydro", 1100, 1280, "kgce/t"),
]


@pytest.mark.parametrize(("product", "benchmark", "baseline", "unit"), BENCHMARKS_2021)
def test_ndrc_2021_levels(params, product, benchmark, baseline, unit):
    """Transcription check of the 2021 benchmark / baseline pairs (not a formula test)."""
    for level, value in (("benchmark", benchmark), ("baseline", baseline)):
        _assert_cell(params.at("benchmarks.ndrc_level", edition="2021", product=product, level=level), value, unit)


# china-benchmarks.csv: GB 21346-2022 表1 (levels 1 advanced, 2 new plants, 3 existing plants)
GB21346 = [
    ("电解铝", "铝液交流电耗", (12950, 13000, 13350), "kWh/t"),
    ("电解铝", "铝液综合交流电耗", (13250, 13350, 13700), "kWh/t"),
    ("电解铝", "铝锭综合交流电耗", (13300, 13400, 13750), "kWh/t"),
    ("电解铝", "铝锭综合单耗（综合能耗）", (1670, 1680, 1720), "kgce/t"),
    ("拜耳法氧化铝", "工艺能耗", (310, 360, 430), "kgce/t"),
    ("拜耳法氧化铝", "综合能耗", (340, 390, 460), "kgce/t"),
    ("其他工艺氧化铝", "工艺能耗", (500, 550, 650), "kgce/t"),
    ("其他工艺氧化铝", "综合能耗", (550, 600, 700), "kgce/t"),
]


@pytest.mark.parametrize(("product", "indicator", "levels", "unit"), GB21346)
def test_gb21346_2022_levels(params, product, indicator, levels, unit):
    """Transcription check of GB 21346-2022 levels 1-3 (not a formula test)."""
    for level, value in enumerate(levels, start=1):
        cited = params.at(
            "benchmarks.energy_limit",
            period=2023,
            standard="GB 21346-2022",
            product=product,
            indicator=indicator,
            level=level,
        )
        _assert_cell(cited, value, unit)
