"""Tables to Excel (carbonpeak.io.export): submissions with every version and result, the overview's
indicators and targets, the benchmark board, the warnings. Each holds only what the person may read."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask

from carbonpeak.indicators.coverage import Coverage, YearPeriod
from carbonpeak.io.export import export_workbook
from carbonpeak.services import access
from carbonpeak.services.access import Principal
from carbonpeak.web import i18n, labels, queries
from carbonpeak.web.deps import DbSession, Who, render
from carbonpeak.web.pages.common import context, year_of
from carbonpeak.web.pages.overview import selection

router = APIRouter()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(name: str, sheets: dict[str, pd.DataFrame]) -> FileResponse:
    folder = Path(tempfile.mkdtemp(prefix="carbonpeak-export-"))
    # sheet and column names in the reader's language, from the header catalog (carbonpeak/io/export_headers.yaml)
    path = export_workbook(folder / name, sheets, lang=i18n.current_lang(), named=True)
    return FileResponse(
        path, media_type=XLSX, filename=name, background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True)
    )


@router.get("/exports")
def exports_page(request: Request, session: DbSession, who: Who) -> Response:
    access.require(who, "export")
    cache = request.app.state.cache
    years = queries.years_with_data(queries.facts(session, cache, who))
    year = queries.default_year(session, cache, who, None)  # the latest complete year
    return render(
        request,
        "exports.html",
        **context(request, years=years, year=year, overview=access.allowed(who, "overview.view")),
    )


def submission_frames(session: Session, who: Principal, year: int) -> dict[str, pd.DataFrame]:
    versions: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    for row in queries.months(session, who, year=year):
        submission = queries.submission(session, row["facility"], row["period"])
        assert submission is not None
        newest = queries.latest_results(session, [v.id for v in submission.versions])
        for v in submission.versions:
            flat = {k: val for k, val in v.record.items() if not isinstance(val, list | dict)}
            versions.append(
                {
                    "facility": row["facility"].code,
                    "period": row["period"],
                    "version": v.version,
                    "status": v.status,
                    "reason": v.reason or "",
                    "created_by": v.created_by,
                    "created_at": pd.Timestamp(v.created_at),
                    **{k: val for k, val in flat.items() if k not in ("facility_id", "period")},
                }
            )
            result = newest.get(v.id)
            if result is not None:
                results.append(
                    {
                        "facility": row["facility"].code,
                        "period": row["period"],
                        "version": v.version,
                        "method": result.method,
                        "parameter_fingerprint": result.parameter_fingerprint,
                        **result.values,
                    }
                )
    return {"submissions": pd.DataFrame(versions), "results": pd.DataFrame(results)}


def coverage_frame(period: YearPeriod, rows: list[tuple[str, str, Coverage]]) -> pd.DataFrame:
    """The coverage of each aggregate of a workbook: the period its figures span (1–9月累计) and the
    facility-months counted, held out, waiting, unverified and missing."""
    label = period.label().text(i18n.current_lang())
    return pd.DataFrame(
        [
            {"region": region, "sector": sector, "period": label, "partial": period.partial, **c.as_dict()}
            for region, sector, c in rows
        ]
    )


@router.get("/exports/submissions.xlsx")
def export_submissions(request: Request, session: DbSession, who: Who, year: str | None = None) -> Response:
    access.require(who, "export")
    years = queries.years_with_data(queries.facts(session, request.app.state.cache, who))
    chosen = year_of(year, years)
    return workbook(f"submissions_{chosen}.xlsx", submission_frames(session, who, chosen))


@router.get("/exports/overview.xlsx")
def export_overview(
    request: Request,
    session: DbSession,
    who: Who,
    region: str | None = None,
    year: str | None = None,
    plan: str | None = None,
) -> Response:
    chosen = selection(request, session, who, region, year, plan)
    data = queries.overview(
        session, request.app.state.cache, who, chosen["region"], chosen["year"], chosen["plan"], chosen["edition"]
    )
    targets = pd.DataFrame(
        [
            {"plan_title": labels.plan_title(t["plan"])}
            | {k: v for k, v in t.items() if k not in ("history", "coverage", "period")}
            | {"period": (t["period"] or {}).get("label_zh" if i18n.current_lang() == "zh" else "label")}
            | (t["coverage"] or {})
            for t in data["targets"]
        ]
    )
    cities = pd.DataFrame(
        [
            {
                "region": c["region"].code,
                "emissions_location_tco2e": c["emissions"],
                "energy_tce": c["energy"],
                **c["coverage"].as_dict(),
            }
            for c in data["cities"]
        ]
    )
    sheets = {
        "indicators": pd.DataFrame(data["indicators"]),
        "targets": targets,
        "cities": cities,
        "coverage": coverage_frame(
            data["period"],
            [
                (chosen["region"].code, "all", data["coverage"]),
                *[(chosen["region"].code, s, c) for s, c in data["sector_coverage"].items()],
                *[(c["region"].code, "all", c["coverage"]) for c in data["cities"]],
            ],
        ),
    }
    return workbook(
        f"overview_{chosen['region'].code}_{chosen['year']}.xlsx",
        {k: v for k, v in sheets.items() if not v.empty} or {"indicators": pd.DataFrame()},
    )


@router.get("/exports/warnings.xlsx")
def export_warnings(session: DbSession, who: Who) -> Response:
    access.require(who, "export")
    rows = [
        {
            "id": w.id,
            "kind": labels.label(labels.WARNING_KIND, w.kind),  # as the inbox shows them, in the reader's language
            "severity": labels.label(labels.SEVERITY, w.severity),
            "facility": w.facility_code or "",
            "period": w.period or "",
            "status": labels.label(labels.WARNING_STATUS, w.status),
            "assignee": w.assignee or "",
            "deadline": w.deadline,
            "message": labels.warning_text(w),
            "raised_at": pd.Timestamp(w.raised_at),
        }
        for w in queries.warnings(session, who)
    ]
    frame = pd.DataFrame(rows)
    if not frame.empty:
        frame["deadline"] = pd.to_datetime(frame["deadline"])
    return workbook("warnings.xlsx", {"warnings": frame})
