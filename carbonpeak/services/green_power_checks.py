"""What an entry of the green-power register must satisfy, every problem at once.

:func:`validate` checks one plain record (CLI options, a web form, an API body or a row of a bulk file)
and returns an :class:`Entry`, or raises every problem found as coded errors naming the field.
:func:`check_counting` checks it against the store's other instruments and the facility's months:
a certificate serial counted once (across facilities and months), no month claimed beyond the
facility's electricity of that month.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from carbonpeak.errors import InputError, ValidationFailed
from carbonpeak.messages import Message

KINDS = ("certificate", "contract", "onsite")
SOURCE_TYPES = ("wind", "solar", "hydro", "biomass", "geothermal", "other")
MEASUREMENTS = ("metered", "reported")
PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
SERIAL = re.compile(r"^\d{1,40}$")
TOLERANCE_MWH = 1e-6  # a certificate's months sum to its volume, up to rounding of the file
# The monthly form field of each grid instrument, counted where none of its kind is registered.
FORM_FIELD = {"contract": "direct_renewable_mwh", "certificate": "green_certificate_mwh"}
TEXT_LIMITS = {"code": 80, "project_name": 200, "counterparty": 200, "batch_id": 80, "reason": 2000}


@dataclass(frozen=True)
class Entry:
    """One validated entry: the instrument, what its version says, its volume per month [MWh]."""

    code: str
    kind: str
    facility: str
    fields: dict[str, Any]
    volumes: dict[str, float]
    reason: str | None = None
    withdrawn: bool = False
    serials: tuple[int, int] | None = field(default=None)


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    return "" if value is None else str(value).strip()


def parse_volumes(value: Any) -> dict[str, float] | None:
    """Volumes per month from a mapping or the text ``2024-03:1200; 2024-04:900``; None if unreadable."""
    if isinstance(value, Mapping):
        items = list(value.items())
    else:
        text = "" if value is None else str(value).strip()
        if not text:
            return {}
        items = []
        for part in re.split(r"[;；,，\s]+", text):
            if not part:
                continue
            if ":" not in part and "：" not in part:
                return None
            period, amount = re.split(r"[:：]", part, maxsplit=1)
            items.append((period.strip(), amount.strip()))
    out: dict[str, float] = {}
    for period, amount in items:
        try:
            mwh = float(amount)
        except (TypeError, ValueError):
            return None
        if str(period) in out:
            return None
        out[str(period)] = mwh
    return out


def _float(data: Mapping[str, Any], name: str, errors: list[InputError]) -> float | None:
    text = _text(data, name)
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        errors.append(InputError(code="green_power.not_a_volume", field=name, value=text))
        return None
    return value


def validate(data: Mapping[str, Any], *, record: str | int | None = None) -> Entry:
    """One record of the register, checked on its own; every problem at once (ValidationFailed)."""
    entry, errors = checked(data)
    if errors:
        located = [e.located(record=record) for e in errors]
        raise located[0] if len(located) == 1 else ValidationFailed(located)
    return entry


def checked(data: Mapping[str, Any]) -> tuple[Entry, list[InputError]]:
    """The entry as far as it is readable (months and serials that are well formed only), and every
    problem of the record on its own; the caller adds the checks against the store to the same list."""
    errors: list[InputError] = []

    def need(name: str) -> str:
        value = _text(data, name)
        if not value:
            errors.append(InputError(code="green_power.required", field=name))
        return value

    code, kind, facility = need("code"), need("kind"), need("facility")
    if kind and kind not in KINDS:
        errors.append(InputError(code="green_power.unknown_kind", field="kind", value=kind))
    for name, limit in TEXT_LIMITS.items():
        if len(_text(data, name)) > limit:
            errors.append(InputError(code="green_power.too_long", field=name, limit=limit))
    withdrawn = _text(data, "withdrawn").lower() in ("1", "true", "yes", "是")
    fields: dict[str, Any] = {
        name: _text(data, name) or None for name in ("project_name", "counterparty", "batch_id", "measurement")
    }
    source = need("source_type")
    if source and source not in SOURCE_TYPES:
        errors.append(InputError(code="green_power.unknown_source_type", field="source_type", value=source))
    fields["source_type"] = source
    volumes = parse_volumes(data.get("volumes"))
    if volumes is None:
        errors.append(InputError(code="green_power.volumes_unreadable", field="volumes", value=_text(data, "volumes")))
        volumes = {}
    elif not volumes and not withdrawn:
        errors.append(InputError(code="green_power.required", field="volumes"))
    for period, mwh in volumes.items():
        if not PERIOD.match(period):
            errors.append(InputError(code="green_power.not_a_month", field="volumes", value=period))
        if not math.isfinite(mwh) or mwh <= 0:
            errors.append(InputError(code="green_power.not_a_volume", field="volumes", value=f"{period}:{mwh:.10g}"))
    serials = _serials(data, kind, errors)
    fields["serial_from"], fields["serial_to"] = (
        (_text(data, "serial_from"), _text(data, "serial_to")) if serials else (None, None)
    )
    fields["volume_mwh"] = None
    fields["production_from"] = fields["production_to"] = None
    fields["cancelled_on"] = None
    if kind == "certificate":
        fields.update(_certificate(data, volumes, errors, need))
    elif kind == "contract":
        if not fields["counterparty"]:
            errors.append(InputError(code="green_power.required", field="counterparty"))
    elif kind == "onsite":
        measurement = fields["measurement"]
        if measurement not in MEASUREMENTS:
            errors.append(InputError(code="green_power.unknown_measurement", field="measurement", value=measurement))
    readable = {p: v for p, v in volumes.items() if PERIOD.match(p) and math.isfinite(v) and v > 0}
    entry = Entry(
        code=code,
        kind=kind,
        facility=facility,
        fields=fields,
        volumes=readable,
        reason=_text(data, "reason") or None,
        withdrawn=withdrawn,
        serials=serials,
    )
    return entry, errors


def _serials(data: Mapping[str, Any], kind: str, errors: list[InputError]) -> tuple[int, int] | None:
    start, end = _text(data, "serial_from"), _text(data, "serial_to")
    if not start and not end:
        if kind == "certificate":
            errors.append(InputError(code="green_power.required", field="serial_from"))
        return None
    bad = False
    for name, value in (("serial_from", start), ("serial_to", end)):
        if not SERIAL.match(value):
            errors.append(InputError(code="green_power.not_a_serial", field=name, value=value))
            bad = True
    if bad:
        return None
    if len(start) != len(end) or int(start) > int(end):
        errors.append(InputError(code="green_power.serial_range", field="serial_to", value=f"{start}–{end}"))
        return None
    return int(start), int(end)


def _certificate(
    data: Mapping[str, Any], volumes: dict[str, float], errors: list[InputError], need: Any
) -> dict[str, Any]:
    out: dict[str, Any] = {"volume_mwh": _float(data, "volume_mwh", errors)}
    if out["volume_mwh"] is None and not _text(data, "volume_mwh"):
        errors.append(InputError(code="green_power.required", field="volume_mwh"))
    for name in ("production_from", "production_to"):
        value = need(name)
        if value and not PERIOD.match(value):
            errors.append(InputError(code="green_power.not_a_month", field=name, value=value))
        out[name] = value or None
    if out["production_from"] and out["production_to"] and out["production_from"] > out["production_to"]:
        errors.append(
            InputError(code="green_power.production_order", field="production_to", value=out["production_to"])
        )
    cancelled = need("cancelled_on")
    if cancelled:
        try:
            out["cancelled_on"] = dt.date.fromisoformat(cancelled)
        except ValueError:
            errors.append(InputError(code="green_power.not_a_date", field="cancelled_on", value=cancelled))
    total = sum(volumes.values())
    if out["volume_mwh"] is not None and volumes and abs(total - out["volume_mwh"]) > TOLERANCE_MWH:
        # A certificate counts once: the months it is claimed for share its volume exactly.
        errors.append(
            InputError(
                code="green_power.certificate_months_differ",
                field="volumes",
                total=f"{total:.10g}",
                volume=f"{out['volume_mwh']:.10g}",
            )
        )
    return out


# ---------------------------------------------------------------- against the store


def overlap(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int] | None:
    start, end = max(a[0], b[0]), min(a[1], b[1])
    return (start, end) if start <= end else None


def check_serials(entry: Entry, others: list[tuple[str, tuple[int, int], int, bool]]) -> list[InputError]:
    """``others``: (code, serial range, width, visible to the person) of every other counting instrument.
    The overlap is named; the other instrument only where the person may see it."""
    if entry.serials is None:
        return []
    width = len(str(entry.fields["serial_from"]))
    errors = []
    for code, serials, other_width, visible in others:
        if code == entry.code or other_width != width:
            continue
        common = overlap(entry.serials, serials)
        if common is None:
            continue
        shown = f"{str(common[0]).zfill(width)}–{str(common[1]).zfill(width)}"
        if visible:
            errors.append(
                InputError(code="green_power.serials_counted_by", field="serial_from", value=shown, other=code)
            )
        else:
            errors.append(InputError(code="green_power.serials_counted", field="serial_from", value=shown))
    return errors


def check_months(entry: Entry, months: pd.DataFrame, claimed: pd.DataFrame) -> list[InputError]:
    """Each month's volume against the facility's electricity of that month.

    ``months``: the facility's latest reported month (index period; grid, captive, on-site, exported,
    certificate and contract MWh of the form). ``claimed``: the other counting instruments' volumes
    of the facility (period, kind, mwh).
    Contracts and certificates are bounded by the grid electricity purchased, alone and together;
    on-site generation by the electricity used (grid + captive + on-site − exported)."""
    errors: list[InputError] = []
    grid_kinds = ("contract", "certificate")
    if entry.kind not in KINDS:
        return errors
    for period, mwh in sorted(entry.volumes.items()):
        if period not in months.index:
            errors.append(InputError(code="green_power.month_not_reported", field="volumes", value=period))
            continue
        row = months.loc[period]
        if entry.kind in grid_kinds:
            limit = float(row["grid_electricity_mwh"])
            others = 0.0
            for kind in grid_kinds:
                mine = claimed[(claimed["period"] == period) & (claimed["kind"] == kind)]["mwh"]
                if kind == entry.kind or not mine.empty:
                    others += float(mine.sum())
                else:  # no instrument of the other kind registered: the month's own form field counts
                    others += float(row.get(FORM_FIELD[kind], 0.0) or 0.0)
            basis = Message("green_power.basis.grid")
        else:
            limit = float(
                row["grid_electricity_mwh"]
                + row["captive_electricity_mwh"]
                + row["onsite_renewable_mwh"]
                - row["exported_electricity_mwh"]
            )
            others = claimed[(claimed["period"] == period) & (claimed["kind"] == "onsite")]["mwh"].sum()
            basis = Message("green_power.basis.used")
        if mwh > limit + TOLERANCE_MWH:
            errors.append(
                InputError(
                    code="green_power.volume_exceeds_electricity",
                    field="volumes",
                    value=f"{period}:{mwh:.10g}",
                    code_name=entry.code,
                    period=period,
                    limit=f"{limit:.10g}",
                    basis=basis,
                )
            )
        elif mwh + others > limit + TOLERANCE_MWH:
            errors.append(
                InputError(
                    code="green_power.month_over_claimed",
                    field="volumes",
                    value=f"{period}:{mwh:.10g}",
                    code_name=entry.code,
                    period=period,
                    others=f"{others:.10g}",
                    limit=f"{limit:.10g}",
                    basis=basis,
                )
            )
    return errors
