"""Pathways: the answer first, then the levers.

``/pathways`` opens on the stored result of the region's default scenario: one line ("2030年前达峰概率
94.6%；主要不确定性来自镁冶炼产量增速"), the fan chart and the levers in Chinese. ``/pathways/edit`` is the
second step: the scenario's levers in a form (the technical settings, draws and seed, last and folded);
``POST /pathways/run`` runs it and ``/pathways/run?id=`` shows the full result (peak-year distribution,
the plans' targets, the wedges, how it was made).

Nothing is computed here: the scenario is validated by the same pydantic models as a YAML file
(:mod:`carbonpeak.web.pages.pathways_form`), the run on the region's stock (restricted to the region's
plants) and its stored result come from :mod:`carbonpeak.services.pathways`, the answer from
:mod:`carbonpeak.pathways.answer`; :mod:`carbonpeak.web.pages.pathways_answer` names and arranges them.

The region is one the person may see (:func:`carbonpeak.services.pathways.pathway_regions`): by default a
regulator's own (province or city), an administrator's the scenario's region. A run is kept in the app's
cache per data state, region and scenario content (the first view computes, later views read it), and its
page in memory by the run's id (the newest :data:`RUNS_KEPT`), so a result page can be reloaded; nothing
is written to the database.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask

from carbonpeak.errors import InputError
from carbonpeak.pathways.scenario import ResolvedScenario
from carbonpeak.services import access
from carbonpeak.services import pathways as service
from carbonpeak.services.access import Principal
from carbonpeak.store.models import Region
from carbonpeak.web import i18n, queries
from carbonpeak.web.deps import DbSession, Who, render
from carbonpeak.web.errors import BadRequest, Conflict, NotFound
from carbonpeak.web.i18n import N_, _
from carbonpeak.web.pages import pathways_answer as words
from carbonpeak.web.pages.common import context, redirect
from carbonpeak.web.pages.pathways_form import (
    MAX_WEB_DRAWS,
    WEB_DRAWS,
    apply_form,
    form_data,
    groups,
    message,
    place,
)

router = APIRouter()

WEDGE_DRAWS = service.WEDGE_DRAWS
RUNS_KEPT = 16
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DEFAULT_SCENARIO = "plan"  # what /pathways answers with: the plans' levers on the current trends

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
    """Every scenario file of the folder (other YAML files there, such as cost tables, are left out).

    Reading and validating the files takes 50-150 ms, more than the rest of a stored answer's page: they
    are read again only when a file of the folder changes (its name, size or modification time)."""
    folder = scenarios_dir()
    paths = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    stamp = (str(folder), tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in paths))
    with _SHIPPED_LOCK:
        if _SHIPPED.get("stamp") == stamp:
            return dict(_SHIPPED["found"])
    found = _read_scenarios(paths)
    with _SHIPPED_LOCK:
        _SHIPPED.update(stamp=stamp, found=found)
    return dict(found)


_SHIPPED: dict[str, Any] = {}
_SHIPPED_LOCK = threading.Lock()


def _read_scenarios(paths: list[Path]) -> dict[str, tuple[Path, ResolvedScenario]]:
    from carbonpeak.pathways.scenario import load_scenario

    found: dict[str, tuple[Path, ResolvedScenario]] = {}
    for path in paths:
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


def web_scenario(scenario: ResolvedScenario) -> ResolvedScenario:
    """The scenario at the web's draws (what the form starts from, so an unchanged form runs the same)."""
    from carbonpeak.pathways.scenario import Uncertainty

    draws = min(scenario.uncertainty.draws, WEB_DRAWS)
    return scenario.model_copy(update={"uncertainty": Uncertainty(draws=draws, seed=scenario.uncertainty.seed)})


def _titles(scenarios: dict[str, tuple[Path, ResolvedScenario]]) -> dict[str, str]:
    return {sid: words.scenario_title(s) for sid, (_path, s) in scenarios.items()}


def _scenario_or_404(scenarios: dict[str, tuple[Path, ResolvedScenario]], chosen: str | None) -> ResolvedScenario:
    if not scenarios:
        raise NotFound(N_("No scenario files were found."))
    if chosen is None:
        chosen = DEFAULT_SCENARIO if DEFAULT_SCENARIO in scenarios else next(iter(scenarios))
    if chosen not in scenarios:
        raise NotFound()
    return scenarios[chosen][1]


# ---------------------------------------------------------------------------------------- region


def region_of(session: Session, who: Principal, scenario: ResolvedScenario, chosen: str | None = None) -> Region:
    """The region asked for (one the person may project), else a regulator's own region (province or
    city), an administrator's the scenario's region."""
    regions = service.pathway_regions(session, who)
    if chosen:
        found = next((r for r in regions if r.code == chosen), None)
        if found is None:
            access.get_region(session, who, chosen)  # 404 unknown, 403 outside the jurisdiction
            raise NotFound()
        return found
    if who.is_admin:
        region = session.scalar(select(Region).where(Region.code == scenario.region))
    else:
        region = queries.default_region(session, who)
    if region is None:
        raise NotFound()
    return region


# ---------------------------------------------------------------------------------------- runs kept


@dataclass
class Kept:
    run_id: str
    region: str
    outcome: service.Outcome
    parent: ResolvedScenario | None

    @property
    def scenario(self) -> ResolvedScenario:
        return self.outcome.scenario

    @property
    def summary(self) -> dict[str, Any]:
        return self.outcome.summary


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


def _run(
    request: Request,
    session: Session,
    who: Principal,
    region: Region,
    scenario: ResolvedScenario,
    parent: ResolvedScenario | None,
) -> Kept:
    """The run (from the app's cache when the data, region and scenario are unchanged), kept by its id."""
    outcome = service.run_on_region(
        session, request.app.state.cache, who, region.code, scenario, parent, queries.params()
    )
    if parent is not None:
        parent = parent.model_copy(update={"region": region.code})
    kept = Kept(run_id(outcome.scenario, outcome.fingerprint), region.code, outcome, parent)
    runs_of(request).put(kept)
    return kept


def _for_region(request: Request, session: Session, scenario: ResolvedScenario, region: Region) -> ResolvedScenario:
    """The scenario on the region's plants (a province's scenario shown to a city): what the form starts from."""
    from carbonpeak.pathways.regional import for_stock

    on_region = scenario.model_copy(update={"region": region.code})
    stock, _fingerprint = service.stock_of(session, request.app.state.cache, on_region, queries.params())
    return for_stock(on_region, stock).scenario


def _kept(request: Request, session: Session, who: Principal, ident: str) -> Kept:
    access.require(who, "pathways.view")
    found = runs_of(request).get(ident)
    if found is None:
        raise NotFound(N_("This run is no longer kept (runs are kept in memory for a while); please run it again."))
    access.get_region(session, who, found.region)  # 403 outside the person's jurisdiction
    return found


# ---------------------------------------------------------------------------------------- the answer


@router.get("/pathways")
def pathways_page(
    request: Request, session: DbSession, who: Who, scenario: str | None = None, region: str | None = None
) -> Response:
    access.require(who, "pathways.view")
    scenarios = shipped()
    base = _scenario_or_404(scenarios, scenario)
    place_ = region_of(session, who, base, region)
    problem = ""
    kept = None
    try:
        kept = _run(request, session, who, place_, web_scenario(base), _parent(scenarios, base))
    except InputError as exc:  # a region without counted data in the base year
        problem = _(
            "No pathway can be projected for this region (it needs counted data of %(year)s): %(why)s",
            year=base.base_year,
            why=i18n.detail(exc),
        )
    values: dict[str, Any] = {}
    if kept is not None:
        s = kept.summary
        scale, unit = words.emissions_scale()
        from carbonpeak.pathways.answer import answer

        found = answer(s)
        values = {
            "kept": kept,
            "s": s,
            "found": found,
            "line": words.answer_line(found, kept.scenario),
            "fan": words.fan_chart(s, kept.scenario, scale, unit),
            "unit": unit,
            "scale": scale,
            "levers": [{"title": words.lever_title(lv), "basis": words.basis(lv)} for lv in kept.scenario.levers],
            "set_aside": [words.lever_title(lv) for lv in base.levers if lv.id in kept.outcome.set_aside],
        }
    return render(
        request,
        "pathways.html",
        **context(
            request,
            scenarios=[(sid, words.scenario_title(s)) for sid, (_path, s) in scenarios.items()],
            base=base,
            title=words.scenario_title(base),
            region=place_,
            regions=service.pathway_regions(session, who),
            problem=problem,
            may_run=access.allowed(who, "pathways.run"),
            **values,
        ),
    )


# ---------------------------------------------------------------------------------------- the form


def _form_page(
    request: Request,
    scenarios: dict[str, tuple[Path, ResolvedScenario]],
    base: ResolvedScenario,
    region: Region,
    data: dict[str, Any],
    included: set[str],
    errors: dict[str, list[str]],
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    titles = _titles(scenarios)
    return render(
        request,
        "pathways_edit.html",
        status_code=status_code,
        **context(
            request,
            scenarios=[(sid, titles[sid]) for sid in scenarios],
            base=base,
            title=titles.get(base.id, words.scenario_title(base)),
            chain=[titles.get(sid, "") for sid in base.chain],
            region=region,
            groups=groups(data, base.lever_origin, titles),
            included=included,
            errors=errors,
            technical_open=any(key.startswith(("uncertainty", "peak")) for key in errors),
            values=values or {},
            max_draws=MAX_WEB_DRAWS,
            web_draws=WEB_DRAWS,
            wedge_draws=WEDGE_DRAWS,
        ),
    )


@router.get("/pathways/edit")
def edit_page(
    request: Request, session: DbSession, who: Who, scenario: str | None = None, region: str | None = None
) -> Response:
    access.require(who, "pathways.view")
    scenarios = shipped()
    base = _scenario_or_404(scenarios, scenario)
    place_ = region_of(session, who, base, region)
    try:
        base = _for_region(request, session, base, place_)
    except InputError as exc:
        return _form_page(request, scenarios, base, place_, form_data(base, place_.code), set(), {"": [message(exc)]})
    data = form_data(base, place_.code)
    included = {lv["id"] for lv in data["levers"]}
    return _form_page(request, scenarios, base, place_, data, included, {})


@router.post("/pathways/run")
async def run_pathway(request: Request, session: DbSession, who: Who) -> Response:
    access.require(who, "pathways.run")
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    scenarios = shipped()
    chosen = form.get("scenario")
    if not chosen:
        raise BadRequest(N_("Choose a scenario to run."))
    base = _scenario_or_404(scenarios, chosen)
    place_ = region_of(session, who, base, form.get("region") or None)
    try:
        base = _for_region(request, session, base, place_)
    except InputError as exc:
        data = form_data(base, place_.code)
        return _form_page(request, scenarios, base, place_, data, set(), {"": [message(exc)]}, status_code=422)
    edited = apply_form(base, place_.code, form)
    errors = edited.errors
    if edited.scenario is not None:
        try:
            kept = _run(request, session, who, place_, edited.scenario, _parent(scenarios, base))
            return redirect(f"/pathways/run?id={kept.run_id}")
        except InputError as exc:
            errors = place([exc], edited.data)
    return _form_page(request, scenarios, base, place_, edited.data, edited.included, errors, edited.values, 422)


# ---------------------------------------------------------------------------------------- the full result


@router.get("/pathways/run")
def run_page(request: Request, session: DbSession, who: Who, id: str | None = None) -> Response:
    access.require(who, "pathways.view")
    if not id:
        return redirect("/pathways")
    kept = _kept(request, session, who, id)
    region = session.scalar(select(Region).where(Region.code == kept.region))
    s = kept.summary
    scale, unit = words.emissions_scale()
    scenario = kept.scenario
    targets = [t for t in s["targets"] if t["status"] == "evaluated"]
    from carbonpeak.pathways.answer import answer

    found = answer(s)
    return render(
        request,
        "pathways_run.html",
        **context(
            request,
            kept=kept,
            s=s,
            title=words.scenario_title(scenario),
            chain=[words.scenario_title(x) for x in _chain(scenario)],
            region=region,
            unit=unit,
            scale=scale,
            line=words.answer_line(found, scenario),
            charts=words.charts(s, scenario, scale, unit, kept.parent),
            targets=targets,
            others=[t for t in s["targets"] if t["status"] != "evaluated"],
            indicator_label=words.indicator_label,
            plan_title=words.plan_title,
            goal_text=words.goal_text,
            parameter_rows=words.parameter_rows(s) if i18n.current_lang() != "en" else [],
            input_label=lambda name: words.input_label(name, scenario),
            input_basis=lambda name: words.input_basis(name, scenario),
            distribution_text=words.distribution_text,
            definition=words.peak_definition(s["peak"], scenario.horizon.end),
            order=[words.change_label(c, scenario, kept.parent) for c in (s.get("wedges") or {}).get("order", [])],
            wedge_draws=WEDGE_DRAWS,
            wedge_note=(
                _("The parent scenario does not run on this region's stock: wedges against no levers.")
                if kept.outcome.wedges_without_parent
                else ""
            ),
            set_aside=kept.outcome.set_aside,
        ),
    )


def _chain(scenario: ResolvedScenario) -> list[Any]:
    scenarios = shipped()
    return [scenarios[sid][1] if sid in scenarios else scenario for sid in scenario.chain]


@router.get("/pathways/run.xlsx")
def run_workbook(request: Request, session: DbSession, who: Who, id: str | None = None) -> Response:
    """The run as a workbook (as the command line exports it): the draws are drawn again from the scenario
    and seed, on the same stock (refused when the store's data changed since)."""
    from carbonpeak.pathways import run as pr
    from carbonpeak.pathways.params import ParamSource
    from carbonpeak.pathways.report import write_export

    access.require(who, "pathways.view")
    if not id:
        raise BadRequest(N_("Say which run: ?id= of a run."))
    kept = _kept(request, session, who, id)
    stock, fingerprint = service.stock_of(session, request.app.state.cache, kept.scenario, queries.params())
    if fingerprint != kept.outcome.fingerprint:
        raise Conflict(N_("The data in the store changed since this run; please run it again."))
    again = pr.run(kept.scenario, stock, ParamSource(live=queries.params()))
    folder = Path(tempfile.mkdtemp(prefix="carbonpeak-pathway-"))
    name = f"pathway_{kept.scenario.id}_{kept.region}_{kept.run_id}.xlsx"
    path = write_export(again, kept.summary, folder / name, "excel", lang=i18n.current_lang())
    return FileResponse(
        path, media_type=XLSX, filename=name, background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True)
    )
