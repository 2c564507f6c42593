"""The pathways form: a scenario's editable values grouped as the page shows them (the levers first, each
under its Chinese name and basis; the technical settings, draws, seed and the peak definition, last), the
form's values applied to the scenario and validated by the scenario's own models (as a YAML file is), and
each problem placed beside its field."""

from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass, field
from typing import Any

from carbonpeak.errors import InputError, ValidationFailed
from carbonpeak.pathways.scenario import ResolvedScenario
from carbonpeak.web import i18n, labels
from carbonpeak.web.i18n import N_, _

# A run of the demo's 10,000 draws with its wedges takes 1.6 s on an idle 2-core machine and about 3 s on a
# busy one (docs/web.md): the form starts at 2,000 draws (about 0.9 s idle) and takes at most 20,000.
WEB_DRAWS = 2_000
MAX_WEB_DRAWS = 20_000

LEVER_TYPES = {
    "exit": N_("exit of capacity"),
    "replacement": N_("capacity replacement"),
    "retrofit": N_("energy-saving retrofit"),
    "green_electricity": N_("green electricity"),
    "captive_retirement": N_("retirement of captive power units"),
    "recycled_aluminium": N_("recycled aluminium share"),
    "direct_alloying": N_("direct alloying of molten aluminium"),
    "fuel_switch": N_("fuel switch"),
    "new_technology": N_("new technology"),
}
FIELD_LABELS = {
    "draws": N_("draws"),
    "seed": N_("random seed"),
    "tolerance_pct": N_("tolerance of 'peaked by', %"),
    "plateau_pct": N_("plateau band, %"),
    "growth_pct_per_year": N_("output growth, % a year"),
    "pct_per_year": N_("output growth, % a year"),
    "decline_pct_per_year": N_("decline of the grid factor, % a year"),
    "availability_growth_pct_per_year": N_("growth of scrap available, % a year"),
    "year": N_("year"),
    "delay_years": N_("delay, years"),
    "share_pct": N_("share, %"),
    "ratio": N_("ratio (destination ÷ source)"),
    "saving_tco2e_per_t_alloyed": N_("saving, tCO2e per t alloyed"),
    "process_change_pct": N_("change of process emissions, %"),
    "fuel_change_pct": N_("change of fuel use, %"),
    "electricity_change_pct": N_("change of electricity use, %"),
    "capture_pct": N_("share captured, %"),
    "capture_electricity_mwh_per_tco2": N_("electricity of capture, MWh per tCO2"),
    "electricity_mwh_per_tce": N_("electricity per tce of fuel replaced, MWh"),
    "electricity_mwh_per_t": N_("electricity, MWh per t"),
    "energy_change_pct": N_("change of energy use, %"),
    "utilisation_pct": N_("utilisation, %"),
    "captive_share_pct": N_("captive power share, %"),
    "rest_of_country_capacity_t_per_a": N_("rest of the country's capacity, t/a"),
    "capacity_t_per_a": N_("capacity, t/a"),
    "mwh_per_year": N_("MWh a year"),
    "output_path_t": N_("output path, t"),
    "from": N_("from"),
    "to": N_("to"),
}
DIST_LABELS = {
    "normal": N_("normal distribution"),
    "lognormal": N_("lognormal distribution"),
    "triangular": N_("triangular distribution"),
    "uniform": N_("uniform distribution"),
}
DIST_PARAMS = {
    "mean": N_("mean"),
    "sd": N_("standard deviation"),
    "median": N_("median"),
    "sigma": N_("sigma (of the logarithm)"),
    "low": N_("low"),
    "mode": N_("most likely"),
    "high": N_("high"),
    "min": N_("clipped below at"),
    "max": N_("clipped above at"),
}
DEADLINE = N_("by the list's deadline")
_SKIP = {
    "id",
    "type",
    "title",
    "basis",
    "basis_zh",
    "cost",
    "plants",
    "codes",
    "code",
    "like",
    "technology",
    "province",
    "notes",
}
_LEVER = re.compile(r"levers\[\d+\]\(([^)]+)\)")


def anchor(name: str) -> str:
    """A field's name without the lever's position (levers are matched by id: unticked levers shift it)."""
    return _LEVER.sub(r"levers(\1)", name)


@dataclass
class Field:
    name: str  # the scenario's own notation, as its errors name the field: levers(x).year.mode
    path: tuple[str | int, ...]  # into the scenario's data
    key: str
    value: Any
    label: str = ""

    @property
    def shown(self) -> str:
        value = self.value
        if value == "deadline":  # the benchmark list's deadline, in the page's words
            return _(DEADLINE)
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return "" if value is None else str(value)


@dataclass
class Row:
    name: str
    label: str
    note: str = ""
    fields: list[Field] = field(default_factory=list)


@dataclass
class Group:
    name: str
    title: str
    note: str = ""
    lever: dict[str, Any] | None = None
    rows: list[Row] = field(default_factory=list)
    technical: bool = False  # shown last, folded: draws, seed, the peak definition


def _name(data: dict[str, Any], path: tuple[str | int, ...]) -> str:
    from carbonpeak.pathways.scenario import _field

    loc: list[str | int] = list(path)
    if path[:1] == ("levers",) and len(path) > 1:
        lever = data["levers"][int(path[1])]
        loc.insert(2, lever["type"])  # pydantic's discriminator tag, which the scenario's naming skips
    return anchor(_field(tuple(loc), data))


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _rows(data: dict[str, Any], node: Any, path: tuple[str | int, ...], label: str) -> list[Row]:
    """The editable values under one node: a number, a year (or 'deadline'), a distribution, a year path."""
    key = str(path[-1])
    if _number(node) or (key == "year" and node == "deadline"):
        name = _name(data, path)
        return [Row(name, label, fields=[Field(name, path, key, node, _("value"))])]
    if isinstance(node, dict) and "dist" in node:
        kind = DIST_LABELS[node["dist"]]
        row = Row(_name(data, path), label, note=_(kind))
        for p in DIST_PARAMS:
            if node.get(p) is not None:
                row.fields.append(Field(_name(data, (*path, p)), (*path, p), p, node[p], _(DIST_PARAMS[p])))
        return [row]
    if isinstance(node, dict) and node and all(str(k).isdigit() for k in node):
        row = Row(_name(data, path), label)
        for year, value in node.items():
            if _number(value):
                row.fields.append(Field(_name(data, (*path, year)), (*path, year), str(year), value, str(year)))
        return [row]
    rows: list[Row] = []
    if isinstance(node, dict):
        for k, value in node.items():
            if k in _SKIP or value is None:
                continue
            rows += _rows(data, value, (*path, k), _label(k))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            sub = label
            if isinstance(value, dict) and "from" in value and "pct_per_year" in value:
                sub = f"{label} ({_('from %(year)s', year=value['from'])})"
            rows += _rows(data, value, (*path, i), sub)
    return rows


def _label(key: str) -> str:
    return _(FIELD_LABELS[key]) if key in FIELD_LABELS else key


def basis(entry: dict[str, Any] | Any) -> str:
    """A lever's, a driver's or the grid's basis in the page's language (the Chinese where the scenario
    gives one)."""
    get = entry.get if isinstance(entry, dict) else (lambda key: getattr(entry, key, None))
    if i18n.current_lang() == "zh" and get("basis_zh"):
        return str(get("basis_zh"))
    return str(get("basis") or "")


def lever_title(lever: dict[str, Any] | Any) -> str:
    """What the page calls a lever: its title in the page's language, else its kind (never its id)."""
    get = lever.get if isinstance(lever, dict) else (lambda key: getattr(lever, key, None))
    title = (get("title") or {}).get(i18n.current_lang())
    return str(title) if title else _(LEVER_TYPES.get(str(get("type")), N_("lever")))


def groups(
    data: dict[str, Any], origin: dict[str, str] | None = None, titles: dict[str, str] | None = None
) -> list[Group]:
    """The editable values of a scenario (its data as dumped by the model), grouped as the page shows them:
    the levers, the output growth, the grid and scrap, then the technical settings (``Group.technical``).
    ``origin``: lever id → scenario id it was written in; ``titles``: scenario id → its title."""
    out: list[Group] = []
    for i, lever in enumerate(data["levers"]):
        name = anchor(f"levers[{i}]({lever['id']})")
        kind = LEVER_TYPES.get(lever["type"], lever["type"])
        group = Group(name, lever_title(lever), note=basis(lever))
        written_in = (origin or {}).get(lever["id"], "")
        group.lever = {
            "id": lever["id"],
            "type": _(kind),
            "origin": (titles or {}).get(written_in, ""),
            "plants": _plants(lever),
        }
        for key, value in lever.items():
            if key in _SKIP or value is None:
                continue
            group.rows += _rows(data, value, ("levers", i, key), _label(key))
        out.append(group)
    production = Group("production", _("Output growth by sector"))
    for i, entry in enumerate(data["production"]):
        title = _("other sectors") if entry["sector"] == "default" else labels.sector(entry["sector"])
        if entry.get("province"):
            title += f" · {entry['province']}"
        for key in ("growth_pct_per_year", "output_path_t"):
            if entry.get(key) is not None:
                production.rows += _rows(data, entry[key], ("production", i, key), f"{title}: {_label(key)}")
    out.append(production)
    grid = Group("grid", _("Grid emission factor after the last official year"), note=basis(data["grid"]))
    for key in ("decline_pct_per_year",):
        if data["grid"].get(key) is not None:
            grid.rows += _rows(data, data["grid"][key], ("grid", key), _label(key))
    out.append(grid)
    if data.get("scrap"):
        scrap = Group("scrap", _("Aluminium scrap"), note=basis(data["scrap"]))
        scrap.rows += _rows(
            data,
            data["scrap"]["availability_growth_pct_per_year"],
            ("scrap", "availability_growth_pct_per_year"),
            _label("availability_growth_pct_per_year"),
        )
        out.append(scrap)
    technical = Group("uncertainty", _("Draws and seed"), technical=True)
    technical.rows = _rows(data, data["uncertainty"], ("uncertainty",), "")
    out.append(technical)
    peak_basis = _("location-based") if data["peak"]["basis"] == "location" else _("market-based")
    peak = Group("peak", _("Peak definition"), note=_("basis: %(basis)s", basis=peak_basis), technical=True)
    for key in ("tolerance_pct", "plateau_pct"):
        peak.rows += _rows(data, data["peak"][key], ("peak", key), _label(key))
    out.append(peak)
    return out


PLANT_ATTRIBUTES = {
    "sector": N_("sector"),
    "technology": N_("technology"),
    "product": N_("product"),
    "province": N_("province"),
    "class": N_("benchmark class"),
    "codes": N_("plants"),
}


def _plants(lever: dict[str, Any]) -> str:
    """The plants a lever acts on, as a person reads them: codes, or the attributes that choose them."""
    plants = lever.get("plants") or lever.get("source")
    if isinstance(plants, list):
        return ", ".join(str(p) for p in plants)
    if isinstance(plants, dict):
        shown = []
        for key, value in plants.items():
            if value is None:
                continue
            if key == "sector":
                value = labels.sector(value)
            elif key == "class":
                value = labels.benchmark_class(value)
            elif isinstance(value, list):
                value = ", ".join(map(str, value))
            shown.append(
                f"{_(PLANT_ATTRIBUTES.get(key) or key)}：{value}" if i18n.current_lang() == "zh" else f"{key}: {value}"
            )
        return "；".join(shown) if i18n.current_lang() == "zh" else "; ".join(shown)
    return ""


def editable(scenario: ResolvedScenario) -> dict[str, Any]:
    """The scenario as the data of a root scenario file (everything resolved, nothing inherited)."""
    return scenario.model_dump(mode="json", by_alias=True, exclude={"chain", "lever_origin"})


def form_data(scenario: ResolvedScenario, region: str) -> dict[str, Any]:
    """What the form starts from: the scenario in the person's region, with at most the web's draws."""
    data = editable(scenario)
    data["region"] = region
    data["uncertainty"]["draws"] = min(int(data["uncertainty"]["draws"]), WEB_DRAWS)
    return data


def _parse(raw: str, before: Any) -> tuple[Any, str | None]:
    """A form value in the type the scenario had; what cannot be read is passed on as text, so the
    scenario's own model says what is wrong with it."""
    text = raw.strip()
    if before == "deadline" and text in ("deadline", _(DEADLINE)):
        return "deadline", None
    try:
        number = float(text)
    except ValueError:
        return text, None
    if not math.isfinite(number):
        return text, "pathways.not_finite"
    if isinstance(before, int) and not isinstance(before, bool) and number.is_integer():
        return int(number), None
    if isinstance(before, str) and number.is_integer():  # a year that was 'deadline'
        return int(number), None
    return number, None


def _set(data: Any, path: tuple[str | int, ...], value: Any) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


@dataclass
class Edited:
    scenario: ResolvedScenario | None  # None when something needs correcting
    data: dict[str, Any]  # the scenario before the edits (the form's fields are made from it)
    values: dict[str, str]  # what was entered, shown again beside its field
    included: set[str]
    errors: dict[str, list[str]]


def apply_form(base: ResolvedScenario, region: str, form: dict[str, str]) -> Edited:
    """The scenario with the form's values, validated by the scenario's own models (as a YAML file is)."""
    from carbonpeak.pathways.scenario import parse_scenario, resolve

    data = form_data(base, region)
    fields = [f for g in groups(data) for r in g.rows for f in r.fields]
    problems: list[InputError] = []
    edited = copy.deepcopy(data)
    values: dict[str, str] = {}
    for f in fields:
        if f.name in form:
            values[f.name] = form[f.name]
            value, problem = _parse(form[f.name], f.value)
            if problem:
                problems.append(InputError(code=problem, field=f.name, value=form[f.name]))
            _set(edited, f.path, value)
    ids = [lever["id"] for lever in data["levers"]]
    included = {i for i in ids if form.get(f"include:{i}")} if "levers_shown" in form else set(ids)
    edited["levers"] = [lever for lever in edited["levers"] if lever["id"] in included]
    draws = edited["uncertainty"].get("draws")
    if _number(draws) and draws > MAX_WEB_DRAWS:
        problems.append(
            InputError(code="pathways.web_draws", field="uncertainty.draws", value=draws, max=i18n.num(MAX_WEB_DRAWS))
        )
    scenario = None
    try:
        parsed = parse_scenario(edited, file=f"{base.id} (web)")
        scenario = resolve([(f"{base.id} (web)", parsed)])
        origin = {i: base.lever_origin.get(i, base.id) for i in ids}
        scenario = scenario.model_copy(update={"chain": base.chain, "lever_origin": origin})
    except InputError as exc:
        problems += _each(exc)
    errors = place(problems, data)
    return Edited(None if errors else scenario, data, values, included, errors)


def _each(exc: InputError) -> list[InputError]:
    return list(exc.errors) if isinstance(exc, ValidationFailed) else [exc]


def message(error: InputError) -> str:
    """An error of the scenario's models in the person's language (from the message catalog), with the value
    given."""
    shown = i18n.detail(error)
    if error.value is not None and not isinstance(error.value, dict | list):
        shown += ("" if i18n.current_lang() == "zh" else " ") + _("(got %(value)s)", value=error.value)
    if not error.code and error.expected and i18n.current_lang() == "en":  # an error of another part, not coded yet
        shown += f"; expected {error.expected}"
    return shown


def place(problems: list[InputError], data: dict[str, Any]) -> dict[str, list[str]]:
    """Each problem under the nearest thing the form shows: its field, its value's row, its lever or
    block; else the top of the form (key "")."""
    known = {""}
    for g in groups(data):
        known.add(g.name)
        for r in g.rows:
            known.add(r.name)
            known.update(f.name for f in r.fields)
    out: dict[str, list[str]] = {}
    for problem in problems:
        name = anchor(problem.field or "")
        while name not in known:
            cut = max(name.rfind("."), name.rfind("["))
            name = name[:cut] if cut > 0 else ""
        out.setdefault(name, []).append(message(problem))
    return out
