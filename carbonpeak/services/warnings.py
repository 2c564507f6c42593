"""Use cases of the warnings: raise the ones the data support, act on one (acknowledge, assign, close, reopen).

Warnings raise themselves: each report (:mod:`carbonpeak.services.intake`, the submit step), each
verification (:func:`carbonpeak.services.submissions.step`) and each parameter value entered (the
parameter-entry use case, after its recompute) calls :func:`after_change` for what it can affect, in the
same transaction as the change; once a day everything is checked
again (:mod:`carbonpeak.services.warnings_daily`: ``carbonpeak warnings refresh`` for cron, and the job of
the web server). A regulator may also ask at any time (:func:`refresh`).

A run raises what the data support (each situation once, by key) and clears what it checked and no
longer finds (closed with a ``resolve`` event; raised again, such a warning opens again). A run judged
on an earlier day than today only raises: the present may differ. :func:`refresh` and :func:`act` check
the person first (``warning.refresh``: a provincial regulator or the administrator; ``warning.act``:
regulators and the administrator, on a warning within their scope); :func:`after_change` is called by use
cases that checked their own person, and writes in their transaction. A warning's events are its audit
trail: every step is kept with who took it, when and why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.errors import CarbonpeakError
from carbonpeak.indicators import warnings as rules
from carbonpeak.indicators.targets import Evaluation, evaluate_plan
from carbonpeak.monitoring.store import ReadingStore
from carbonpeak.services import access, limits, monitoring_month
from carbonpeak.services.access import Principal
from carbonpeak.store import warnings as store
from carbonpeak.store.facts import facility_months, indicator_inputs
from carbonpeak.store.models import Region
from carbonpeak.store.parameters import parameter_set
from carbonpeak.store.warnings import WarningRecord


@dataclass(frozen=True)
class Refreshed:
    """What raising the warnings found: ``found`` conditions on ``as_of``, of which ``new`` were not stored
    yet (or had been cleared), and ``cleared`` stored warnings whose situation no longer holds."""

    as_of: dt.date
    found: int
    new: int
    cleared: int = 0


_CLASSES = rules.BASELINE_KINDS | {"target_off_track"}  # a class, and the plans' shares of capacity by class
# Which warnings a parameter family can change (families not listed: every kind; a family listed with
# nothing changes no warning). Plan targets are judged again only when every facility is (facilities=None).
_AFFECTS: dict[str, frozenset[str]] = {
    "indicators.warning_rule": frozenset({"late_submission", "missing_submission", "implausible_jump"}),
    "benchmarks.ndrc_level": _CLASSES,
    "benchmarks.ndrc_indicator": _CLASSES,
    "benchmarks.baseline_deadline": _CLASSES,
    "indicators.status_rule": frozenset({"target_off_track"}),
    "indicators.base_year": frozenset({"target_off_track"}),
    "benchmarks.tiered_price_al": frozenset(),
    "benchmarks.energy_limit": frozenset(),
    "benchmarks.nonhydro_incentive_weight": frozenset(),
    "capacity.national_ceiling": frozenset(),
    "projects.review": frozenset(),
}


def refresh(
    session: Session,
    principal: Principal,
    *,
    as_of: dt.date,
    plan: str | None = None,
    region: str | None = None,
    benchmark_edition: str | None = None,
) -> Refreshed:
    """Raise every warning the counted data, the submissions and (given ``plan``) the plan's targets for
    ``region`` support on ``as_of``; each situation is stored once (by key), existing warnings keep their
    status, and (judged as of today) those no longer found are cleared."""
    access.require(principal, "warning.refresh")
    if region is not None and principal.role != access.ADMIN:  # a regulator evaluates plans of their jurisdiction
        access.get_region(session, principal, region)
    plans = [(plan, region)] if plan else []
    return run(session, principal.actor, as_of=as_of, plans=plans, benchmark_edition=benchmark_edition)


def after_change(
    session: Session,
    actor: str,
    *,
    facilities: Iterable[str] | None = None,
    as_of: dt.date | None = None,
    parameter: str | None = None,
    benchmark_edition: str | None = None,
    months: Collection[tuple[str, str]] | None = None,
) -> Refreshed:
    """Raise and clear the warnings a change can affect, in the caller's transaction (after its writes).

    ``facilities``: the codes of the facilities whose months changed (a report, a verification, the months
    a parameter value recomputed); None: every facility, and the provinces' plan targets. ``parameter``:
    the family of a parameter value entered (e.g. ``indicators.warning_rule``), to judge only the warnings
    it can change. ``as_of``: default today. ``months``: the (facility, month) pairs just submitted, whose
    metered months are compared (days secure the month); otherwise the daily check's months. No person is
    checked: the calling use case checked its own."""
    kinds = _AFFECTS.get(parameter or "")
    if kinds is not None and not kinds:
        return Refreshed(as_of=as_of or dt.date.today(), found=0, new=0)
    plans = province_plans(session) if facilities is None and (kinds is None or "target_off_track" in kinds) else []
    return run(
        session,
        actor,
        as_of=as_of or dt.date.today(),
        facilities=facilities,
        kinds=kinds,
        plans=plans,
        benchmark_edition=benchmark_edition,
        strict=False,
        months=months,
    )


def run(
    session: Session,
    actor: str,
    *,
    as_of: dt.date,
    facilities: Iterable[str] | None = None,
    kinds: Collection[str] | None = None,
    plans: Iterable[tuple[str, str | None]] = (),
    benchmark_edition: str | None = None,
    strict: bool = True,
    months: Collection[tuple[str, str]] | None = None,
    readings: ReadingStore | None = None,
) -> Refreshed:
    """One run of the rules on the facilities given (None: all) and the plans given (plan, region), stored
    by :func:`carbonpeak.store.warnings.settle`. Judged as of today or later, it also clears. Not ``strict``:
    a plan that cannot be evaluated (its region has no counted month yet) is passed over.

    Days secure the month (``metered_month_differs``) is judged only where a reading store is there:
    ``readings``, else the one ``CARBONPEAK_READINGS_URL`` names (:func:`monitoring_month.configured_store`);
    on ``months`` (pairs just submitted) or the daily check's months of the facilities."""
    codes = sorted(set(facilities)) if facilities is not None else None
    plans = list(plans)
    if codes is not None and not codes and not plans:
        return Refreshed(as_of=as_of, found=0, new=0)
    store.serialise(session)  # before reading: another run's changes are committed and seen
    if plans:
        facts, options = indicator_inputs(session, benchmark_edition=benchmark_edition)
        params = options.params
        evaluations: list[Evaluation] = []
        regions: dict[str, str] = {}
        for plan, region in plans:
            try:
                evaluations += evaluate_plan(
                    plan, facts, region=region, year=as_of.year, params=params, options=options
                )
            except CarbonpeakError:
                if strict:
                    raise
                continue  # a province without counted data yet: its targets are judged once it has some
            regions[plan] = region or ""
        if codes is not None:
            facts = facts[facts["facility_code"].isin(codes)]
    else:
        params = parameter_set(session)
        facts = facility_months(session, facility_codes=codes)
        evaluations, regions = [], {}
    metered = _metered(session, as_of, codes, kinds, months, readings)
    outcome = rules.evaluate(
        facts,
        store.submissions_frame(session, codes),
        store.facilities_frame(session, codes),
        as_of=as_of,
        params=params,
        benchmark_edition=benchmark_edition,
        evaluations=evaluations,
        kinds=kinds,
        regions=regions,
        metered=metered,
    )
    clears = as_of >= dt.date.today()
    settled = store.settle(session, outcome.raised, actor, facilities=codes, covers=outcome.covers if clears else None)
    return Refreshed(as_of=as_of, found=len(outcome.raised), new=settled.new, cleared=settled.cleared)


def _metered(
    session: Session,
    as_of: dt.date,
    codes: list[str] | None,
    kinds: Collection[str] | None,
    months: Collection[tuple[str, str]] | None,
    readings: ReadingStore | None,
) -> list[dict[str, Any]] | None:
    """The metered months compared with the reported ones, or None when not judged (the kind not asked for,
    or no reading store)."""
    if kinds is not None and rules.METERED not in kinds:
        return None
    store = readings or monitoring_month.configured_store()
    if store is None:
        return None
    try:
        return monitoring_month.warning_input(session, store, as_of=as_of, facilities=codes, months=months)
    finally:
        if readings is None:
            store.close()


def province_plans(session: Session) -> list[tuple[str, str | None]]:
    """(plan, province) for every province of the registry with a plan of its own in the parameters (a plan
    names its province as the grid province of the region, e.g. Shaanxi)."""
    params = parameter_set(session)
    provinces = session.scalars(select(Region).where(Region.level == "province", Region.grid_province.is_not(None)))
    by_province = {(r.grid_province or "").lower(): r.code for r in provinces}
    plans = [plan for plan in params.plans.values() if plan.region.lower() in by_province]
    return sorted((plan.id, by_province[plan.region.lower()]) for plan in plans)


def act(
    session: Session,
    principal: Principal,
    warning_id: int,
    action: str,
    *,
    note: str | None = None,
    assignee: str | None = None,
) -> WarningRecord:
    """Acknowledge, assign, close or reopen a warning; the step is kept in its history.

    Raises AccessDenied/NotFound before anything is read about the warning, and a coded InputError when
    the action is unknown, an assignment names nobody, or the warning's state does not allow it."""
    access.require(principal, "warning.act")
    warning = access.get_warning(session, principal, warning_id, "warning.act")
    limits.check_lengths({"note": note, "assignee": assignee})
    status = rules.next_status(warning.status, action, assignee)
    return store.record_step(session, warning, action, status, principal.actor, note=note, assignee=assignee)
