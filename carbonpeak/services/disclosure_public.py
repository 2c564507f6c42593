"""The public disclosure page of an enterprise (no account): only what the enterprise published, i.e.
its signed-off disclosure reports (the MEE carbon section, the climate section) with their key figures
and PDF. An unknown enterprise and one with nothing published give the same *not found*: the answer
reveals neither whether the enterprise exists nor anything unpublished."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.errors import NotFound
from carbonpeak.reports.formats import MEDIA_TYPES
from carbonpeak.services import access
from carbonpeak.services.disclosure import CHINA, KINDS
from carbonpeak.store.models import Enterprise
from carbonpeak.store.reports.models import Report


@dataclass(frozen=True)
class Figure:
    label: str
    value: str  # as the report shows it (t CO2e)


@dataclass(frozen=True)
class Published:
    id: int
    kind: str
    year: str
    lang: str
    version: int
    title: str
    published_on: dt.date
    provisional: bool
    figures: list[Figure]  # the first table's rows: the item and this year's figure
    head: tuple[str, str]  # that table's first two column headers (item, this year with its unit)
    pdf_sha256: str


@dataclass(frozen=True)
class Page:
    enterprise: str
    name: str
    reports: list[Published]


def _signed(session: Session, code: str) -> list[Report]:
    query = (
        select(Report)
        .where(Report.enterprise_code == code, Report.kind.in_(KINDS), Report.status == "signed")
        .order_by(Report.period.desc(), Report.kind, Report.version.desc())
    )
    return list(session.scalars(query))


def page(session: Session, code: str) -> Page:
    """What ``code`` published; *not found* when nothing (or no such enterprise)."""
    enterprise = session.scalar(select(Enterprise).where(Enterprise.code == code))
    rows = _signed(session, code) if enterprise is not None else []
    if enterprise is None or not rows:
        raise NotFound(code="disclosure.not_found")
    return Page(enterprise.code, enterprise.name_zh, [_published(r) for r in rows])


def _published(row: Report) -> Published:
    at = row.signed_at or row.made_at
    day = (at if at.tzinfo else at.replace(tzinfo=dt.UTC)).astimezone(CHINA).date()
    return Published(
        id=row.id,
        kind=row.kind,
        year=row.period,
        lang=row.lang,
        version=row.version,
        title=str(row.document.get("title", "")),
        published_on=day,
        provisional=row.provisional,
        figures=_key_figures(row.document),
        head=_head(row.document),
        pdf_sha256=next((f.sha256 for f in row.files if f.format == "pdf"), ""),
    )


def _first_table(document: dict[str, Any]) -> dict[str, Any]:
    for section in document.get("sections", []):
        for block in section.get("blocks", []):
            if block.get("type") == "table":
                return dict(block)
    return {}


def _key_figures(document: dict[str, Any]) -> list[Figure]:
    """The first table of the stored document (F1): each row's label and its first figure."""
    rows = _first_table(document).get("rows", [])
    return [Figure(str(row[0][0]), str(row[1][0])) for row in rows if len(row) > 1]


def _head(document: dict[str, Any]) -> tuple[str, str]:
    columns = [str(c) for c in _first_table(document).get("columns", [])] + ["", ""]
    return columns[0], columns[1]


def pdf(session: Session, code: str, report_id: int) -> tuple[str, str, bytes]:
    """(file name, media type, bytes) of a published report's PDF; *not found* for anything else."""
    row = access.by_id(session, Report, report_id)  # an id beyond the database's integers names no report
    if row is None or row.enterprise_code != code or row.kind not in KINDS or row.status != "signed":
        raise NotFound(code="disclosure.not_found")
    found = next((f for f in row.files if f.format == "pdf"), None)
    if found is None:
        raise NotFound(code="disclosure.not_found")
    return f"{row.kind}_{code}_{row.period}_v{row.version}.pdf", MEDIA_TYPES["pdf"], bytes(found.content)
