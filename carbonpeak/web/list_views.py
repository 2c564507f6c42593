"""What the long tables' controls need: the person's question read from the query string (search, sort,
filters, page), the links that keep it while changing one part, and the choices of each filter.

The lists themselves are read by :mod:`carbonpeak.services.lists`; the template macro
``list_macros.html`` draws the controls from a :class:`ListView`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak import messages
from carbonpeak.services import access
from carbonpeak.services.access import Principal
from carbonpeak.services.lists import ListQuery
from carbonpeak.store.models import Facility
from carbonpeak.store.paging import Page
from carbonpeak.vocabulary import BenchmarkClass
from carbonpeak.web import i18n, labels, queries
from carbonpeak.web.deps import settings_of

# query-string name -> ListQuery field
PARAMS = {
    "q": "search",
    "sort": "sort",
    "city": "city",
    "sector": "sector",
    "class": "benchmark_class",
    "status": "status",
    "kind": "kind",
    "facility": "facility",
}


def say(code: str, **params: Any) -> str:
    """A word of the lists' catalog (messages/lists.yaml) in the page's language."""
    return messages.render(code, i18n.current_lang(), params)


@dataclass
class Filter:
    name: str  # the query-string name
    label: str
    choices: list[tuple[str, str]]  # (value, label)
    all_label: str = ""


@dataclass
class ListView:
    path: str
    query: ListQuery
    sorts: tuple[str, ...]
    filters: list[Filter] = field(default_factory=list)
    page: Page[Any] | None = None
    extra: dict[str, str] = field(default_factory=dict)  # the page's own parameters its links keep (months)

    def asked(self) -> dict[str, str]:
        """The query string's parts that are set (the page left out)."""
        out = {name: str(getattr(self.query, attr)) for name, attr in PARAMS.items() if getattr(self.query, attr)}
        if self.query.descending:
            out["desc"] = "1"
        return out

    def url(self, **changes: Any) -> str:
        """This list's link with some parts changed (None or "" removes a part); any change but the page's
        goes back to page 1."""
        parts: dict[str, Any] = {**self.extra, **self.asked()}
        page = changes.pop("page", 1 if changes else self.query.page)
        parts.update(changes)
        parts["page"] = page if page and page > 1 else None
        kept = {k: v for k, v in parts.items() if v not in (None, "")}
        return f"{self.path}?{urlencode(kept)}" if kept else self.path

    def sort_url(self, key: str) -> str:
        """Sorting by ``key``: ascending, or flipped when it is already the sort."""
        flip = self.query.sort == key and not self.query.descending
        return self.url(sort=key, desc="1" if flip else None)

    def sorted_as(self, key: str) -> str:
        """``ascending``, ``descending`` or ``none`` (aria-sort)."""
        if self.query.sort != key:
            return "none"
        return "descending" if self.query.descending else "ascending"

    def hidden(self) -> dict[str, str]:
        """The parts a filter form keeps besides its own fields (the sort, a status chosen elsewhere)."""
        own = {"q", *(f.name for f in self.filters)}
        return {k: v for k, v in self.asked().items() if k not in own}


def read(request: Request, path: str, sorts: tuple[str, ...], **fixed: Any) -> ListView:
    """The person's question to a list, from the query string (unknown sorts and bad pages ignored)."""
    params = request.query_params
    values: dict[str, Any] = {attr: params.get(name, "")[:100] for name, attr in PARAMS.items()}
    if values["sort"] not in sorts:
        values["sort"] = ""
    try:
        page = max(1, int(params.get("page", "1")))
    except ValueError:
        page = 1
    values.update(fixed)  # parts the page reads itself (the reporting matrix's city and sector)
    query = replace(ListQuery(), **values, page=page, descending=params.get("desc") == "1")
    return ListView(path, query, sorts)


# ---------------------------------------------------------------- the choices of the filters


def city_filter(session: Session, who: Principal) -> Filter | None:
    """The cities a regulator may see (none for a city regulator's single city or an enterprise)."""
    cities = [r for r in access.regions_in_scope(session, who) if r.level == "city"]
    if len(cities) < 2:
        return None
    return Filter("city", say("list.city"), [(r.code, labels.named(r)) for r in cities], say("list.all"))


def sector_filter(session: Session, who: Principal) -> Filter:
    found = session.scalars(
        select(Facility.sector).distinct().where(access.facility_filter(who)).order_by(Facility.sector)
    )
    return Filter("sector", say("list.sector"), [(s, labels.sector(s)) for s in found], say("list.all"))


def class_filter() -> Filter:
    return Filter(
        "class",
        say("list.class"),
        [(c.value, labels.benchmark_class(c.value)) for c in BenchmarkClass],
        say("list.all"),
    )


def facility_status_filter() -> Filter:
    return Filter(
        "status",
        say("list.status"),
        [(k, labels.label(labels.FACILITY_STATUS, k)) for k in labels.FACILITY_STATUS],
        say("list.all"),
    )


def classes(request: Request, session: Session, who: Principal) -> dict[str, str]:
    """Each facility's benchmark class in the default year (the benchmark board's, cached per data state)."""
    cache = request.app.state.cache
    year = queries.default_year(session, cache, who, None)
    board = queries.benchmark(session, cache, who, year, settings_of(request).benchmark_edition)
    return {str(r["facility_id"]): str(r["class"]) for r in board.get("classes", [])}


# ---------------------------------------------------------------- the warnings inbox's page


def warning_groups(session: Session, rows: list[Any], totals: dict[str | None, int]) -> list[Any]:
    """A page of warnings (already in the inbox's order) as groups of consecutive rows of one enterprise,
    each with its text in the page's language, its facility's name and the link to its figure; a group's
    total counts its warnings on every page."""
    from carbonpeak.indicators.warning_texts import text
    from carbonpeak.web import warning_views as wv

    lang = i18n.current_lang()
    owners = wv._owners(session, {w.facility_code for w in rows if w.facility_code})
    names = {c: (o.facility_zh if lang == "zh" else o.facility_en) for c, o in owners.items()}
    groups: list[wv.Group] = []
    for w in rows:
        owner = owners.get(w.facility_code or "")
        code = owner.enterprise if owner else None
        name = (
            (owner.enterprise_zh if lang == "zh" else owner.enterprise_en)
            if owner
            else (w.facility_code or i18n.gettext(i18n.N_("Region-wide")))
        )
        if not groups or groups[-1].code != code or (code is None and groups[-1].name != name):
            groups.append(wv.Group(code=code, name=name, total=totals.get(code, 0)))
        link, label = wv.figure(w)
        fallback = w.message_zh if lang == "zh" else w.message_en
        groups[-1].rows.append(
            wv.Row(w, text(w.details, lang, fallback, names), names.get(w.facility_code or "", ""), link, label)
        )
    return groups
