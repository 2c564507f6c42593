"""Set-based writes for the big tables of an import (versions, facts, results, audit events).

An import of 100,000 months must not build 100,000 ORM objects nor let SQLAlchemy compile and
process every parameter: rows go as plain tuples straight to the driver of the session's own
connection (so they are part of the caller's transaction): ``executemany`` on SQLite, ``COPY`` on
PostgreSQL. JSON is serialised once with orjson; ids are reserved up front so that the caller knows
them without ``RETURNING`` (on SQLite the transaction holds the write lock, taken by
``BEGIN IMMEDIATE`` in :mod:`carbonpeak.store.db`; on PostgreSQL they come from the table's sequence).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import orjson
from sqlalchemy import JSON, DateTime, Table, text
from sqlalchemy.orm import Session

CHUNK = 20_000  # rows converted and sent at a time


def dialect(session: Session) -> str:
    bind = session.get_bind()
    return bind.dialect.name


def _driver(session: Session) -> Any:
    """The DBAPI connection of the session's current transaction (sqlite3 or psycopg)."""
    return session.connection().connection.driver_connection


def _json(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY).decode()


def _converters(session: Session, table: Table, columns: Sequence[str]) -> list[Callable[[Any], Any] | None]:
    """Per column, what turns a Python value into what the driver takes (None: as it is)."""
    engine_dialect = session.get_bind().dialect
    out: list[Callable[[Any], Any] | None] = []
    for name in columns:
        column_type = table.c[name].type
        if isinstance(column_type, JSON):
            out.append(_json)
        elif isinstance(column_type, DateTime) and engine_dialect.name == "sqlite":
            out.append(column_type.dialect_impl(engine_dialect).bind_processor(engine_dialect))
        else:
            out.append(None)
    return out


def _converted(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> Sequence[Sequence[Any]]:
    """The rows with each column converted for the driver, column by column (one map a column)."""
    convert = _converters(session, table, columns)
    if not any(convert):
        return rows
    values = list(zip(*rows, strict=True))
    for i, function in enumerate(convert):
        if function is _json:
            values[i] = tuple(map(function, values[i]))
        elif function is not None:
            done: dict[Any, Any] = {}  # time stamps repeat (one per import): convert each once
            values[i] = tuple(done[v] if v in done else done.setdefault(v, function(v)) for v in values[i])
    return list(zip(*values, strict=True))


def reserve_ids(session: Session, table: Table, count: int) -> list[int]:
    """``count`` fresh primary keys of ``table`` (column ``id``), in increasing order."""
    if count == 0:
        return []
    if dialect(session) == "postgresql":
        rows = session.execute(
            text("select nextval(pg_get_serial_sequence(:t, 'id')) from generate_series(1, :n)"),
            {"t": table.name, "n": count},
        ).scalars()
        return sorted(int(v) for v in rows)
    start = session.execute(text(f'select coalesce(max(id), 0) from "{table.name}"')).scalar_one()
    return list(range(int(start) + 1, int(start) + 1 + count))


def insert_rows(session: Session, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert rows (tuples in the order of ``columns``, Python values) in the session's transaction."""
    if not rows:
        return
    session.flush()  # ORM changes first: the rows may refer to them
    if len(rows) > CHUNK:  # converted and sent a chunk at a time: the converted copy stays small
        for start in range(0, len(rows), CHUNK):
            insert_rows(session, table, columns, rows[start : start + CHUNK])
        return
    rows = _converted(session, table, columns, rows)
    names = ", ".join(f'"{c}"' for c in columns)
    driver = _driver(session)
    if dialect(session) == "postgresql":
        with driver.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" * len(columns))
    cursor = driver.cursor()
    try:
        cursor.executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', rows)
    finally:
        cursor.close()


def update_rows(
    session: Session, table: Table, key: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Set ``columns`` of the rows whose ``key`` is the first value of each tuple (key, *values)."""
    if not rows:
        return
    session.flush()
    rows = _converted(session, table, [key, *columns], rows)
    driver = _driver(session)
    if dialect(session) == "postgresql":
        # COPY into a temporary table, then one UPDATE joining it: far faster than one UPDATE a row.
        temp = f"tmp_{table.name}_{abs(hash((key, *columns))) % 10**9}"  # one per column set
        names = ", ".join(f'"{c}"' for c in (key, *columns))
        with driver.cursor() as cursor:
            cursor.execute(
                f'CREATE TEMPORARY TABLE IF NOT EXISTS "{temp}" ON COMMIT DROP AS '
                f'SELECT {names} FROM "{table.name}" WITH NO DATA'
            )
            cursor.execute(f'TRUNCATE "{temp}"')
            with cursor.copy(f'COPY "{temp}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
            assignments = ", ".join(f'"{c}" = t."{c}"' for c in columns)
            cursor.execute(
                f'UPDATE "{table.name}" AS target SET {assignments} FROM "{temp}" AS t WHERE target."{key}" = t."{key}"'
            )
        return
    assignments = ", ".join(f'"{c}" = ?' for c in columns)
    cursor = driver.cursor()
    try:
        cursor.executemany(
            f'UPDATE "{table.name}" SET {assignments} WHERE "{key}" = ?',
            [(*row[1:], row[0]) for row in rows],
        )
    finally:
        cursor.close()
