"""Official parameter values an administrator enters with their citation, and the parameter set in force.

The shipped parameter files (``carbonpeak/parameters``) hold what we found in the published sources;
some entries have no official value yet (``value: null``, with the reason) and new periods appear
(next year's grid factor). An administrator enters such a value here, with the document, issuer,
number, clause and date it comes from. It is stored as a version of its *slot* (family, key, edition,
validity period): entering the same slot again is a correction, a new version with its reason; no
version is ever overwritten. A value entered for the slot of a shipped entry supersedes it in
lookups; any other overlap with a shipped period is refused.

:func:`parameter_set` is the set every calculation of a running system uses: the shipped files plus
the latest version of every entered slot (cached until an entry is added).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carbonpeak.errors import InputError, ParameterFileError, UnitError, ValidationFailed
from carbonpeak.messages import Message
from carbonpeak.parameters import ParameterSet, load
from carbonpeak.parameters.schema import Confidence, Entry, Source
from carbonpeak.store import repository as repo
from carbonpeak.store.models import ParameterValue

__all__ = ["SOURCE_FIELDS", "Entered", "enter", "entered", "history", "parameter_set", "validate"]

SOURCE_FIELDS = ("document", "issuer", "number", "clause", "published", "url", "quote")
_TEXT_UNITS = ("rule", "text", "date", "code")
_ENTERED = "entered_"  # the source id of an entered value in the merged set: entered_<row id>


@dataclass(frozen=True)
class Entered:
    """A validated value ready to store: the entry, its source, and the slot it fills."""

    family: str
    entry: Entry
    source: Source
    slot: str
    supersedes_shipped: bool  # the slot is a shipped entry's (key, edition and period)


def _expected(what: str) -> Message:
    """What a field of an entered value should hold, in the reader's language."""
    return Message(f"parameters.expected.{what}")


def _slot(key: dict[str, Any], edition: str | None, valid_from: dt.date | None, valid_to: dt.date | None) -> str:
    parts = {
        "key": {k: str(v) for k, v in sorted(key.items())},
        "edition": edition,
        "from": valid_from.isoformat() if valid_from else None,
        "to": valid_to.isoformat() if valid_to else None,
    }
    return json.dumps(parts, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def validate(shipped: ParameterSet, family: str, data: dict[str, Any], *, today: dt.date | None = None) -> Entered:
    """Check one value as entered (form fields named ``key.<name>``, ``value``, ``unit``, ``edition``,
    ``valid_from``, ``valid_to``, ``confidence``, the source's fields, ``note``, ``reason``).

    Every problem is an :class:`InputError` naming the field and what was expected; several at once
    are raised together.
    """
    if family not in shipped:
        raise InputError(code="parameters.unknown_family", field="family", value=family, expected=_expected("family"))
    file = shipped.files[family]
    errors: list[InputError] = []

    def problem(code: str, field: str, value: Any = None, expected: Message | None = None) -> None:
        errors.append(InputError(code=code, record=family, field=field, value=value, expected=expected))

    key: dict[str, str | int] = {}
    for name in file.keys:
        raw = _text(data, f"key.{name}")
        shipped_values = {e.key.get(name) for e in file.entries}
        if not raw:
            problem("parameters.missing", f"key.{name}", expected=_expected("key"))
        elif shipped_values and all(isinstance(v, int) for v in shipped_values):
            try:
                key[name] = int(raw)
            except ValueError:
                problem("parameters.not_whole_number", f"key.{name}", raw, _expected("whole_number"))
        else:
            key[name] = raw

    dates: dict[str, dt.date | None] = {}
    for name in ("valid_from", "valid_to"):
        raw = _text(data, name)
        dates[name] = None
        if raw:
            try:
                dates[name] = dt.date.fromisoformat(raw[:10])
            except ValueError:
                problem("parameters.not_a_date", name, raw, _expected("date"))
    if dates["valid_from"] and dates["valid_to"] and dates["valid_to"] < dates["valid_from"]:
        problem("parameters.period_reversed", "valid_to", str(dates["valid_to"]), _expected("after_valid_from"))

    unit = _text(data, "unit")
    same_key = [e for e in file.entries if {k: str(v) for k, v in e.key.items()} == {k: str(v) for k, v in key.items()}]
    numeric = all(isinstance(e.value, int | float) for e in file.entries if e.value is not None)
    family_units = {e.unit for e in file.entries}
    expected_unit = same_key[0].unit if same_key else next(iter(family_units)) if len(family_units) == 1 else None
    if not unit:
        problem("parameters.missing", "unit", expected=_expected("unit"))
    elif expected_unit is not None and unit != expected_unit:
        problem("parameters.unit_differs", "unit", unit, _expected("shipped_unit"))
    elif unit not in _TEXT_UNITS:
        from carbonpeak.units import parse_unit

        try:
            parse_unit(unit)
        except UnitError:
            problem("parameters.unit_unknown", "unit", unit, _expected("unit_example"))

    raw_value = _text(data, "value")
    value: float | str | None = None
    if not raw_value:
        problem("parameters.missing", "value", expected=_expected("value"))
    elif numeric and unit not in _TEXT_UNITS:
        try:
            value = float(raw_value.replace(",", ""))
            if not math.isfinite(value):
                raise ValueError
        except ValueError:
            problem("parameters.not_a_number", "value", raw_value, _expected("finite_number"))
            value = None
    else:
        value = raw_value

    confidence = _text(data, "confidence")
    if confidence not in {c.value for c in Confidence}:
        problem("parameters.confidence_unknown", "confidence", confidence, _expected("confidence"))

    source_fields = {name: _text(data, name) or None for name in SOURCE_FIELDS}
    if not source_fields["document"]:
        problem("parameters.missing", "document", expected=_expected("document"))
    if not source_fields["issuer"]:
        problem("parameters.missing", "issuer", expected=_expected("issuer"))
    if not source_fields["published"]:
        problem("parameters.missing", "published", expected=_expected("published"))

    edition = _text(data, "edition") or None
    slot = _slot(key, edition, dates["valid_from"], dates["valid_to"])
    if errors:
        raise errors[0] if len(errors) == 1 else ValidationFailed(errors)
    assert value is not None
    entry = Entry(
        key=key,
        value=value,
        unit=unit,
        valid_from=dates["valid_from"],
        valid_to=dates["valid_to"],
        edition=edition,
        confidence=Confidence(confidence),
        source="entered",
        note=_text(data, "note") or None,
    )
    source = Source(read_on=today or dt.date.today(), **source_fields)
    shipped_slots = {_slot(e.key, e.edition, e.valid_from, e.valid_to): e for e in file.entries}
    return Entered(family, entry, source, slot, supersedes_shipped=slot in shipped_slots)


def entered(entry: Entry) -> bool:
    """Whether an entry of the parameter set in force was entered by an administrator (not shipped)."""
    return entry.source.startswith(_ENTERED)


def _latest(session: Session) -> list[ParameterValue]:
    """The latest version of every entered slot."""
    newest = (
        select(ParameterValue.family, ParameterValue.slot, func.max(ParameterValue.version).label("version"))
        .group_by(ParameterValue.family, ParameterValue.slot)
        .subquery()
    )
    query = select(ParameterValue).join(
        newest,
        (ParameterValue.family == newest.c.family)
        & (ParameterValue.slot == newest.c.slot)
        & (ParameterValue.version == newest.c.version),
    )
    return list(session.scalars(query.order_by(ParameterValue.id)))


def _addition(row: ParameterValue) -> tuple[str, Entry, str, Source]:
    entry = Entry(
        key=row.key,
        value=row.value,
        unit=row.unit,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        edition=row.edition,
        confidence=Confidence(row.confidence),
        source=f"{_ENTERED}{row.id}",
        note=row.note,
    )
    return row.family, entry, f"{_ENTERED}{row.id}", Source.model_validate(row.source)


def _merged(shipped: ParameterSet, rows: list[ParameterValue]) -> ParameterSet:
    return shipped.with_entries(_addition(row) for row in rows) if rows else shipped


_CACHE: dict[tuple[str, Any, Any, Any], ParameterSet] = {}


def parameter_set(session: Session) -> ParameterSet:
    """The parameters in force in this store: the shipped files plus the entered values (cached until
    a value is entered)."""
    count, last, entered = session.execute(
        select(func.count(ParameterValue.id), func.max(ParameterValue.id), func.max(ParameterValue.entered_at))
    ).one()
    if not count:
        return load()
    # the engine (its URL), the newest entry and when it was entered: a database dropped and made again under
    # the same URL starts its ids again, and must not be served the values of the one it replaced
    stamp = (repr(session.get_bind()), count, last, entered)
    if stamp not in _CACHE:
        _CACHE.clear()
        _CACHE[stamp] = _merged(load(), _latest(session))
    return _CACHE[stamp]


def _as_dict(row: ParameterValue) -> dict[str, Any]:
    return {
        "family": row.family,
        "key": row.key,
        "edition": row.edition,
        "valid_from": row.valid_from.isoformat() if row.valid_from else None,
        "valid_to": row.valid_to.isoformat() if row.valid_to else None,
        "value": row.value,
        "unit": row.unit,
        "confidence": row.confidence,
        "source": row.source,
        "note": row.note,
        "reason": row.reason,
        "version": row.version,
    }


def enter(session: Session, family: str, data: dict[str, Any], actor: str) -> ParameterValue:
    """Validate and store an official value: version 1 of its slot, or a new version (a reason is
    required to supersede a shipped value or an earlier version). Nothing is written on any error."""
    shipped = load()
    entered = validate(shipped, family, data)
    reason = _text(data, "reason") or None
    previous = session.scalar(
        select(ParameterValue)
        .where(ParameterValue.family == family, ParameterValue.slot == entered.slot)
        .order_by(ParameterValue.version.desc())
        .limit(1)
    )
    shipped_entry = next(
        (e for e in shipped.files[family].entries if _slot(e.key, e.edition, e.valid_from, e.valid_to) == entered.slot),
        None,
    )
    superseding = previous is not None or (shipped_entry is not None and shipped_entry.value is not None)
    if superseding and not reason:
        raise InputError(
            code="parameters.reason_needed",
            record=family,
            field="reason",
            expected=_expected("reason"),
        )
    row = ParameterValue(
        family=family,
        slot=entered.slot,
        version=1 if previous is None else previous.version + 1,
        key=dict(entered.entry.key),
        edition=entered.entry.edition,
        valid_from=entered.entry.valid_from,
        valid_to=entered.entry.valid_to,
        value=entered.entry.value,
        unit=entered.entry.unit,
        confidence=entered.entry.confidence.value if entered.entry.confidence else "",
        source=entered.source.model_dump(mode="json", exclude_none=True),
        note=entered.entry.note,
        reason=reason,
        entered_by=actor,
    )
    # The family with this value (and every other entered one) must still hold together: no overlap.
    others = [r for r in _latest(session) if not (r.family == family and r.slot == entered.slot)]
    try:
        _merged(shipped, [*others, row])
    except ParameterFileError as exc:
        raise InputError(
            code="parameters.period_overlaps",
            record=family,
            field="valid_from",
            value=f"{row.valid_from or '…'} – {row.valid_to or '…'}",
            expected=_expected("period"),
        ) from exc
    session.add(row)
    session.flush()
    repo.audit(
        session,
        actor,
        "correct" if previous is not None else "create",
        "parameter",
        f"{family}:{row.id}",
        before=_as_dict(previous) if previous is not None else None,
        after=_as_dict(row),
    )
    return row


def history(session: Session, family: str) -> list[ParameterValue]:
    """Every entered version of a family's values, newest first."""
    query = select(ParameterValue).where(ParameterValue.family == family)
    return list(session.scalars(query.order_by(ParameterValue.slot, ParameterValue.version.desc())))
