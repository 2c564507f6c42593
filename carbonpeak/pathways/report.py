"""Exports (IAMC long format, Excel workbook) and charts (fan, wedges) of a pathway run: a thin layer.

IAMC format: one row per model, scenario, region, variable and unit, one column per year, as pyam and
the IAMC scenario databases read it. Quantiles are written as separate variables with the suffix
``|P10``, ``|P50``, ``|P90`` or ``|Mean``.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from carbonpeak.errors import InputError
from carbonpeak.pathways.run import Run
from carbonpeak.vocabulary import Sector

__all__ = ["excel_sheets", "fan_chart", "iamc_frame", "wedge_chart", "write_export"]

MODEL = "carbonpeak pathways"
SECTOR_IAMC = {
    "electrolytic_aluminium": "Aluminium|Primary",
    "recycled_aluminium": "Aluminium|Secondary",
    "aluminium_processing": "Aluminium|Processing",
    "alumina": "Alumina",
    "copper": "Copper|Primary",
    "recycled_copper": "Copper|Secondary",
    "lead": "Lead",
    "zinc": "Zinc",
    "magnesium": "Magnesium",
    "titanium": "Titanium",
    "industrial_silicon": "Silicon",
    "other": "Other",
}


def _rows(r: Run, variable: str, unit: str, values: np.ndarray[Any, Any], scale: float) -> list[dict[str, Any]]:
    out = []
    with warnings.catch_warnings():  # years without a value (e.g. accounted years of a modelled series) stay NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        quantiles = {
            "P10": np.nanquantile(values, 0.1, axis=0),
            "P50": np.nanquantile(values, 0.5, axis=0),
            "P90": np.nanquantile(values, 0.9, axis=0),
            "Mean": np.nanmean(values, axis=0),
        }
    for name, series in quantiles.items():
        row: dict[Any, Any] = {
            "model": MODEL,
            "scenario": r.scenario.id,
            "region": r.scenario.region,
            "variable": f"{variable}|{name}",
            "unit": unit,
        }
        row.update({int(y): float(v) * scale for y, v in zip(r.years, series, strict=True)})
        out.append(row)
    return out


def iamc_frame(r: Run) -> pd.DataFrame:
    """The run in IAMC long format (wide years)."""
    rows: list[dict[str, Any]] = []
    with np.errstate(all="ignore"):
        rows += _rows(
            r, "Emissions|CO2e|Non-Ferrous Metals|Location-based", "Mt CO2-equiv/yr", r.emissions("location"), 1e-6
        )
        rows += _rows(
            r, "Emissions|CO2e|Non-Ferrous Metals|Market-based", "Mt CO2-equiv/yr", r.emissions("market"), 1e-6
        )
        rows += _rows(r, "Energy|Non-Ferrous Metals", "Mtce/yr", r.series("energy"), 1e-6)
        for sector in r.outcome.sectors:
            name = SECTOR_IAMC.get(sector, sector)
            rows += _rows(
                r,
                f"Emissions|CO2e|Non-Ferrous Metals|{name}|Location-based",
                "Mt CO2-equiv/yr",
                r.series("emissions_location", (sector,)),
                1e-6,
            )
            rows += _rows(r, f"Production|{name}", "Mt/yr", r.series("output", (sector,)), 1e-6)
        share = r.indicator("renewable_share_electricity", ("electrolytic_aluminium",))
        if share is not None:
            rows += _rows(r, "Share|Electricity|Renewable|Aluminium|Primary", "%", share, 1.0)
        for indicator, variable in (
            ("recycled_metal_share", "Share|Supply|Recycled|Non-Ferrous Metals"),
            ("direct_alloying_share", "Share|Direct Alloying|Aluminium|Primary"),
        ):
            values = r.indicator(indicator, None)
            if values is not None:
                rows += _rows(r, variable, "%", values, 1.0)
        ef = np.concatenate([np.full((r.draws, r.n_history), np.nan), r.outcome.ef_location], axis=1)
        rows += _rows(r, "Emissions Factor|Electricity|Location-based", "t CO2/MWh", ef, 1.0)
    return pd.DataFrame(rows, columns=["model", "scenario", "region", "variable", "unit", *[int(y) for y in r.years]])


def excel_sheets(r: Run, summary: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """The run as workbook sheets: summary, bands, peak, targets, wedges, attribution, log, inputs."""
    s = summary
    scenario = pd.DataFrame([{k: str(v) for k, v in s["scenario"].items()}])
    bands = pd.DataFrame(
        [
            {
                "year": row["year"],
                "kind": row["kind"],
                **{f"location_{k}": v for k, v in row["location"].items()},
                **{f"market_{k}": v for k, v in row["market"].items()},
            }
            for row in s["emissions"]
        ]
    )
    peak = s["peak"]
    peak_rows = [{"item": "definition", "value": peak["definition"]}]
    peak_rows += [{"item": f"P(peak year = {d['year']})", "value": d["probability"]} for d in peak["distribution"]]
    peak_rows.append({"item": "P(no peak within the horizon)", "value": peak["no_peak_within_horizon"]})
    peak_rows += [{"item": f"P(peaked by {y})", "value": p} for y, p in peak["p_peaked_by"].items()]
    peak_rows += [{"item": f"peak level {k} [tCO2e]", "value": v} for k, v in peak["peak_level_tco2e"].items()]
    peak_rows += [{"item": f"plateau years {k}", "value": v} for k, v in peak["plateau_years"].items()]
    targets = pd.DataFrame(
        [
            {
                **{k: v for k, v in t.items() if k not in ("value", "margin", "year_achieved", "sectors")},
                "sectors": ", ".join(t["sectors"]),
                **{f"value_{k}": v for k, v in (t["value"] or {}).items()},
                **{f"margin_{k}": v for k, v in (t["margin"] or {}).items()},
                **{f"year_achieved_{k}": v for k, v in (t["year_achieved"] or {}).items()},
            }
            for t in s["targets"]
        ]
    )
    wedge_rows = []
    if s.get("wedges"):
        for row in s["wedges"]["rows"]:
            for year in row["by_year"]:
                wedge_rows.append({"change": row["change"], **year})
    attribution = pd.DataFrame(s["attribution"]["inputs"])
    return {
        "scenario": scenario,
        "emissions": bands,
        "peak": pd.DataFrame(peak_rows),
        "targets": targets,
        "wedges": pd.DataFrame(wedge_rows),
        "attribution": attribution,
        "sectors_p50": pd.DataFrame(s["sectors"]),
        "transitions": pd.DataFrame(s["transitions"]),
        "assumptions": pd.DataFrame(s["assumptions"]),
        "parameters": pd.DataFrame([{**p, "key": str(p["key"])} for p in s["parameters"]]),
        "stock": r.stock.plants,
        "iamc": iamc_frame(r),
    }


def write_export(r: Run, summary: dict[str, Any], out: Path, fmt: str, lang: str = "zh") -> Path:
    suffix = out.suffix.lower()
    if fmt not in ("iamc", "excel"):
        raise InputError(code="pathways.unknown_format", field="format", value=fmt)
    if suffix not in (".csv", ".xlsx"):
        raise InputError(code="pathways.unsupported_output", field="out", value=out.name)
    if fmt == "excel" and suffix != ".xlsx":
        raise InputError(code="pathways.excel_needs_xlsx", field="out", value=out.name)
    if fmt == "iamc":
        frame = iamc_frame(r)
        if suffix == ".csv":
            frame.to_csv(out, index=False)
            return out
        frame.columns = [str(c) for c in frame.columns]
        from carbonpeak.io.export import export_workbook

        return export_workbook(out, {"data": frame}, lang=lang)
    from carbonpeak.io.export import export_workbook

    sheets = excel_sheets(r, summary)
    for frame in sheets.values():
        frame.columns = [str(c) for c in frame.columns]
    return export_workbook(out, sheets, lang=lang)


# ---------------------------------------------------------------------------------------- charts

_TEXT = {
    "fan_title": ("{title}：碳排放（{basis}）", "{title}: emissions ({basis})"),
    "location": ("基于位置", "location-based"),
    "market": ("基于市场", "market-based"),
    "accounted": ("核算值", "accounted"),
    "band": ("P10–P90", "P10–P90"),
    "median": ("中位数 P50", "median (P50)"),
    "ylabel": ("万吨 CO2e", "Mt CO2e"),
    "peak": ("达峰年份分布", "peak year distribution"),
    "wedge_title": ("{title}：措施楔形（相对{against}）", "{title}: lever wedges (against {against})"),
    "against_line": ("{against}（均值）", "{against} (mean)"),
    "result_line": ("{title}（均值）", "{title} (mean)"),
    "year": ("年份", "year"),
}


def _setup(lang: str) -> tuple[Any, str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    if lang != "en":
        names = {f.name for f in font_manager.fontManager.ttflist}
        cjk = [n for n in ("Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei", "SimHei") if n in names]
        if not cjk:
            lang = "en"  # no font can draw Chinese here: label in English rather than with empty boxes
        else:
            plt.rcParams["font.sans-serif"] = [cjk[0], "DejaVu Sans"]
            plt.rcParams["axes.unicode_minus"] = False
    return plt, lang


def _t(key: str, lang: str, **kw: Any) -> str:
    zh, en = _TEXT[key]
    return (en if lang == "en" else zh).format(**kw)


def _sector_label(sector: str, lang: str) -> str:
    try:
        s = Sector(sector)
    except ValueError:
        return sector
    return s.label_en if lang == "en" else s.label_zh


def fan_chart(r: Run, out: Path, lang: str = "zh") -> Path:
    """P10-P90 band and median of emissions by year, accounted years as a line, the peak-year histogram."""
    plt, lang = _setup(lang)
    basis = r.scenario.peak.basis
    e = r.emissions() / (1e4 if lang != "en" else 1e6)
    years = r.years
    title = r.scenario.title["en" if lang == "en" else "zh"]
    fig, (ax, hist) = plt.subplots(2, 1, figsize=(8, 6.5), height_ratios=[3, 1], constrained_layout=True)
    h = r.n_history + 1
    ax.plot(years[:h], np.median(e[:, :h], axis=0), color="black", marker="o", label=_t("accounted", lang))
    ax.fill_between(
        years[h - 1 :],
        np.quantile(e[:, h - 1 :], 0.1, axis=0),
        np.quantile(e[:, h - 1 :], 0.9, axis=0),
        color="#4a7ab7",
        alpha=0.3,
        label=_t("band", lang),
    )
    ax.plot(years[h - 1 :], np.median(e[:, h - 1 :], axis=0), color="#1f4e8c", label=_t("median", lang))
    for year, style in ((2025, ":"), (2030, "--")):
        if years[0] <= year <= years[-1]:
            ax.axvline(year, color="grey", linestyle=style, linewidth=1)
    ax.set_title(_t("fan_title", lang, title=title, basis=_t(basis, lang)))
    ax.set_ylabel(_t("ylabel", lang) if lang != "en" else "Mt CO2e")
    ax.legend(loc="best")
    ax.grid(alpha=0.3)
    index = np.argmax(r.emissions(), axis=1)
    counts = np.bincount(index, minlength=len(years)) / len(index)
    hist.bar(years, counts, color="#c0504d")
    hist.set_ylabel("P")
    hist.set_title(_t("peak", lang), fontsize=10)
    hist.set_xlim(ax.get_xlim())
    fig.savefig(out)
    plt.close(fig)
    return out


def wedge_chart(r: Run, wedges: dict[str, Any], out: Path, lang: str = "zh") -> Path:
    """The parent's mean emissions with each change's wedge stacked below it down to this scenario's mean."""
    plt, lang = _setup(lang)
    scale = 1e4 if lang != "en" else 1e6
    rows = wedges["rows"]
    years = np.array([y["year"] for y in rows[0]["by_year"]]) if rows else np.array([r.scenario.base_year])
    j0 = int(years[0] - r.years[0])
    mine = r.emissions(wedges["basis"]).mean(axis=0)[j0:] / scale
    total = np.zeros(len(years))
    for row in rows:
        total += np.array([y["mean"] for y in row["by_year"]]) / scale
    top = mine + total
    fig, ax = plt.subplots(figsize=(9, 5.5), constrained_layout=True)
    title = r.scenario.title["en" if lang == "en" else "zh"]
    ax.plot(years, top, color="black", label=_t("against_line", lang, against=wedges["against"]))
    current = top.copy()
    colours = plt.get_cmap("tab20")
    for i, row in enumerate(rows):
        wedge = np.array([y["mean"] for y in row["by_year"]]) / scale
        below = current - wedge
        ax.fill_between(years, below, current, color=colours(i % 20), alpha=0.8, label=row["change"])
        current = below
    ax.plot(years, mine, color="#1f4e8c", linewidth=2, label=_t("result_line", lang, title=title))
    ax.set_title(_t("wedge_title", lang, title=title, against=wedges["against"]))
    ax.set_ylabel(_t("ylabel", lang) if lang != "en" else "Mt CO2e")
    ax.set_xlabel(_t("year", lang))
    ax.grid(alpha=0.3)
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8)
    fig.savefig(out)
    plt.close(fig)
    return out
