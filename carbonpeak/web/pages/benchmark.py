"""Benchmark board: each facility's energy-efficiency class with its enterprise and city, the exit deadline
where it applies (below the baseline level) marked 已逾期N天 / 剩余N天 against the platform's day, filters
(below the baseline, city, sector, class), capacity shares by class, the electrolytic-aluminium tiered
electricity surcharge, and the same board as Excel with headers in the reader's language.

Thin adapter over :mod:`carbonpeak.web.queries` (the classification, cached per data state) and
:mod:`carbonpeak.services.benchmark_board` (names, deadlines, filters, sources, Excel tables)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from carbonpeak.services import access
from carbonpeak.services import benchmark_board as board_use
from carbonpeak.services.access import Principal
from carbonpeak.vocabulary import BenchmarkClass
from carbonpeak.web import aggregates, i18n, labels, queries
from carbonpeak.web.deps import DbSession, Who, render, settings_of
from carbonpeak.web.i18n import _
from carbonpeak.web.pages.common import context, year_of
from carbonpeak.web.pages.exports import coverage_frame, workbook
from carbonpeak.web.pages.reporting_status import link, today_of

router = APIRouter()
Code = Annotated[str | None, Query(max_length=60)]
Flag = Annotated[str | None, Query(max_length=5)]
Class = Annotated[str | None, Query(alias="class", max_length=60)]


def _filters(below_baseline: str | None, city: str | None, sector: str | None, klass: str | None) -> board_use.Filters:
    return board_use.Filters(
        below_baseline=below_baseline in ("1", "true", "on", "yes"),
        city=city or None,
        sector=sector or None,
        klass=klass if klass in board_use.CLASSES else None,
    )


def _board(
    request: Request, session: Any, who: Principal, year: str | None, filters: board_use.Filters
) -> dict[str, Any]:
    """The year's classification with the rows named, dated and filtered (shared by the page and its Excel)."""
    cache = request.app.state.cache
    years = queries.years_with_data(queries.facts(session, cache, who))
    asked = year not in (None, "")
    chosen = year_of(year, years) if asked else queries.default_year(session, cache, who, None)
    edition = settings_of(request).benchmark_edition
    data = queries.benchmark(session, cache, who, chosen, edition)
    today = today_of(request)
    found = board_use.rows(session, data["classes"], today)
    return {
        "data": data,
        "year": chosen,
        "years": years,
        "asked": asked,
        "edition": edition,
        "today": today,
        "all_rows": found,
        "rows": board_use.chosen(found, filters),
        "options": board_use.options(found),
        "summary": board_use.summary(found),
    }


@router.get("/benchmark")
def board(
    request: Request,
    session: DbSession,
    who: Who,
    year: str | None = None,
    below_baseline: Flag = None,
    city: Code = None,
    sector: Code = None,
    klass: Class = None,
) -> Response:
    filters = _filters(below_baseline, city, sector, klass)
    found = _board(request, session, who, year, filters)
    data = found["data"]
    lang = i18n.current_lang()
    shown = {
        "title": aggregates.title(),
        "period": aggregates.period_label(data["period"]),
        "coverage": aggregates.coverage_text(data["coverage"]),
        "default_note": aggregates.default_note(found["asked"], data["period"]),
        "unclassified": board_use.unclassified_text(data.get("unclassified", []), lang),
    }
    shares_chart = {
        "kind": "stacked_hbar_pct",
        "y": [board_use.product_name(row["product"], lang) for row in data["shares"]],
        "title": _("Capacity shares by class · %(period)s", period=shown["period"]),
        "series": [
            {
                "name": labels.benchmark_class(key),
                "data": [100.0 * (row.get(f"share_{key}") or 0.0) for row in data["shares"]],
            }
            for key in board_use.CLASSES
        ],
    }
    year_text = str(found["year"])
    params = {
        "year": year_text,
        "below_baseline": "1" if filters.below_baseline else None,
        "city": filters.city,
        "sector": filters.sector,
        "class_": filters.klass,
    }
    return render(
        request,
        "benchmark.html",
        **context(
            request,
            year=found["year"],
            years=found["years"],
            edition=found["edition"],
            data=data,
            rows=found["rows"],
            total=len(found["all_rows"]),
            options=found["options"],
            summary=found["summary"],
            filters=filters,
            today=found["today"],
            shares_chart=shares_chart,
            shown=shown,
            product_name=lambda code: board_use.product_name(code, lang),
            sources=[board_use.source_line(c, lang) for c in [*data["cited"], *data["surcharge_cited"]]],
            below_link=link("/benchmark", year=year_text, below_baseline="1"),
            excel_link=link("/exports/benchmark.xlsx", **params),
            year_link=lambda y: link("/benchmark", **{**params, "year": str(y)}),
            classes=list(BenchmarkClass),
        ),
    )


@router.get("/exports/benchmark.xlsx")
def export_benchmark(
    request: Request,
    session: DbSession,
    who: Who,
    year: str | None = None,
    below_baseline: Flag = None,
    city: Code = None,
    sector: Code = None,
    klass: Class = None,
) -> Response:
    """The board as Excel, filtered as the page is: facilities by class (enterprise, city, deadline and its
    status), capacity shares, the surcharge, the sources and the coverage; sheets and columns in the reader's
    language, numbers in canonical units named in the headers."""
    access.require(who, "export")
    found = _board(request, session, who, year, _filters(below_baseline, city, sector, klass))
    data = found["data"]
    lang = i18n.current_lang()
    confidence = lambda code: labels.label(labels.CONFIDENCE, code)  # noqa: E731
    coverage = coverage_frame(data["period"], [("", labels.sector(None), data["coverage"])])
    coverage = coverage.rename(
        columns={
            "region": board_use.say("column.city", lang),
            "sector": board_use.say("column.sector", lang),
            "period": board_use.say("column.period", lang),
            "partial": board_use.say("column.partial", lang),
            **dict(zip(data["coverage"].as_dict(), aggregates.state_names(), strict=True)),
        }
    )
    sheets = {
        board_use.sheet_name("classes", lang): board_use.class_frame(
            found["rows"], lang, labels.benchmark_class, labels.sector
        ),
        board_use.sheet_name("shares", lang): board_use.shares_frame(data["shares"], lang),
        board_use.sheet_name("surcharge", lang): board_use.surcharge_frame(data["surcharge"], lang),
        board_use.sheet_name("sources", lang): board_use.sources_frame(
            [*data["cited"], *data["surcharge_cited"]], lang, confidence
        ),
        board_use.sheet_name("coverage", lang): coverage,
    }
    return workbook(f"benchmark_{found['year']}.xlsx", sheets)
