"""Green power per facility-month: electricity by source, location- and market-based indirect emissions.

The one place that joins the stored months, the registered green-power instruments and the cited
parameters to :func:`carbonpeak.engine.emissions.scope2.dual_scope2`. Plain frames in, a plain frame
out (indexed by facility and month), so the product footprint and any other part can take the
market-based factor of a facility-month as a mapping (:func:`market_factors`).

Which volume counts, per facility-month and instrument kind:

* ``registered``: the instruments entered in the green-power register (contracts, certificates,
  on-site generation) for that month, which were checked against the month's electricity and
  against each other (a certificate serial counted once);
* ``reported``: where none is registered, the month's own form field (绿证对应电量, 绿电交易电量,
  自发自用可再生电力), as the enterprise reported it, without the register's checks;
* never both: a registered instrument replaces the form field of its kind for that month.

Factors follow the grid-factor rule in force for the month's year (``electricity.grid_factor_rule``,
the same rule as the monthly accounting, national level): the location factor, and for the
market-based figure the national residual factor, or where none is held the location factor, said
so in ``residual_basis`` (``fallback_location``), or the ETS factor for 2019-2022 (``ets``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from carbonpeak.engine.emissions.scope2 import METHOD, dual_scope2, renewable_share_pct
from carbonpeak.errors import ParameterNotFound
from carbonpeak.parameters import Cited, ParameterSet

KINDS = ("contract", "certificate", "onsite")
# The monthly form's field of each kind, used where no instrument of that kind is registered.
FORM_FIELD = {
    "contract": "direct_renewable_mwh",
    "certificate": "green_certificate_mwh",
    "onsite": "onsite_renewable_mwh",
}
MONTH_COLUMNS = (
    "facility_code",
    "period",
    "grid_electricity_mwh",
    "exported_electricity_mwh",
    "captive_electricity_mwh",
    *FORM_FIELD.values(),
)
COLUMNS = (
    "enterprise_code",
    "sector",
    "grid_mwh",
    "exported_mwh",
    "captive_mwh",
    "contract_mwh",
    "certificate_mwh",
    "onsite_mwh",
    "uncovered_grid_mwh",
    "contract_basis",
    "certificate_basis",
    "onsite_basis",
    "location_factor_tco2_per_mwh",
    "residual_factor_tco2_per_mwh",
    "residual_basis",
    "market_factor_tco2_per_mwh",
    "location_tco2",
    "market_tco2",
    "electricity_used_mwh",
    "renewable_mwh",
    "factor_sources",
    "factor_sources_en",
)
# The basis of the renewable share, stored with every figure of it.
SHARE_BASIS = (
    "green-power contracts + green certificates (each capped at the month's grid purchase) + on-site "
    "renewables used on site, over grid + captive + on-site − exported; the grid's own renewable share "
    "is not counted (no cited parameter for it)"
)
SHARE_BASIS_ZH = (
    "绿电交易电量 + 绿证电量（均以当月电网购入电量为上限）+ 厂内自发自用可再生电力，除以（电网购入 + 自备电厂 + "
    "厂内可再生 − 输出电量）；电网自身的可再生电力比例不计入（没有可引用的参数）"
)


def _cite(cited: Cited) -> tuple[str, str]:
    """(Chinese, English) citation of a factor: the document, its number and clause."""
    zh = cited.source.zh
    if zh is None:
        return cited.citation(), cited.citation()
    number = zh.number or cited.source.number
    parts = [zh.document, *(p for p in (number, zh.clause) if p and p not in zh.document)]
    return "，".join(parts), cited.citation()


@dataclass(frozen=True)
class _Factors:
    location: float
    residual: float
    residual_basis: str
    sources: str
    sources_en: str = ""


def _factors_of_year(params: ParameterSet, year: int) -> _Factors:
    """The location and market (residual) factors the rule in force gives for ``year``; NaN where the
    location factor is not held (the month waits for it, like its monthly accounting)."""
    try:
        rule_cited = params.at("electricity.grid_factor_rule", period=year)
    except ParameterNotFound:
        return _Factors(np.nan, np.nan, "missing", "electricity.grid_factor_rule", "electricity.grid_factor_rule")
    rule = rule_cited.value
    if rule["series"] == "ets":
        try:
            ets = params.at("electricity.grid_factor_ets", period=year)
        except ParameterNotFound:
            return _Factors(np.nan, np.nan, "missing", "electricity.grid_factor_ets", "electricity.grid_factor_ets")
        return _Factors(float(ets.value), float(ets.value), "ets", *_cite(ets))
    data_year = year - int(rule["lag_years"])
    try:
        location = params.at("electricity.grid_factor", data_year=data_year, region=rule["region"], basis="location")
    except ParameterNotFound:
        missing = f"electricity.grid_factor {data_year} location"
        return _Factors(np.nan, np.nan, "missing", missing, missing)
    try:
        residual = params.at("electricity.grid_factor", data_year=data_year, region="china", basis="residual")
    except ParameterNotFound:
        return _Factors(float(location.value), float(location.value), "fallback_location", *_cite(location))
    (loc_zh, loc_en), (res_zh, res_en) = _cite(location), _cite(residual)
    return _Factors(
        float(location.value),
        float(residual.value),
        "residual",
        f"{loc_zh}（{data_year}年）；{res_zh}（{data_year}年）",
        f"{loc_en} ({data_year}); {res_en} ({data_year})",
    )


def dual_report(months: pd.DataFrame, instruments: pd.DataFrame, params: ParameterSet) -> pd.DataFrame:
    """Per facility-month: electricity by source, both indirect figures and their factors, provenance.

    ``months``: one row per facility-month (:data:`MONTH_COLUMNS`, plus ``enterprise_code`` and
    ``sector`` if known). ``instruments``: rows (facility_code, period, kind, mwh) of the register.
    Returns a frame indexed by (facility_code, period) with :data:`COLUMNS`; ``market_factor_tco2_per_mwh``
    is the market-based emissions per MWh of net purchased grid electricity (NaN where none was bought).
    """
    index_names = ["facility_code", "period"]
    if months.empty:
        empty = pd.DataFrame(columns=list(COLUMNS), index=pd.MultiIndex.from_tuples([], names=index_names))
        return empty
    frame = months.set_index(index_names).sort_index()
    frame = frame[~frame.index.duplicated(keep="last")]
    registered = (
        instruments.groupby(["facility_code", "period", "kind"])["mwh"].sum().unstack("kind")
        if not instruments.empty
        else pd.DataFrame(index=frame.index)
    )
    registered = registered.reindex(frame.index)
    volumes: dict[str, np.ndarray] = {}
    bases: dict[str, np.ndarray] = {}
    for kind in KINDS:
        form = pd.to_numeric(frame[FORM_FIELD[kind]], errors="coerce").fillna(0.0).to_numpy(dtype=float)
        mine = registered[kind].to_numpy(dtype=float) if kind in registered else np.full(len(frame), np.nan)
        has = ~np.isnan(mine)
        volumes[kind] = np.where(has, mine, form)
        bases[kind] = np.where(has, "registered", np.where(form > 0, "reported", "none"))

    def col(name: str) -> np.ndarray:
        return np.asarray(pd.to_numeric(frame[name], errors="coerce").fillna(0.0), dtype=float)

    years = pd.Series(frame.index.get_level_values("period")).astype(str).str.slice(0, 4).astype(int).to_numpy()
    location = np.full(len(frame), np.nan)
    residual = np.full(len(frame), np.nan)
    residual_basis = np.empty(len(frame), dtype=object)
    sources = np.empty(len(frame), dtype=object)
    sources_en = np.empty(len(frame), dtype=object)
    for year in np.unique(years):
        rows = years == year
        f = _factors_of_year(params, int(year))
        location[rows], residual[rows], residual_basis[rows] = f.location, f.residual, f.residual_basis
        sources[rows], sources_en[rows] = f.sources, f.sources_en
    green = {kind: np.full(len(frame), np.nan) for kind in ("contract", "certificate")}
    for year in np.unique(years):
        rows = years == year
        for kind, values in green.items():
            values[rows] = float(
                params.at("electricity.green_power_factor", period=f"{year}-01", instrument=kind).value
            )
    grid, exported = col("grid_electricity_mwh"), col("exported_electricity_mwh")
    out = dual_scope2(
        grid,
        exported,
        col("captive_electricity_mwh"),
        volumes["contract"],
        volumes["certificate"],
        volumes["onsite"],
        location,
        residual,
        green["contract"],
        green["certificate"],
    )
    net = grid - exported
    with np.errstate(divide="ignore", invalid="ignore"):
        market_factor = np.where(net > 0, out["market_tco2"] / net, np.nan)
    result = pd.DataFrame(
        {
            "enterprise_code": frame.get("enterprise_code"),
            "sector": frame.get("sector"),
            "grid_mwh": grid,
            "exported_mwh": exported,
            "captive_mwh": col("captive_electricity_mwh"),
            "contract_mwh": out["covered_contract_mwh"],
            "certificate_mwh": out["covered_certificate_mwh"],
            "onsite_mwh": volumes["onsite"],
            "uncovered_grid_mwh": out["uncovered_grid_mwh"],
            "contract_basis": bases["contract"],
            "certificate_basis": bases["certificate"],
            "onsite_basis": bases["onsite"],
            "location_factor_tco2_per_mwh": location,
            "residual_factor_tco2_per_mwh": residual,
            "residual_basis": residual_basis,
            "market_factor_tco2_per_mwh": market_factor,
            "location_tco2": out["location_tco2"],
            "market_tco2": out["market_tco2"],
            "electricity_used_mwh": out["electricity_used_mwh"],
            "renewable_mwh": out["renewable_mwh"],
            "factor_sources": sources,
            "factor_sources_en": sources_en,
        },
        index=frame.index,
    )
    result.attrs["method"] = METHOD
    return result


def market_factors(report: pd.DataFrame) -> dict[tuple[str, str], float]:
    """{(facility_code, period): market-based t CO2 per MWh of net purchased grid electricity}, the
    months with a factor only (the product footprint's input)."""
    series = report["market_factor_tco2_per_mwh"].dropna()
    keys = zip(series.index.get_level_values(0).astype(str), series.index.get_level_values(1).astype(str), strict=True)
    return dict(zip(keys, series.to_numpy(dtype=float).tolist(), strict=True))


def renewable_share(report: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Renewable share of electrolytic aluminium, grouped ``by`` columns of the report (and/or its
    index levels), with numerator, denominator and basis stored beside each figure."""
    rows = report[report["sector"] == "electrolytic_aluminium"].reset_index()
    if rows.empty:
        return pd.DataFrame(columns=[*by, "renewable_mwh", "electricity_used_mwh", "share_pct", "basis"])
    rows["year"] = rows["period"].str.slice(0, 4).astype(int)
    sums = rows.groupby(by, sort=True)[
        ["renewable_mwh", "electricity_used_mwh", "contract_mwh", "certificate_mwh", "onsite_mwh"]
    ].sum()
    sums["share_pct"] = renewable_share_pct(sums["renewable_mwh"], sums["electricity_used_mwh"])
    sums["basis"] = SHARE_BASIS
    return sums.reset_index()
