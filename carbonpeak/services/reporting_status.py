"""Use cases of "who has reported": the matrix enterprise × month, the late list of a month (the 催报
notice, also as Excel), and last month's counts for the overview.

Access first (``submission.view``): regulators read their jurisdiction, enterprise users their own
enterprise, verifiers the enterprises assigned to them, administrators everything. A region or city
outside a regulator's jurisdiction is refused before anything is read about it. The states come from
the pure rules of :mod:`carbonpeak.indicators.reporting_status`; the due day from the parameter
``indicators.warning_rule[report_due_day]`` in force for each month. "Today" is the caller's (the
web's clock or its setting, the CLI's ``--as-of``), so a page and a test can name the day.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, and_
from sqlalchemy.orm import Session

from carbonpeak import messages
from carbonpeak.errors import AccessDenied, InputError, NotFound, ParameterNotFound
from carbonpeak.indicators import reporting_status as rules
from carbonpeak.io.export import export_workbook
from carbonpeak.services import access
from carbonpeak.services.access import Principal
from carbonpeak.store import reporting_status as store
from carbonpeak.store.models import Facility, Region
from carbonpeak.store.parameters import parameter_set
from carbonpeak.vocabulary import Sector

MAX_MONTHS = 36  # one page: a wider span is asked in parts (each month is a column)
CHINA = dt.timezone(dt.timedelta(hours=8))  # reports are due by the day in China
_MONTH = re.compile(r"^(199[0-9]|20[0-9]{2}|2100)-(0[1-9]|1[0-2])$")  # 1990-01 to 2100-12, as the pages' years


def china_today() -> dt.date:
    """Today's date in China (UTC+8): the day the due dates are counted against."""
    return dt.datetime.now(CHINA).date()


# ---------------------------------------------------------------- typed results


@dataclass(frozen=True)
class Place:
    code: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class Cell:
    """One month of a facility or an enterprise. ``facility``: the facility whose month the cell opens
    (for an enterprise, the one that decided its state); ``required``/``reported``: how many of the
    enterprise's facilities had to report and did (1/0 for a facility)."""

    period: str
    state: str
    facility: str
    days_late: int
    has_draft: bool
    required: int
    reported: int

    @property
    def has_versions(self) -> bool:
        """Whether the month has any version to open (a late or not-yet-due month may have none)."""
        return self.state in (rules.SUBMITTED, rules.RETURNED, rules.DRAFT) or self.has_draft


@dataclass(frozen=True)
class FacilityRow:
    code: str
    name_zh: str
    name_en: str
    sector: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class EnterpriseRow:
    code: str
    name_zh: str
    name_en: str
    uscc: str
    cells: tuple[Cell, ...]
    facilities: tuple[FacilityRow, ...]

    @property
    def all_reported(self) -> bool:
        """Every facility reported every month it had to (its facilities' rows add nothing to read)."""
        return all(c.state in (rules.SUBMITTED, rules.NOT_REQUIRED) for c in self.cells)


@dataclass(frozen=True)
class Matrix:
    """The reporting status of a selection on ``today``: enterprise rows (with their facilities) over
    ``periods``, the due date of each month and, per month, how many enterprises (and facilities) are
    in each state (``rules.STATES``; months a facility need not report are not counted)."""

    today: dt.date
    region: Place | None
    city: Place | None
    sector: str | None
    periods: tuple[str, ...]
    due: dict[str, dt.date]
    enterprises: tuple[EnterpriseRow, ...]
    counts: dict[str, dict[str, int]]
    facility_counts: dict[str, dict[str, int]]
    cities: tuple[Place, ...] = ()
    sectors: tuple[str, ...] = ()


@dataclass(frozen=True)
class MonthRow:
    """One facility's month with its enterprise's name, code and registered contact."""

    enterprise_code: str
    enterprise_zh: str
    enterprise_en: str
    uscc: str
    facility_code: str
    facility_zh: str
    facility_en: str
    period: str
    state: str
    has_draft: bool
    due: dt.date
    days_late: int
    contact_person: str
    contact_phone: str


@dataclass(frozen=True)
class MonthList:
    """The facilities of a selection that had to report ``period``, with their state on ``today``, by
    enterprise and facility code; the late list (what a 催报 notice names) holds the late ones only."""

    today: dt.date
    region: Place | None
    city: Place | None
    sector: str | None
    period: str
    due: dt.date
    rows: tuple[MonthRow, ...]
    counts: dict[str, int] = field(default_factory=dict)  # enterprises per state that month

    @property
    def enterprises(self) -> list[str]:
        return sorted({r.enterprise_code for r in self.rows})


# ---------------------------------------------------------------- the selection


def _place(region: Region | None) -> Place | None:
    return Place(region.code, region.name_zh, region.name_en) if region is not None else None


def _region(session: Session, principal: Principal, code: str) -> Region:
    """A region asked for by code: unknown is NotFound; outside a regulator's jurisdiction Forbidden
    (for enterprise users and verifiers a region only narrows their own facilities)."""
    region = store.region_by_code(session, code)
    if region is None:
        raise NotFound(code="reporting_status.unknown_region", region=code)
    if principal.role in access.REGULATORS and region.id not in principal.region_ids:
        raise AccessDenied()
    return region


def _selection(
    session: Session, principal: Principal, region: str | None, city: str | None, sector: str | None
) -> tuple[ColumnElement[bool], ColumnElement[bool], Region | None, Region | None]:
    """(condition with the sector, condition without it, region, city) on :class:`Facility`."""
    access.require(principal, "submission.view")
    if sector and sector not in {s.value for s in Sector}:
        raise InputError(code="reporting_status.unknown_sector", field="status_sector", value=sector)
    chosen = _region(session, principal, region) if region else None
    if chosen is None and principal.role in access.REGULATORS and principal.region_id is not None:
        chosen = session.get(Region, principal.region_id)  # a regulator's own region by default
    town = _region(session, principal, city) if city else None
    parts = [access.facility_filter(principal)]
    for place in (chosen, town):
        if place is not None:
            parts.append(Facility.region_id.in_(sorted(access.subtree(session, place.id))))
    without_sector = and_(*parts)
    with_sector = and_(without_sector, Facility.sector == sector) if sector else without_sector
    return with_sector, without_sector, chosen, town


def _window(first: str | None, last: str | None, today: dt.date) -> list[str]:
    """The months asked for: by default the 12 up to last month; one end given, 12 months from or to it
    (never past last month unless asked)."""
    for value, name in ((first, "status_from"), (last, "status_to")):
        if value and not _MONTH.match(value):
            raise InputError(code="reporting_status.bad_month", field=name, value=value)
    default_first, default_last = rules.default_window(today)
    if not first and not last:
        first, last = default_first, default_last
    elif not first:
        assert last is not None
        first = rules.period_of(rules.month_index(last) - 11)
    elif not last:
        ahead = rules.period_of(rules.month_index(first) + 11)
        last = min(ahead, default_last) if first <= default_last else first
    if first > last:
        raise InputError(code="reporting_status.range_reversed", field="status_from", first=first, last=last)
    span = rules.month_index(last) - rules.month_index(first) + 1
    if span > MAX_MONTHS:
        raise InputError(code="reporting_status.range_too_long", field="status_from", limit=MAX_MONTHS, months=span)
    return rules.months(first, last)


def due_days(session: Session, periods: list[str]) -> dict[str, int]:
    """The due day in force for each month (``indicators.warning_rule[report_due_day]``); a month for
    which none is in force (before the rule's first day) is a coded error naming it."""
    params = parameter_set(session)
    out = {}
    for p in periods:
        try:
            day = params.value(
                "indicators.warning_rule", period=dt.date(int(p[:4]), int(p[5:7]), 1), item="report_due_day"
            )
        except ParameterNotFound:
            raise InputError(code="reporting_status.no_due_day", field="status_from", month=p) from None
        out[p] = int(day)
    return out


def _cities(session: Session, unfiltered: ColumnElement[bool]) -> tuple[Place, ...]:
    """The cities to filter by: those holding a facility of the selection (within the person's scope
    and the region asked for), found by walking up from each facility's region."""
    regions = {r.id: r for r in store.regions(session)}
    found: dict[str, Place] = {}
    for region_id in store.facility_regions(session, unfiltered):
        region = regions.get(region_id)
        while region is not None and region.level != "city":
            region = regions.get(region.parent_id) if region.parent_id is not None else None
        if region is not None:
            found[region.code] = Place(region.code, region.name_zh, region.name_en)
    return tuple(found[code] for code in sorted(found))


# ---------------------------------------------------------------- the use cases


def matrix(
    session: Session,
    principal: Principal,
    *,
    today: dt.date,
    region: str | None = None,
    city: str | None = None,
    sector: str | None = None,
    first: str | None = None,
    last: str | None = None,
) -> Matrix:
    """Enterprise × month states of the selection on ``today`` (default months: the 12 up to last month)."""
    condition, unfiltered, chosen, town = _selection(session, principal, region, city, sector)
    periods = _window(first, last, today)
    facilities = store.facilities(session, condition)
    enterprises = store.enterprises(session, condition)
    versions = store.versions(session, condition, periods[0], periods[-1])
    days = due_days(session, periods)
    cells = rules.classify(facilities, versions, periods, days, today)
    codes = dict(zip(facilities["facility_id"], facilities["code"], strict=True))
    by_enterprise = rules.by_enterprise(cells, codes).merge(
        cells[["facility_id", "period", "days_late", "has_draft"]], on=["facility_id", "period"]
    )
    facility_rows = _facility_rows(facilities, cells, periods)
    enterprise_cells = _cells(by_enterprise, periods, codes)  # by_enterprise is by enterprise id, then month
    rows = []
    for ent in enterprises.itertuples(index=False):
        mine = enterprise_cells.get(int(ent.enterprise_id))
        if mine is None or all(c.state == rules.NOT_REQUIRED for c in mine):
            continue  # nothing to report in the window (retired before it, say)
        rows.append(
            EnterpriseRow(
                code=ent.code,
                name_zh=ent.name_zh,
                name_en=ent.name_en,
                uscc=ent.uscc,
                cells=mine,
                facilities=tuple(facility_rows.get(int(ent.enterprise_id), [])),
            )
        )
    counted = by_enterprise[by_enterprise["state"] != rules.NOT_REQUIRED]
    counts = {p: rules.state_counts(counted[counted["period"] == p]) for p in periods}
    required = cells[cells["state"] != rules.NOT_REQUIRED]
    facility_counts = {p: rules.state_counts(required[required["period"] == p]) for p in periods}
    return Matrix(
        today=today,
        region=_place(chosen),
        city=_place(town),
        sector=sector or None,
        periods=tuple(periods),
        due={p: rules.due_date(p, days[p]) for p in periods},
        enterprises=tuple(rows),
        counts=counts,
        facility_counts=facility_counts,
        cities=_cities(session, unfiltered),
        sectors=tuple(store.sectors(session, unfiltered)),
    )


def _cells(frame: pd.DataFrame, periods: list[str], codes: dict[int, str]) -> dict[int, tuple[Cell, ...]]:
    """Per enterprise, its cells in month order, from rows sorted by enterprise and month (every
    enterprise has a row for each month): the arrays are cut into equal runs, no per-row lookups."""
    width = len(periods)
    ids = frame["enterprise_id"].to_numpy(dtype=np.int64)[::width]
    columns = [
        frame[name].to_numpy() for name in ("state", "facility_id", "days_late", "has_draft", "required", "reported")
    ]
    out: dict[int, tuple[Cell, ...]] = {}
    for k, eid in enumerate(ids):
        run = slice(k * width, (k + 1) * width)
        state, fid, days, draft, required, reported = (c[run] for c in columns)
        out[int(eid)] = tuple(
            Cell(
                periods[m],
                str(state[m]),
                codes[int(fid[m])],
                int(days[m]),
                bool(draft[m]),
                int(required[m]),
                int(reported[m]),
            )
            for m in range(width)
        )
    return out


def _facility_rows(facilities: pd.DataFrame, cells: pd.DataFrame, periods: list[str]) -> dict[int, list[FacilityRow]]:
    """Each enterprise's facilities that must report some month of the window, with their cells (the
    cells come facility by facility, in the facilities' order, each with every month in order)."""
    width = len(periods)
    state = cells["state"].to_numpy().reshape(-1, width)
    days = cells["days_late"].to_numpy().reshape(-1, width)
    draft = cells["has_draft"].to_numpy().reshape(-1, width)
    out: dict[int, list[FacilityRow]] = {}
    for k, fac in enumerate(facilities.itertuples(index=False)):
        if (state[k] == rules.NOT_REQUIRED).all():
            continue
        row_cells = tuple(
            Cell(
                periods[m],
                str(state[k, m]),
                fac.code,
                int(days[k, m]),
                bool(draft[k, m]),
                int(state[k, m] != rules.NOT_REQUIRED),
                int(state[k, m] == rules.SUBMITTED),
            )
            for m in range(width)
        )
        out.setdefault(int(fac.enterprise_id), []).append(
            FacilityRow(code=fac.code, name_zh=fac.name_zh, name_en=fac.name_en, sector=fac.sector, cells=row_cells)
        )
    return out


def late_list(
    session: Session,
    principal: Principal,
    *,
    today: dt.date,
    month: str | None = None,
    region: str | None = None,
    city: str | None = None,
    sector: str | None = None,
) -> MonthList:
    """The facilities late for ``month`` (default: last month) on ``today``, with their enterprise's
    name, code and registered contact: the list a 催报 notice is sent to."""
    return month_list(
        session, principal, today=today, month=month, region=region, city=city, sector=sector, late_only=True
    )


def month_list(
    session: Session,
    principal: Principal,
    *,
    today: dt.date,
    month: str | None = None,
    region: str | None = None,
    city: str | None = None,
    sector: str | None = None,
    late_only: bool = False,
) -> MonthList:
    """Every facility that had to report ``month`` (default: last month), with its state on ``today``
    (only the late ones with ``late_only``)."""
    condition, _unfiltered, chosen, town = _selection(session, principal, region, city, sector)
    if month and not _MONTH.match(month):
        raise InputError(code="reporting_status.bad_month", field="status_month", value=month)
    period = month or rules.last_month(today)
    facilities = store.facilities(session, condition)
    enterprises = store.enterprises(session, condition).set_index("enterprise_id")
    versions = store.versions(session, condition, period, period)
    day = due_days(session, [period])
    cells = rules.classify(facilities, versions, [period], day, today)
    counted = rules.by_enterprise(cells)
    counts = rules.state_counts(counted[counted["state"] != rules.NOT_REQUIRED])
    chosen_rows = cells["state"] == rules.LATE if late_only else cells["state"] != rules.NOT_REQUIRED
    shown = cells[chosen_rows].merge(facilities[["facility_id", "code", "name_zh", "name_en"]], on="facility_id")
    rows = []
    for r in shown.itertuples(index=False):
        ent = enterprises.loc[r.enterprise_id]
        rows.append(
            MonthRow(
                enterprise_code=str(ent["code"]),
                enterprise_zh=str(ent["name_zh"]),
                enterprise_en=str(ent["name_en"]),
                uscc=str(ent["uscc"]),
                facility_code=str(r.code),
                facility_zh=str(r.name_zh),
                facility_en=str(r.name_en),
                period=period,
                state=str(r.state),
                has_draft=bool(r.has_draft),
                due=r.due,
                days_late=int(r.days_late),
                contact_person=str(ent["contact_person"] or ""),
                contact_phone=str(ent["contact_phone"] or ""),
            )
        )
    rows.sort(key=lambda x: (x.enterprise_code, x.facility_code))
    return MonthList(
        today=today,
        region=_place(chosen),
        city=_place(town),
        sector=sector or None,
        period=period,
        due=rules.due_date(period, day[period]),
        rows=tuple(rows),
        counts=counts,
    )


# ---------------------------------------------------------------- in words, and as Excel


def state_text(state: str, lang: str, has_draft: bool = False) -> str:
    """A state in the reader's language (a late month with a draft says so)."""
    code = "late_draft" if state == rules.LATE and has_draft else state
    return messages.render(f"reporting_status.state.{code}", lang)


COLUMNS = ("enterprise", "uscc", "facility", "month", "state", "due", "days_late", "contact", "phone")


def late_frame(late: MonthList, lang: str) -> pd.DataFrame:
    """The list as a table with the notice's columns, named in ``lang`` (企业名称, 统一社会信用代码, ...)."""
    zh = lang == "zh"
    values = {
        "enterprise": [r.enterprise_zh if zh else (r.enterprise_en or r.enterprise_zh) for r in late.rows],
        "uscc": [r.uscc for r in late.rows],
        "facility": [
            f"{r.facility_zh if zh else (r.facility_en or r.facility_zh)}（{r.facility_code}）" for r in late.rows
        ],
        "month": [r.period for r in late.rows],
        "state": [state_text(r.state, lang, r.has_draft) for r in late.rows],
        "due": pd.to_datetime(pd.Series([r.due for r in late.rows], dtype=object)),
        "days_late": np.asarray([r.days_late for r in late.rows], dtype=np.int64),
        "contact": [r.contact_person for r in late.rows],
        "phone": [r.contact_phone for r in late.rows],
    }
    names = [messages.render(f"reporting_status.column.{c}", lang) for c in COLUMNS]
    return pd.DataFrame({name: values[c] for name, c in zip(names, COLUMNS, strict=True)})


def write_late_workbook(late: MonthList, path: str | Path, lang: str = messages.DEFAULT_LANG) -> Path:
    """The (late) list as one sheet (催报名单) of an .xlsx at ``path``."""
    sheet = messages.render("reporting_status.sheet", lang)
    return export_workbook(path, {sheet: late_frame(late, lang)}, lang=lang)


# ---------------------------------------------------------------- last month, for the overview


@dataclass(frozen=True)
class LastMonth:
    period: str
    due: dt.date
    due_passed: bool
    counts: dict[str, int]  # enterprises per state
    late: int  # enterprises with a facility late


def last_month(session: Session, principal: Principal, *, today: dt.date, region: str | None = None) -> LastMonth:
    """Last month's counts of enterprises per state in the region (the overview's block)."""
    period = rules.last_month(today)
    found = matrix(session, principal, today=today, region=region, first=period, last=period)
    counts = found.counts[period]
    return LastMonth(
        period=period,
        due=found.due[period],
        due_passed=today > found.due[period],
        counts=counts,
        late=counts[rules.LATE],
    )
