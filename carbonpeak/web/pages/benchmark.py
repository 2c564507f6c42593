"""Benchmark board: each facility's energy-efficiency class and deadline, capacity shares by class,
and the electrolytic-aluminium tiered electricity surcharge."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from carbonpeak.web import aggregates, labels, queries
from carbonpeak.web.deps import DbSession, Who, render, settings_of
from carbonpeak.web.i18n import _
from carbonpeak.web.pages.common import context, year_of

router = APIRouter()


@router.get("/benchmark")
def board(request: Request, session: DbSession, who: Who, year: str | None = None) -> Response:
    cache = request.app.state.cache
    years = queries.years_with_data(queries.facts(session, cache, who))
    asked = year not in (None, "")
    chosen = year_of(year, years) if asked else queries.default_year(session, cache, who, None)
    edition = settings_of(request).benchmark_edition
    data = queries.benchmark(session, cache, who, chosen, edition)
    shown = {
        "title": aggregates.title(),
        "period": aggregates.period_label(data["period"]),
        "coverage": aggregates.coverage_text(data["coverage"]),
        "default_note": aggregates.default_note(asked, data["period"]),
    }
    shares_chart = {
        "kind": "stacked_hbar_pct",
        "y": [labels.sector(row["product"]) for row in data["shares"]],
        "title": _("Capacity shares by class, %(year)s", year=shown["period"]),
        "series": [
            {
                "name": labels.benchmark_class(key),
                "data": [100.0 * (row.get(f"share_{key}") or 0.0) for row in data["shares"]],
            }
            for key in ("at_or_above_benchmark", "between_benchmark_and_baseline", "below_baseline")
        ],
    }
    return render(
        request,
        "benchmark.html",
        **context(
            request, year=chosen, years=years, edition=edition, data=data, shares_chart=shares_chart, shown=shown
        ),
    )
