"""The monthly evidence deposit (月度信息化存证) as pure rules: which values an enterprise's facility
deposits for a month (keyed ``facility:item`` or ``facility:fuel_consumption:fuel``) and what the month's
report prefills, the checks of deposited values and evidence files (every problem at once), the deadline
status of the enterprise's deposit and of the city's review, and the cross-checks against the month's
report and against the metered month (以日保月). The deadlines and limits come from :mod:`.config`."""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from carbonpeak.errors import InputError
from carbonpeak.ets.config import Config, Item

ALUMINIUM = "electrolytic_aluminium"


def month_end(month: str) -> dt.date:
    year, number = int(month[:4]), int(month[5:7])
    return dt.date(year, number, calendar.monthrange(year, number)[1])


def is_month(text: str) -> bool:
    return bool(re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text or ""))


# ------------------------------------------------------------------ values


def item_keys(items: Iterable[Item], facility: str, record: Mapping[str, Any] | None) -> list[tuple[str, Item]]:
    """The value keys of a facility's month: one per item, one per fuel line of the report for the fuel item
    (a fuel the report does not list has no key; without a report, the fuel item has none)."""
    out = []
    for item in items:
        if item.field.startswith("fuels"):
            fuels = sorted({str(line.get("fuel")) for line in (record or {}).get("fuels") or [] if line.get("fuel")})
            out += [(f"{facility}:{item.key}:{fuel}", item) for fuel in fuels]
        else:
            out.append((f"{facility}:{item.key}", item))
    return out


def prefill(items: Iterable[Item], facility: str, record: Mapping[str, Any] | None) -> dict[str, float | None]:
    """The values the month's report gives (None where the report has none or the item has no field)."""
    out: dict[str, float | None] = {}
    for key, item in item_keys(items, facility, record):
        if item.field.startswith("fuels"):
            fuel, attribute = key.rsplit(":", 1)[1], (item.field.split(".", 1)[1] if "." in item.field else "amount")
            lines = [line for line in (record or {}).get("fuels") or [] if line.get("fuel") == fuel]
            known = [a for a in (_number(line.get(attribute)) for line in lines) if a is not None]
            if attribute == "amount":
                out[key] = sum(known) if known else None
            else:  # a property of the fuel (NCV, carbon content): the report's where it gives one value
                out[key] = known[0] if known and len(set(known)) == 1 else None
        else:
            out[key] = _number((record or {}).get(item.field)) if item.field else None
    return out


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def checked_values(
    given: Mapping[str, Any], allowed: Iterable[str]
) -> tuple[dict[str, float | None], list[InputError]]:
    """The deposited values as numbers, and every problem (a key not of the month, not a number, negative)."""
    known = set(allowed)
    values: dict[str, float | None] = {}
    problems: list[InputError] = []
    for key in sorted(given):
        raw = given[key]
        if key not in known:
            problems.append(
                InputError(code="ets.unknown_item", field=key, value=str(key), expected=", ".join(sorted(known)))
            )
            continue
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            values[key] = None
            continue
        number = _number(raw.strip() if isinstance(raw, str) else raw)
        if number is None:
            problems.append(InputError(code="ets.not_a_number", field=key, value=str(raw)))
        elif number < 0:
            problems.append(InputError(code="ets.negative", field=key, value=str(raw)))
        else:
            values[key] = number
    return values, problems


def missing_for_deposit(
    keys: Iterable[tuple[str, Item]], values: Mapping[str, float | None], evidence_items: Iterable[str]
) -> list[InputError]:
    """What a deposit still lacks: a value for every item of the generic regime (the items carbonpeak added,
    basis ``platform``, are optional), a file for every item that requires evidence."""
    with_files = set(evidence_items)
    problems = []
    needed_files: set[str] = set()
    for key, item in keys:
        if values.get(key) is None and item.basis == "generic":  # the platform's own items are optional
            problems.append(InputError(code="ets.value_missing", field=key))
        if item.evidence:
            needed_files.add(evidence_key(key))
    problems += [InputError(code="ets.evidence_missing", field=k) for k in sorted(needed_files - with_files)]
    return problems


def evidence_key(value_key: str) -> str:
    """The item a file supports: ``facility:item`` (the fuels' files are the fuel item's, whatever the fuel)."""
    return ":".join(value_key.split(":")[:2])


# ------------------------------------------------------------------ evidence files


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def checked_file(
    name: str, data: bytes, item: str, allowed_items: Iterable[str], count: int, cfg: Config
) -> list[InputError]:
    """Every problem of one evidence file: its item, its name, its type (by suffix), its size, the item's count."""
    problems = []
    if item not in set(allowed_items):
        problems.append(InputError(code="ets.unknown_item", field="item", value=item, file=name or None))
    clean = (name or "").strip()
    if not clean or "/" in clean or "\\" in clean or len(clean) > 200 or clean.startswith("."):
        problems.append(InputError(code="ets.bad_file_name", field="file", value=clean[:80], file=clean[:80] or None))
    suffix = clean.rsplit(".", 1)[-1].lower() if "." in clean else ""
    if suffix not in cfg.suffixes:
        problems.append(
            InputError(
                code="ets.bad_file_type",
                field="file",
                file=clean[:80] or None,
                value=suffix,
                allowed=", ".join(cfg.suffixes),
            )
        )
    if not data:
        problems.append(InputError(code="ets.empty_file", field="file", file=clean[:80] or None))
    elif len(data) > cfg.max_bytes:
        problems.append(
            InputError(
                code="ets.file_too_large", field="file", file=clean[:80] or None, size=len(data), limit=cfg.max_bytes
            )
        )
    if count >= cfg.max_files_per_item:
        problems.append(InputError(code="ets.too_many_files", field="item", value=item, limit=cfg.max_files_per_item))
    return problems


# ------------------------------------------------------------------ deadlines


@dataclass(frozen=True)
class Deadline:
    due: dt.date
    status: str  # on_time, late, overdue (not done and past due), open (not done, not due yet)
    days_late: int = 0


def enterprise_deadline(month: str, deposited_on: dt.date | None, today: dt.date, cfg: Config) -> Deadline:
    """The enterprise's deposit: due ``enterprise_days`` after the month's end."""
    due = month_end(month) + dt.timedelta(days=cfg.enterprise_days)
    return _status(due, deposited_on, today)


def review_deadline(
    month: str, deposited_on: dt.date | None, reviewed_on: dt.date | None, today: dt.date, cfg: Config
) -> Deadline | None:
    """The city's review: due ``city_review_days`` after the month's end; a month deposited so late that this
    has passed gets ``district_review_days`` from its deposit (carbonpeak's reading: the notice gives no rule
    for it). None before the month is deposited."""
    if deposited_on is None:
        return None
    due = max(
        month_end(month) + dt.timedelta(days=cfg.city_review_days),
        deposited_on + dt.timedelta(days=cfg.district_review_days),
    )
    return _status(due, reviewed_on, today)


def _status(due: dt.date, done_on: dt.date | None, today: dt.date) -> Deadline:
    if done_on is not None:
        late = (done_on - due).days
        return Deadline(due, "late" if late > 0 else "on_time", max(late, 0))
    late = (today - due).days
    return Deadline(due, "overdue" if late > 0 else "open", max(late, 0))


# ------------------------------------------------------------------ cross-checks


@dataclass(frozen=True)
class Check:
    key: str  # facility:item (or the figure compared with the meters)
    deposited: float | None
    other: float | None  # the report's value, or the metered one
    diff_pct: float | None  # (deposited − other) / other × 100
    tolerance_pct: float
    state: str  # within, beyond, not_deposited, not_reported (the report), not_metered (the meters)


def compare(
    pairs: Iterable[tuple[str, float | None, float | None]], tolerance: Callable[[str], float], absent: str
) -> list[Check]:
    """Each (key, deposited, other) with its difference in percent of the other value and its state;
    ``absent``: the state when the other value is missing (not_reported, not_metered)."""
    out = []
    for key, deposited, other in pairs:
        limit = float(tolerance(key))
        if deposited is None:
            out.append(Check(key, None, other, None, limit, "not_deposited"))
        elif other is None:
            out.append(Check(key, deposited, None, None, limit, absent))
        elif other == 0:
            out.append(Check(key, deposited, other, None, limit, "within" if deposited == 0 else "beyond"))
        else:
            diff = (deposited - other) / abs(other) * 100.0
            out.append(Check(key, deposited, other, diff, limit, "within" if abs(diff) <= limit + 1e-9 else "beyond"))
    return out


def against_report(
    keys: Iterable[tuple[str, Item]],
    values: Mapping[str, float | None],
    reported: Mapping[str, float | None],
    cfg: Config,
) -> list[Check]:
    """Deposited against the month's report, key by key, within the configured tolerance. Items the report
    has no field for, and keys neither side gives, are not compared."""
    pairs = [
        (k, values.get(k), reported.get(k))
        for k, item in keys
        if item.field and (values.get(k) is not None or reported.get(k) is not None)
    ]
    return compare(pairs, lambda _k: cfg.report_tolerance_pct, "not_reported")
