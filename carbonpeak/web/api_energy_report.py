"""The energy-utilisation status report in the REST API (/api/v1/enterprises/{code}/energy-report/{year},
/api/v1/energy-reports): read a year's report
(the platform's figures, the entries, the status, the deadline, the history), save and file the entries,
review (accept or return), the NBS 205 workbook. Thin adapters over :mod:`carbonpeak.services.energy_report`;
the report's PDF, Word and Excel are made and downloaded through /api/v1/reports (kind
``energy_utilisation``)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends
from fastapi.responses import Response

from carbonpeak.services import energy_report as use
from carbonpeak.services import energy_report_reads as reads
from carbonpeak.services import reports
from carbonpeak.services.energy_report_doc import KIND, deadline_words
from carbonpeak.services.reports_monitoring import Asked
from carbonpeak.web import i18n
from carbonpeak.web.deps import DbSession, Who, csrf_protect

router = APIRouter(prefix="/api/v1", dependencies=[Depends(csrf_protect)], tags=["energy report"])
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid token or session"},
    403: {"description": "a role that may not do this"},
    404: {"description": "no such enterprise, or one outside your scope"},
    409: {"description": "the report is accepted (locked), under review, or not filed"},
    422: {"description": "every problem of the entries, coded, naming the table, row and field"},
}
Entries = Annotated[
    dict[str, Any] | None,
    Body(
        description="what the enterprise completes: {table id: [row, ...]}, e.g. "
        "{'t5': [{'factors': '...'}], 't7': [{'evaluation': '...'}], 't8': [{'name': '电解槽', 'quantity': 300}]}",
    ),
]


def _opened(o: use.Opened, lang: str) -> dict[str, Any]:
    f = o.figures
    return {
        "enterprise": o.basic.code,
        "year": o.year,
        "status": o.status,
        "locked": o.locked,
        "deadline": {"state": o.deadline.state, "day": o.deadline.day, "text": deadline_words(o.deadline, lang)},
        "form_set": {"edition": o.forms.edition, "source": o.forms.source},
        "figures": {
            "sha256": o.figures_sha256,
            "total_tce": f.total_tce,
            "carriers_tce": f.carriers_tce,
            "previous_total_tce": f.previous_total_tce,
            "net_electricity_mwh": f.net_electricity_mwh,
            "key_unit": dataclasses.asdict(f.key_unit),
            "carriers": [
                {**dataclasses.asdict(c), "coefficients": [dataclasses.asdict(k) for k in c.coefficients]}
                for c in f.carriers
            ],
            "products": [{**dataclasses.asdict(p), "change_pct": p.change_pct} for p in f.products],
            "balance": f.balance,
            "months": f.months,
            "not_final": f.not_final,
            "provisional": f.provisional,
        },
        "entries": o.entries,
        "history": [dataclasses.asdict(v) for v in o.history],
    }


@router.get(
    "/enterprises/{code}/energy-report/{year}",
    responses=ERRORS,
    summary="An enterprise's energy-utilisation report of a year",
)
def read(code: str, year: str, session: DbSession, who: Who) -> dict[str, Any]:
    return _opened(use.open_report(session, who, code, year), i18n.current_lang())


@router.post(
    "/enterprises/{code}/energy-report/{year}/versions", status_code=201, responses=ERRORS, summary="Save the entries"
)
def save(code: str, year: str, session: DbSession, who: Who, entries: Entries = None) -> dict[str, Any]:
    done = use.save(session, who, code, year, entries or {})
    session.commit()
    return dataclasses.asdict(done)


@router.post("/enterprises/{code}/energy-report/{year}/submit", responses=ERRORS, summary="File the report")
def submit(code: str, year: str, session: DbSession, who: Who, entries: Entries = None) -> dict[str, Any]:
    done = use.submit(session, who, code, year, entries)
    session.commit()
    return dataclasses.asdict(done)


@router.post(
    "/enterprises/{code}/energy-report/{year}/review", responses=ERRORS, summary="Accept or return the filed report"
)
def review(
    code: str,
    year: str,
    session: DbSession,
    who: Who,
    decision: Annotated[str, Body(embed=True, description="accept or return")] = "",
    reason: Annotated[str, Body(embed=True)] = "",
) -> dict[str, Any]:
    done = use.review(session, who, code, year, decision, reason)
    session.commit()
    return dataclasses.asdict(done)


@router.get(
    "/enterprises/{code}/energy-report/{year}/nbs205.xlsx",
    responses=ERRORS,
    summary="The NBS 205-1/205-2/205-3 workbook",
)
def nbs205(code: str, year: str, session: DbSession, who: Who) -> Response:
    name, content = reads.nbs205(session, who, code, year)
    media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(content, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/energy-reports", responses=ERRORS, summary="The year's reports in your scope (default: last year)")
def inbox(session: DbSession, who: Who, year: str | None = None) -> list[dict[str, Any]]:
    chosen = year or str(dt.date.today().year - 1)
    return [dataclasses.asdict(r) for r in reads.inbox(session, who, chosen)]


@router.post(
    "/enterprises/{code}/energy-report/{year}/report",
    status_code=201,
    responses=ERRORS,
    summary="Make the report's PDF, Word and Excel (stored; download them from /api/v1/reports/{id}/files/{fmt})",
)
def make_report(
    code: str,
    year: str,
    session: DbSession,
    who: Who,
    lang: Annotated[str, Body(embed=True, description="zh (default) or en")] = "zh",
) -> dict[str, Any]:
    asked = Asked(kind=KIND, region="", period=year, lang=lang, enterprise=code)
    made = reports.make(session, who, asked)
    session.commit()
    return {
        "id": made.id,
        "version": made.version,
        "provisional": made.provisional,
        "state_sha256": made.state_sha256,
        "files": {
            f.format: {"sha256": f.sha256, "url": f"/api/v1/reports/{made.id}/files/{f.format}"} for f in made.files
        },
    }
