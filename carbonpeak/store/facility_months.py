"""What every per-facility-month ledger (scrap intake, pollutants) does the same way: lock the rows of the
(facility, month) pairs a write touches, creating the missing ones, and read the newest version of many rows
at once. The ledgers keep their own tables; this is the one place these two steps are written."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

M = TypeVar("M")
V = TypeVar("V")


def lock_pairs(session: Session, model: type[M], pairs: Sequence[tuple[int, str]]) -> dict[tuple[int, str], M]:
    """The rows of ``model`` (with ``facility_id`` and ``period``) for the pairs, created when missing, locked for
    this transaction (a row lock on PostgreSQL; on SQLite the transaction holds the write lock)."""
    wanted = set(pairs)
    if not wanted:
        return {}
    table: Any = model
    facilities = sorted({f for f, _p in wanted})
    query = select(table).where(table.facility_id.in_(facilities))
    have = {(x.facility_id, x.period): x for x in session.scalars(query) if (x.facility_id, x.period) in wanted}
    for facility_id, period in sorted(wanted - set(have)):
        row = table(facility_id=facility_id, period=period)
        session.add(row)
        have[(facility_id, period)] = row
    session.flush()
    ids = sorted(x.id for x in have.values())
    list(session.scalars(select(table).where(table.id.in_(ids)).with_for_update()))
    return have


def latest_versions(session: Session, model: type[V], parent: str, parent_ids: Sequence[int]) -> dict[int, V]:
    """The newest row of ``model`` (numbered by ``version``) per value of its column ``parent``."""
    if not parent_ids:
        return {}
    table: Any = model
    column = getattr(table, parent)
    newest = (
        select(column.label("parent"), func.max(table.version).label("version"))
        .where(column.in_(list(parent_ids)))
        .group_by(column)
        .subquery()
    )
    query = select(table).join(newest, (newest.c.parent == column) & (newest.c.version == table.version))
    return {getattr(v, parent): v for v in session.scalars(query)}
