"""What the pathways pages say about a run, in the person's language: the one-line answer, the names and
bases of the uncertain inputs, the plans' titles, the peak definition and the charts' specifications.

The figures come from the run's summary (:mod:`carbonpeak.pathways.run`, :mod:`carbonpeak.pathways.answer`);
here they are only named, scaled to the display unit and arranged.
"""

from __future__ import annotations

import math
import re
from typing import Any

from carbonpeak.pathways.answer import Answer, Driver, driver_of
from carbonpeak.pathways.scenario import ResolvedScenario
from carbonpeak.web import display, i18n, labels, queries
from carbonpeak.web.i18n import N_, _
from carbonpeak.web.pages.pathways_form import FIELD_LABELS, basis, lever_title

__all__ = [
    "answer_line",
    "basis",
    "change_label",
    "charts",
    "distribution_text",
    "driver_label",
    "emissions_scale",
    "fan_chart",
    "goal_text",
    "indicator_label",
    "input_basis",
    "input_label",
    "lever_title",
    "parameter_rows",
    "peak_definition",
    "plan_title",
    "scenario_title",
]

INPUT_ATTRIBUTES = {
    "year": N_("year of implementation"),
    "delay_years": N_("delay"),
    "growth_pct_per_year": N_("output growth"),
    "decline_pct_per_year": N_("yearly decline of the grid emission factor"),
    "availability_growth_pct_per_year": N_("growth of aluminium scrap available"),
}
CHANGES = {
    "production": N_("output growth"),
    "grid": N_("grid emission factor"),
    "scrap": N_("aluminium scrap available"),
}

# ---------------------------------------------------------------------------------------- names


def plan_title(plan_id: str | None) -> str:
    """A plan's title in the page's language, from the plan's data (labels.plan_title: the official Chinese
    title, or ours marked 译名); the one place the pathways pages read it."""
    return labels.plan_title(plan_id) if plan_id else "—"


def scenario_title(scenario: Any) -> str:
    title = scenario.title if not isinstance(scenario, dict) else scenario.get("title")
    return str((title or {}).get(i18n.current_lang()) or (title or {}).get("zh") or _("scenario"))


def _lever(scenario: ResolvedScenario, lever_id: str | None) -> Any:
    return next((lv for lv in scenario.levers if lv.id == lever_id), None)


def driver_label(driver: Driver, scenario: ResolvedScenario) -> str:
    """An uncertain input named as a person says it: 镁冶炼产量增速, 电解铝节能改造达到标杆水平的实施年份."""
    zh = i18n.current_lang() == "zh"
    if driver.kind == "production":
        sector = _("other sectors") if driver.sector == "default" else labels.sector(driver.sector)
        text = f"{sector}{_('output growth')}" if zh else f"{sector}: {_('output growth')}"
        if driver.from_year:
            text += _(" (from %(year)s)", year=driver.from_year)
        return text
    if driver.kind in ("grid", "scrap"):
        return _(INPUT_ATTRIBUTES.get(driver.attribute or "", N_("an uncertain input")))
    if driver.kind == "lever":
        lever = _lever(scenario, driver.lever)
        name = lever_title(lever) if lever is not None else _("a lever")
        attribute = driver.attribute or ""
        what = INPUT_ATTRIBUTES.get(attribute) or FIELD_LABELS.get(attribute.split(".")[0])
        what_text = _(what) if what else _("an uncertain input")
        return f"{name}的{what_text}" if zh else f"{name}: {what_text}"
    return _("an uncertain input")


def input_label(name: str, scenario: ResolvedScenario) -> str:
    return driver_label(driver_of(name, 0.0), scenario)


def input_basis(name: str, scenario: ResolvedScenario) -> str:
    """The basis of an uncertain input, from the scenario entry it belongs to."""
    driver = driver_of(name, 0.0)
    if driver.kind == "production":
        entry = next(
            (e for e in scenario.production if e.sector == driver.sector and (e.province or None) == driver.province),
            None,
        )
        return basis(entry) if entry is not None else ""
    if driver.kind == "grid":
        return basis(scenario.grid)
    if driver.kind == "scrap" and scenario.scrap is not None:
        return basis(scenario.scrap)
    if driver.kind == "lever":
        lever = _lever(scenario, driver.lever)
        return basis(lever) if lever is not None else ""
    return ""


_DESCRIBED = re.compile(r"^(normal|lognormal|triangular|uniform)\((.*?)\)(?: clipped to \[(.*)\])?$")
_DIST_WORDS = {
    "normal": (N_("normal distribution"), (N_("mean"), N_("standard deviation"))),
    "lognormal": (N_("lognormal distribution"), (N_("median"), N_("sigma (of the logarithm)"))),
    "triangular": (N_("triangular distribution"), (N_("low"), N_("most likely"), N_("high"))),
    "uniform": (N_("uniform distribution"), (N_("low"), N_("high"))),
}


def distribution_text(described: str) -> str:
    """An assumption's distribution as the compiler describes it (``triangular(2026, 2027, 2030)``,
    ``normal(mean 1, sd 1.5)``, ``path``, a fixed number), in the page's words."""
    found = _DESCRIBED.match(str(described))
    if found is None:
        if described == "path":
            return _("a path by year")
        if described == "supplied":
            return _("supplied by year")
        return str(described)
    label, params = _DIST_WORDS[found[1]]
    numbers = [part.split()[-1] for part in found[2].split(",")]
    inside = ", ".join(f"{_(word)} {number}" for word, number in zip(params, numbers, strict=False))
    if found[3]:
        low, high = (part.strip() for part in found[3].split(","))
        inside += ", " + _("clipped to %(low)s–%(high)s", low=low, high=high)
    return f"{_(label)}（{inside}）" if i18n.current_lang() == "zh" else f"{_(label)} ({inside})"


def peak_definition(peak: dict[str, Any], horizon_end: int) -> str:
    return _(
        "Peak year: the year of maximum emissions within the horizon; peaked by a year: in that year or earlier, "
        "every later year stays at or below that year's emissions × (1 + %(tol)s %%); plateau: the years within "
        "%(plateau)s %% of the maximum; a maximum in the last year (%(end)s) counts as no peak within the horizon.",
        tol=i18n.num(peak["tolerance_pct"]),
        plateau=i18n.num(peak["plateau_pct"]),
        end=horizon_end,
    )


_CJK = re.compile(r"[\u4e00-\u9fff]")


def parameter_rows(s: dict[str, Any]) -> list[dict[str, str]]:
    """The parameters a run used, one row per family and value, named by the family's title and cited by
    the source document (the first part of the citation, the document's own title)."""
    files = queries.params().files
    lang = i18n.current_lang()
    rows: list[dict[str, str]] = []
    seen: set[tuple[str, str, str]] = set()
    for p in s["parameters"]:
        family = files.get(p["parameter"])
        name = (family.title.get(lang) if family is not None else None) or p["parameter"]
        value = p["value"]
        unit = "%" if p["unit"] == "percent" else labels.unit(p["unit"])
        shown = f"{i18n.num(value)} {unit}".replace(" %", "%") if isinstance(value, int | float) else ""
        if isinstance(value, str) and p["unit"] == "date":
            shown = value
        source = str(p["citation"]).split(", ")[0]
        if lang == "zh" and not _CJK.search(source):  # a foreign-language source: cited in full on its family's page
            source = _("a source in a foreign language (see the parameter's page)")
        if (name, shown, source) in seen:
            continue
        seen.add((name, shown, source))
        rows.append(
            {"name": name, "value": shown, "source": source, "verified": p["verified"], "family": p["parameter"]}
        )
    return rows


# ---------------------------------------------------------------------------------------- the answer


def answer_line(answer: Answer, scenario: ResolvedScenario) -> str:
    """ "2030年前达峰概率 94.6%；主要不确定性来自镁冶炼产量增速" (both from the run)."""
    if answer.probability is None:
        first = _("the horizon does not reach %(year)s", year=answer.year)
    else:
        first = _("Probability of peaking by %(year)s: %(p)s", year=answer.year, p=i18n.pct(100 * answer.probability))
    if answer.driver is None:
        second = _("no single uncertain input stands out")
    else:
        second = _("the main uncertainty comes from %(input)s", input=driver_label(answer.driver, scenario))
    return f"{first}；{second}" if i18n.current_lang() == "zh" else f"{first}; {second}"


# ---------------------------------------------------------------------------------------- charts


def emissions_scale() -> tuple[float, str]:
    """(factor from tCO2e, unit) of the pages' emission totals: 万吨CO2e on zh (display_units.yaml), Mt
    CO2e on en."""
    shown = display.shown("tCO2e", "total")
    if shown is not None:
        return shown.factor, shown.unit
    return 1e-6, "Mt CO2e"


def indicator_label(target: dict[str, Any]) -> str:
    code = target.get("indicator")
    if code and str(code).startswith("emissions_") and target.get("unit") == "year":
        return _("carbon peak")
    text = labels.indicator(code) if code else None
    return text if text and text != code else target.get("indicator_text") or "—"


def goal_text(target: dict[str, Any]) -> str:
    """A target's goal as the plans write it: 2030年前达峰, ≥30%, 较上年增长."""
    comparator, value = target.get("comparator"), target.get("target")
    if comparator == "peak before":
        return _("peak before %(year)s", year=display.year(value if value is not None else target["target_year"]))
    if comparator == "increase":
        return _("above the year before")
    unit = labels.unit(target.get("unit")) if target.get("unit") else ""
    if isinstance(value, int | float):
        return display.target(str(comparator), value, unit, words=True)
    return f"{comparator} {value} {unit}".strip()


def _scaled(value: Any, scale: float) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value) * scale


def fan_chart(s: dict[str, Any], scenario: ResolvedScenario, scale: float, unit: str) -> dict[str, Any]:
    basis_label = _("location-based") if s["peak"]["basis"] == "location" else _("market-based")
    rows = s["emissions"]
    key = s["peak"]["basis"]
    return {
        "kind": "fan",
        "title": _("Emissions (%(basis)s), %(unit)s", basis=basis_label, unit=unit),
        "x": [str(r["year"]) for r in rows],
        "p10": [_scaled(r[key]["p10"], scale) for r in rows],
        "p50": [_scaled(r[key]["p50"], scale) for r in rows],
        "p90": [_scaled(r[key]["p90"], scale) for r in rows],
        "band_name": _("P10–P90 band"),
        "median_name": _("median (P50)"),
        "base_year": str(scenario.base_year),
        "base_label": _("base year"),
        "unit": unit,
    }


def change_label(change: str, scenario: ResolvedScenario, parent: ResolvedScenario | None) -> str:
    """A wedge's change (a lever's id, or a change of the parent's inputs) as a person reads it."""
    if change in ("production", "grid", "scrap"):
        return _(CHANGES[change])
    removed = change.removeprefix("remove ")
    lever = _lever(scenario, removed) or (_lever(parent, removed) if parent is not None else None)
    if lever is None:
        return _("other changes from the parent scenario")
    if removed != change:
        return _("without %(lever)s", lever=lever_title(lever))
    return lever_title(lever)


def charts(
    s: dict[str, Any], scenario: ResolvedScenario, scale: float, unit: str, parent: ResolvedScenario | None = None
) -> dict[str, Any]:
    """Chart specifications (data and translated labels); static/app.js draws them with ECharts."""
    peak = s["peak"]
    x = [str(d["year"]) for d in peak["distribution"]]
    values = [100.0 * d["probability"] for d in peak["distribution"]]
    if peak["no_peak_within_horizon"] > 0:
        x.append(_("no peak by %(year)s", year=scenario.horizon.end))
        values.append(100.0 * peak["no_peak_within_horizon"])
    distribution = {
        "kind": "bar_pct",
        "title": _("Peak-year distribution"),
        "x": x,
        "name": _("probability"),
        "data": values,
    }
    wedge_spec: dict[str, Any] | None = None
    w = s.get("wedges")
    if w and w["rows"]:
        years = [y["year"] for y in w["rows"][0]["by_year"]]
        against = scenario_title(parent) if (parent is not None and w["against"] == parent.id) else _("no levers")
        wedge_spec = {
            "kind": "wedges",
            "title": _("Lever wedges: mean reduction against %(against)s, %(unit)s", against=against, unit=unit),
            "x": [str(y) for y in years],
            "series": [
                {
                    "name": change_label(row["change"], scenario, parent),
                    "id": row["change"],
                    "data": [_scaled(y["mean"], scale) for y in row["by_year"]],
                }
                for row in w["rows"]
            ],
            "unit": unit,
        }
    return {"fan": fan_chart(s, scenario, scale, unit), "peak": distribution, "wedges": wedge_spec}
