"""One page of a long list, read with LIMIT/OFFSET in a stable order, with the total count.

Every list that grows with the province (enterprises, facilities, warnings, the reporting matrix) is read
a page at a time: the database counts the rows that match and returns only the page's, so a page costs
the same in a province of 20 enterprises or of 2,000. The order always ends on a unique column (the
caller's ``tiebreak``, the primary key), so that a row is on exactly one page however many rows tie.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

T = TypeVar("T")
MAX_SIZE = 200  # a page never holds more (a person reads, prints or exports, never scrolls 10,000 rows)


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: list[T]
    total: int  # rows matching, on every page
    page: int  # 1-based, within 1..pages
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def first(self) -> int:
        """The position of the page's first row (1-based; 0 on an empty list)."""
        return (self.page - 1) * self.size + 1 if self.total else 0


def count(session: Session, query: Select[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0)


def paged(
    session: Session,
    query: Select[Any],
    *,
    order: Sequence[ColumnElement[Any]],
    tiebreak: ColumnElement[Any],
    page: int = 1,
    size: int = 50,
    scalars: bool = True,
) -> Page[Any]:
    """The ``page``-th page of ``size`` rows of ``query`` in ``order`` then ``tiebreak``; a page past the
    end gives the last page. ``scalars``: rows are the query's first entity (else result rows)."""
    size = min(max(int(size), 1), MAX_SIZE)
    total = count(session, query)
    pages = max(1, -(-total // size))
    page = min(max(int(page), 1), pages)
    ordered = query.order_by(None).order_by(*order, tiebreak).limit(size).offset((page - 1) * size)
    rows = list(session.scalars(ordered)) if scalars else list(session.execute(ordered))
    return Page(rows, total, page, size)
