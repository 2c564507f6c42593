"""Pathways: pick a shipped scenario, edit its levers, run it on the region's plant stock, and see the fan
chart, the peak-year distribution, P(peaked by 2025/2030), the plan targets' probabilities and the lever
wedges.

Nothing is computed here: the scenario is validated by the same pydantic models as a YAML file
(:func:`carbonpeak.pathways.scenario.parse_scenario`), the stock is read by
:func:`carbonpeak.store.pathways.read_stock` and the run, its summary and its wedges come from
:mod:`carbonpeak.pathways.run`, as on the command line (``carbonpeak pathways run``). The page only
arranges what they return.

The region is the person's: a provincial regulator's province, a city regulator's city (the stock of the
plants in it), an administrator's the scenario's own region (the demonstration province). Runs are kept
in memory per process (the newest :data:`RUNS_KEPT`, by the run's id: a hash of the scenario content, the
stock's fingerprint and the wedge draws), so a result page can be reloaded; nothing is written to the
database.
"""

from __future__ import annotations

import copy
import hashlib
import math
import os
import re
import shutil
import tempfile
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask

from carbonpeak.errors import InputError, ValidationFailed
from carbonpeak.pathways.scenario import ResolvedScenario
from carbonpeak.services import access
from carbonpeak.services.access import Principal
from carbonpeak.store.models import Region
from carbonpeak.web import i18n, labels, queries
from carbonpeak.web.deps import DbSession, Who, render
from carbonpeak.web.errors import BadRequest, Conflict, NotFound
from carbonpeak.web.i18n import N_, _
from carbonpeak.web.pages.common import context, redirect

router = APIRouter()

# A run of the demo's 10,000 draws with its wedges takes 1.6 s on an idle 2-core machine and about 3 s on a
# busy one (docs/web.md): the form starts at 2,000 draws (about 0.9 s idle) and takes at most 20,000.
WEB_DRAWS = 2_000
MAX_WEB_DRAWS = 20_000
WEDGE_DRAWS = 1_000  # the command line's default
RUNS_KEPT = 16
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# ---------------------------------------------------------------------------------------- scenarios


def scenarios_dir() -> Path:
    """The shipped scenarios: ``CARBONPEAK_SCENARIOS_DIR``, else ``scenarios/`` of the checkout the
    package runs from (an editable install, ``make run``), else ``scenarios/`` in the working directory."""
    configured = os.environ.get("CARBONPEAK_SCENARIOS_DIR")
    if configured:
        return Path(configured)
    beside = Path(__file__).resolve().parents[3] / "scenarios"
    return beside if beside.is_dir() else Path.cwd() / "scenarios"


def shipped() -> dict[str, tuple[Path, ResolvedScenario]]:
    """Every scenario file of the folder (other YAML files there, such as cost tables, are left out)."""
    from carbonpeak.pathways.scenario import load_scenario

    found: dict[str, tuple[Path, ResolvedScenario]] = {}
    folder = scenarios_dir()
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        try:
            scenario = load_scenario(path)
        except InputError:
            continue
        found[scenario.id] = (path, scenario)
    return dict(sorted(found.items(), key=lambda item: (len(item[1][1].chain), item[0])))


def _parent(scenarios: dict[str, tuple[Path, ResolvedScenario]], scenario: ResolvedScenario) -> ResolvedScenario | None:
    if len(scenario.chain) < 2 or scenario.chain[1] not in scenarios:
        return None
    return scenarios[scenario.chain[1]][1]


# ---------------------------------------------------------------------------------------- the form

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
_SKIP = {"id", "type", "title", "basis", "cost", "plants", "codes", "code", "like", "technology", "province", "notes"}
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


def groups(data: dict[str, Any], origin: dict[str, str] | None = None) -> list[Group]:
    """The editable values of a scenario (its data as dumped by the model), grouped as the page shows them."""
    out = [Group("uncertainty", _("Draws and seed"), rows=_rows(data, data["uncertainty"], ("uncertainty",), ""))]
    peak = Group("peak", _("Peak definition"), note=_("basis: %(basis)s", basis=data["peak"]["basis"]))
    for key in ("tolerance_pct", "plateau_pct"):
        peak.rows += _rows(data, data["peak"][key], ("peak", key), _label(key))
    out.append(peak)
    production = Group("production", _("Output growth by sector"))
    for i, entry in enumerate(data["production"]):
        title = _("other sectors") if entry["sector"] == "default" else labels.sector(entry["sector"])
        if entry.get("province"):
            title += f" · {entry['province']}"
        for key in ("growth_pct_per_year", "output_path_t"):
            if entry.get(key) is not None:
                production.rows += _rows(data, entry[key], ("production", i, key), f"{title}: {_label(key)}")
    out.append(production)
    grid = Group("grid", _("Grid emission factor after the last official year"), note=data["grid"]["basis"])
    for key in ("decline_pct_per_year",):
        if data["grid"].get(key) is not None:
            grid.rows += _rows(data, data["grid"][key], ("grid", key), _label(key))
    out.append(grid)
    if data.get("scrap"):
        scrap = Group("scrap", _("Aluminium scrap"), note=data["scrap"]["basis"])
        scrap.rows += _rows(
            data,
            data["scrap"]["availability_growth_pct_per_year"],
            ("scrap", "availability_growth_pct_per_year"),
            _label("availability_growth_pct_per_year"),
        )
        out.append(scrap)
    for i, lever in enumerate(data["levers"]):
        name = anchor(f"levers[{i}]({lever['id']})")
        title = (lever.get("title") or {}).get(i18n.current_lang()) or lever["id"]
        kind = LEVER_TYPES.get(lever["type"], lever["type"])
        group = Group(name, title, note=lever.get("basis") or "")
        group.lever = {
            "id": lever["id"],
            "type": _(kind),
            "origin": Path((origin or {}).get(lever["id"], "")).stem,
            "plants": _plants(lever),
        }
        for key, value in lever.items():
            if key in _SKIP or value is None:
                continue
            group.rows += _rows(data, value, ("levers", i, key), _label(key))
        out.append(group)
    return out


def _plants(lever: dict[str, Any]) -> str:
    plants = lever.get("plants") or lever.get("source")
    if isinstance(plants, list):
        return ", ".join(str(p) for p in plants)
    if isinstance(plants, dict):
        return ", ".join(f"{k}={v}" for k, v in plants.items() if v is not None)
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
    if before == "deadline" and text == "deadline":
        return text, None
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


# ---------------------------------------------------------------------------------------- region and stock


def region_of(session: Session, who: Principal, scenario: ResolvedScenario) -> Region:
    """A regulator's own region (province or city); an administrator's: the scenario's region."""
    if who.is_admin:
        region = session.scalar(select(Region).where(Region.code == scenario.region))
    else:
        region = queries.default_region(session, who)
    if region is None:
        raise NotFound()
    return region


def stock_for(request: Request, session: Session, scenario: ResolvedScenario) -> tuple[Any, str]:
    """The region's plant stock, kept per process until the store's data change (facts' data state)."""
    from carbonpeak.store.facts import data_state
    from carbonpeak.store.pathways import read_stock

    key = (
        "pathways-stock",
        data_state(session),
        scenario.region,
        scenario.base_year,
        scenario.horizon.start,
        scenario.benchmark_edition,
    )

    def make() -> tuple[Any, str]:
        stock = read_stock(
            session,
            region=scenario.region,
            base_year=scenario.base_year,
            start_year=scenario.horizon.start,
            benchmark_edition=scenario.benchmark_edition,
            params=queries.params(),
        )
        return stock, stock.fingerprint()

    result: tuple[Any, str] = request.app.state.cache.get(key, make)
    return result


# ---------------------------------------------------------------------------------------- runs kept


@dataclass
class Kept:
    run_id: str
    region: str
    scenario: ResolvedScenario
    summary: dict[str, Any]
    fingerprint: str
    seconds: float
    wedge_note: str = ""


class Runs:
    def __init__(self, size: int = RUNS_KEPT) -> None:
        self._items: OrderedDict[str, Kept] = OrderedDict()
        self._lock = threading.Lock()
        self.size = size

    def get(self, run_id: str) -> Kept | None:
        with self._lock:
            found = self._items.get(run_id)
            if found is not None:
                self._items.move_to_end(run_id)
            return found

    def put(self, kept: Kept) -> None:
        with self._lock:
            self._items[kept.run_id] = kept
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


_RUNS_LOCK = threading.Lock()


def runs_of(request: Request) -> Runs:
    state = request.app.state
    with _RUNS_LOCK:
        if not hasattr(state, "pathway_runs"):
            state.pathway_runs = Runs()
    runs: Runs = state.pathway_runs
    return runs


def run_id(scenario: ResolvedScenario, fingerprint: str) -> str:
    text = f"{scenario.content_hash()}:{fingerprint}:{WEDGE_DRAWS}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def execute(scenario: ResolvedScenario, parent: ResolvedScenario | None, stock: Any) -> tuple[dict[str, Any], str]:
    """Run, wedges and summary, as ``carbonpeak pathways run`` does."""
    from carbonpeak.indicators.targets import target_map
    from carbonpeak.pathways import run as pr
    from carbonpeak.pathways.params import ParamSource

    params = queries.params()
    source = ParamSource(live=params)
    result = pr.run(scenario, stock, source)
    note = ""
    try:
        table = pr.wedges(scenario, parent, stock, source, draws=WEDGE_DRAWS, seed=result.seed)
    except InputError:
        # the parent names plants outside this region's stock (a city): wedges against no levers instead
        table = pr.wedges(scenario, None, stock, source, draws=WEDGE_DRAWS, seed=result.seed)
        note = N_("The parent scenario does not run on this region's stock: wedges against no levers.")
    table["draws"] = WEDGE_DRAWS
    result.wedge_table = table
    return pr.summary(result, params.plans, target_map()), note


# ---------------------------------------------------------------------------------------- pages


def _scenario_or_404(scenarios: dict[str, tuple[Path, ResolvedScenario]], chosen: str | None) -> ResolvedScenario:
    if not scenarios:
        raise NotFound(N_("No scenario files were found in {folder}."), folder=str(scenarios_dir()))
    if chosen is None:
        chosen = "plan" if "plan" in scenarios else next(iter(scenarios))
    if chosen not in scenarios:
        raise NotFound()
    return scenarios[chosen][1]


def _form_page(
    request: Request,
    session: Session,
    who: Principal,
    scenarios: dict[str, tuple[Path, ResolvedScenario]],
    base: ResolvedScenario,
    region: Region,
    data: dict[str, Any],
    included: set[str],
    errors: dict[str, list[str]],
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "pathways.html",
        status_code=status_code,
        **context(
            request,
            scenarios=[(sid, s) for sid, (_path, s) in scenarios.items()],
            base=base,
            region=region,
            groups=groups(data, base.lever_origin),
            included=included,
            errors=errors,
            values=values or {},
            max_draws=MAX_WEB_DRAWS,
            web_draws=WEB_DRAWS,
            wedge_draws=WEDGE_DRAWS,
            folder=str(scenarios_dir()),
        ),
    )


@router.get("/pathways")
def pathways_page(request: Request, session: DbSession, who: Who, scenario: str | None = None) -> Response:
    access.require(who, "pathways.view")
    scenarios = shipped()
    base = _scenario_or_404(scenarios, scenario)
    region = region_of(session, who, base)
    data = form_data(base, region.code)
    return _form_page(request, session, who, scenarios, base, region, data, {lv["id"] for lv in data["levers"]}, {})


@router.post("/pathways/run")
async def run_pathway(request: Request, session: DbSession, who: Who) -> Response:
    access.require(who, "pathways.run")
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    scenarios = shipped()
    chosen = form.get("scenario")
    if not chosen:
        raise BadRequest(N_("Choose a scenario to run."))
    base = _scenario_or_404(scenarios, chosen)
    region = region_of(session, who, base)
    edited = apply_form(base, region.code, form)
    scenario = edited.scenario
    errors = edited.errors
    if scenario is not None:
        try:
            stock, fingerprint = stock_for(request, session, scenario)
            ident = run_id(scenario, fingerprint)
            if runs_of(request).get(ident) is None:
                parent = _parent(scenarios, base)
                if parent is not None:
                    parent = parent.model_copy(update={"region": region.code})
                started = time.perf_counter()
                summary, note = execute(scenario, parent, stock)
                seconds = time.perf_counter() - started
                runs_of(request).put(Kept(ident, region.code, scenario, summary, fingerprint, seconds, note))
            return redirect(f"/pathways/run?id={ident}")
        except InputError as exc:
            errors = place(_each(exc), edited.data)
    return _form_page(
        request, session, who, scenarios, base, region, edited.data, edited.included, errors, edited.values, 422
    )


def _kept(request: Request, session: Session, who: Principal, ident: str) -> Kept:
    access.require(who, "pathways.view")
    found = runs_of(request).get(ident)
    if found is None:
        raise NotFound(N_("This run is no longer kept (runs are kept in memory for a while); please run it again."))
    access.get_region(session, who, found.region)  # 403 outside the person's jurisdiction
    return found


@router.get("/pathways/run")
def run_page(request: Request, session: DbSession, who: Who, id: str | None = None) -> Response:
    access.require(who, "pathways.view")
    if not id:
        return redirect("/pathways")
    kept = _kept(request, session, who, id)
    region = session.scalar(select(Region).where(Region.code == kept.region))
    s = kept.summary
    scale, unit = (1e-4, _("10⁴ tCO2e")) if i18n.current_lang() == "zh" else (1e-6, "Mt CO2e")
    return render(
        request,
        "pathways_run.html",
        **context(
            request,
            kept=kept,
            s=s,
            region=region,
            unit=unit,
            scale=scale,
            charts=charts(s, kept.scenario, scale, unit),
            targets=[t for t in s["targets"] if t["status"] == "evaluated"],
            others=[t for t in s["targets"] if t["status"] != "evaluated"],
            indicator_label=indicator_label,
            wedge_draws=WEDGE_DRAWS,
            wedge_note=_(kept.wedge_note) if kept.wedge_note else "",
        ),
    )


@router.get("/pathways/run.xlsx")
def run_workbook(request: Request, session: DbSession, who: Who, id: str | None = None) -> Response:
    """The run as a workbook (``carbonpeak pathways export --format excel``): the draws are drawn again
    from the scenario and seed, on the same stock (refused when the store's data changed since)."""
    from carbonpeak.pathways import run as pr
    from carbonpeak.pathways.params import ParamSource
    from carbonpeak.pathways.report import write_export

    access.require(who, "pathways.view")
    if not id:
        raise BadRequest(N_("Say which run: ?id= of a run."))
    kept = _kept(request, session, who, id)
    stock, fingerprint = stock_for(request, session, kept.scenario)
    if fingerprint != kept.fingerprint:
        raise Conflict(N_("The data in the store changed since this run; please run it again."))
    again = pr.run(kept.scenario, stock, ParamSource(live=queries.params()))
    folder = Path(tempfile.mkdtemp(prefix="carbonpeak-pathway-"))
    name = f"pathway_{kept.scenario.id}_{kept.region}_{kept.run_id}.xlsx"
    path = write_export(again, kept.summary, folder / name, "excel", lang=i18n.current_lang())
    return FileResponse(
        path, media_type=XLSX, filename=name, background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True)
    )


# ---------------------------------------------------------------------------------------- charts


def indicator_label(target: dict[str, Any]) -> str:
    code = target.get("indicator")
    if code and str(code).startswith("emissions_") and target.get("unit") == "year":
        return _("carbon peak")
    text = labels.indicator(code) if code else None
    return text if text and text != code else target.get("indicator_text") or "—"


def _scaled(value: Any, scale: float) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value) * scale


def charts(s: dict[str, Any], scenario: ResolvedScenario, scale: float, unit: str) -> dict[str, Any]:
    """Chart specifications (data and translated labels); static/app.js draws them with ECharts."""
    basis = s["peak"]["basis"]
    rows = s["emissions"]
    basis_label = _("location-based") if basis == "location" else _("market-based")
    fan = {
        "kind": "fan",
        "title": _("Emissions (%(basis)s), %(unit)s", basis=basis_label, unit=unit),
        "x": [str(r["year"]) for r in rows],
        "p10": [_scaled(r[basis]["p10"], scale) for r in rows],
        "p50": [_scaled(r[basis]["p50"], scale) for r in rows],
        "p90": [_scaled(r[basis]["p90"], scale) for r in rows],
        "band_name": _("P10–P90 band"),
        "median_name": _("median (P50)"),
        "base_year": str(scenario.base_year),
        "base_label": _("base year"),
        "unit": unit,
    }
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
        wedge_spec = {
            "kind": "wedges",
            "title": _("Lever wedges: mean reduction against %(against)s, %(unit)s", against=w["against"], unit=unit),
            "x": [str(y) for y in years],
            "series": [
                {"name": row["change"], "data": [_scaled(y["mean"], scale) for y in row["by_year"]]}
                for row in w["rows"]
            ],
            "unit": unit,
        }
    return {"fan": fan, "peak": distribution, "wedges": wedge_spec}
