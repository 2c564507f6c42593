"""Reading the verifier's queue: the latest version of each facility-month in a given set of statuses, with
its facility and enterprise, and the figures of the facts table that unit consumption is made from.

The caller passes the person's scope as a condition on :class:`Facility` (the store knows no people)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, contains_eager

from carbonpeak.store import repository as repo
from carbonpeak.store.models import Enterprise, Facility, Fact, Submission, SubmissionVersion


@dataclass(frozen=True, slots=True)
class Figures:
    """What a version's facts row holds for unit consumption (canonical units: t, MWh, tce)."""

    output_t: float | None
    electrolysis_ac_mwh: float | None
    energy_tce: float | None  # of the version's latest result; None while it has none
    has_result: bool


def latest_months(
    session: Session,
    scope: ColumnElement[bool],
    statuses: Sequence[str],
    *,
    enterprise_code: str | None = None,
    period: str | None = None,
) -> list[tuple[Submission, SubmissionVersion]]:
    """(submission, latest version) of the months in scope whose latest version has one of ``statuses``;
    each submission's facility and the facility's enterprise are loaded with it."""
    query = (
        repo.latest_versions_query()
        .join(Enterprise, Enterprise.id == Facility.enterprise_id)
        .where(scope, SubmissionVersion.status.in_(list(statuses)))
        .options(contains_eager(Submission.facility).contains_eager(Facility.enterprise))
        .order_by(Enterprise.code, Facility.code, Submission.period)
    )
    if enterprise_code:
        query = query.where(Enterprise.code == enterprise_code)
    if period:
        query = query.where(Submission.period == period)
    return [(s, v) for s, v in session.execute(query).all()]


def figures(session: Session, version_ids: Sequence[int]) -> dict[int, Figures]:
    """The facts figures of each version (one query per few thousand versions)."""
    out: dict[int, Figures] = {}
    columns = (Fact.version_id, Fact.output_t, Fact.electrolysis_ac_mwh, Fact.energy_tce, Fact.result_id)
    for among in repo._among(session, Fact.version_id, version_ids):
        for vid, output, electrolysis, energy, result_id in session.execute(select(*columns).where(among)):
            out[vid] = Figures(output, electrolysis, energy, result_id is not None)
    return out


def previous_figures(session: Session, months: Sequence[tuple[int, str]]) -> dict[tuple[int, str], Figures]:
    """The figures of the latest version of each (facility id, period) that has one."""
    latest = repo.latest_of_months(session, months)
    found = figures(session, [v.id for v in latest.values()])
    return {month: found[v.id] for month, v in latest.items() if v.id in found}
