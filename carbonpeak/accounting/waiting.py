"""Why a record waits for a parameter value, and the provisional figure it would have with an earlier one.

A calculation stops with :class:`~carbonpeak.errors.ParameterNotFound` when a value it needs is not in
force (next year's grid factor, not yet published). The store keeps the month and records *why* it waits
(:func:`waiting_reason`): the parameter's title, the period of the missing value, who publishes it and
when it is expected, all from the parameter file (``publisher``, ``expected``), or "not stated" where the
file does not say. Nothing is invented.

:func:`provisional` computes the record with the latest *earlier* published value in the missing one's
place (the 2023 grid factor for a month that needs 2024's) and says which value it used. That figure is
for reading only: the store never keeps it as a result and no total adds it.

The reason is kept as JSON (``SubmissionVersion.waiting``): ``{"code", "params", "missing"}`` where a
parameter is a text in both languages (``{"zh", "en"}``) or a nested coded message (``{"code", "params"}``);
:func:`message_of` turns it back into a message rendered in the reader's language.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from carbonpeak import messages
from carbonpeak.accounting.emissions.records import AccountingResult, ActivityBatch
from carbonpeak.accounting.emissions.run import account
from carbonpeak.errors import ParameterNotFound
from carbonpeak.messages import Bilingual, Message
from carbonpeak.parameters import ParameterSet, period_start
from carbonpeak.parameters.schema import Entry
from carbonpeak.vocabulary import FUELS, REGIONS

__all__ = ["Missing", "Substitute", "message_of", "missing_of", "parameter_label", "provisional", "waiting_reason"]

YEAR_KEY = "data_year"  # a family keyed by the year its data describe (the MEE/NBS grid factors)


@dataclass(frozen=True)
class Missing:
    """The value a calculation stopped on: family, key, the day asked for and the edition."""

    family: str
    key: dict[str, Any]
    day: str | None = None
    edition: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"family": self.family, "key": self.key, "day": self.day, "edition": self.edition}


def missing_of(exc: ParameterNotFound) -> Missing | None:
    """What an error of the parameter loader says is missing (None for an error that does not name it)."""
    family = exc.params.get("family")
    if not isinstance(family, str):
        return None
    key = {str(k): v for k, v in dict(exc.params.get("key") or {}).items()}
    return Missing(family, key, exc.params.get("day"), exc.params.get("edition"))


def _coded(code: str, **params: Any) -> dict[str, Any]:
    return {"code": code, "params": params}


def _both(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


def _key_words(key: dict[str, Any]) -> list[dict[str, str]]:
    """The key's values a person reads (全国, 基于位置), without the year (shown as the period)."""
    words = []
    for name, value in key.items():
        if name == YEAR_KEY:
            continue
        text = str(value)
        if name == "region" and text in REGIONS:
            words.append(_both(REGIONS[text].zh, REGIONS[text].en))
        elif name == "fuel" and text in FUELS:
            words.append(_both(FUELS[text].zh, FUELS[text].en))
        elif messages.known(f"recompute.basis.{text}"):
            words.append(
                _both(
                    messages.render(f"recompute.basis.{text}", "zh"), messages.render(f"recompute.basis.{text}", "en")
                )
            )
        else:
            words.append(_both(text, text))
    return words


def parameter_label(params: ParameterSet, missing: Missing) -> dict[str, str]:
    """The parameter's title with the key's words: 电力二氧化碳排放因子（全国，基于位置）."""
    file = params.files.get(missing.family)
    title = file.title if file is not None else _both(missing.family, missing.family)
    words = _key_words(missing.key)
    if not words:
        return _both(title["zh"], title["en"])
    return _both(
        f"{title['zh']}（{'，'.join(w['zh'] for w in words)}）", f"{title['en']} ({', '.join(w['en'] for w in words)})"
    )


def _period(missing: Missing, year: str) -> dict[str, Any]:
    """The period of the missing value: the data year where the family is keyed by one, else the year."""
    if YEAR_KEY in missing.key:
        return _coded("recompute.period.data_year", year=str(missing.key[YEAR_KEY]))
    if missing.day:
        return _coded("recompute.period.year", year=missing.day[:4])
    return _coded("recompute.period.year", year=year)


def waiting_reason(params: ParameterSet, exc: ParameterNotFound, year: str) -> dict[str, Any]:
    """Why a record of ``year`` has no result: the JSON kept on its version (``SubmissionVersion.waiting``)."""
    missing = missing_of(exc)
    if missing is None:
        title = exc.params.get("title")
        label = _both(title.text("zh"), title.text("en")) if isinstance(title, Message) else None
        if label is None:
            return {"code": "recompute.waiting_unnamed", "params": {"year": year}, "missing": None}
        return {"code": "recompute.waiting_unplaced", "params": {"parameter": label, "year": year}, "missing": None}
    file = params.files.get(missing.family)
    publisher = file.publisher if file is not None else None
    expected = file.expected if file is not None else None
    return {
        "code": "recompute.waiting",
        "params": {
            "parameter": parameter_label(params, missing),
            "period": _period(missing, year),
            "publisher": dict(publisher) if publisher else _coded("recompute.publisher_unknown"),
            "expected": dict(expected) if expected else _coded("recompute.expected_unknown"),
        },
        "missing": missing.as_dict(),
    }


def message_of(data: Any) -> Any:
    """A kept coded message (``{"code", "params"}``, texts as ``{"zh", "en"}``) as a Message to render."""
    if isinstance(data, dict):
        if set(data) == {"zh", "en"}:
            return Bilingual(str(data["zh"]), str(data["en"]))
        if isinstance(data.get("code"), str) and messages.known(data["code"]):
            return Message(data["code"], **{k: message_of(v) for k, v in (data.get("params") or {}).items()})
    return data


# ---------------------------------------------------------------- the provisional figure


@dataclass(frozen=True)
class Substitute:
    """An earlier published value used in place of a missing one, with its citation."""

    missing: Missing
    label: dict[str, str]  # the parameter, in both languages
    period: dict[str, Any]  # the missing value's period (coded)
    used_period: dict[str, Any]  # the period of the value used (coded)
    value: Any
    unit: str
    document: str
    issuer: str | None
    number: str | None


def _same_key(entry: Entry, key: dict[str, Any], skip: str | None = None) -> bool:
    return all(str(entry.key.get(name)) == str(value) for name, value in key.items() if name != skip)


def _replacement(params: ParameterSet, missing: Missing) -> tuple[Entry, Entry] | None:
    """(the earlier entry used, the entry standing in for the missing value), or None without an earlier one."""
    file = params.files.get(missing.family)
    if file is None:
        return None
    day = period_start(missing.day) if missing.day else None
    same = [e for e in file.entries if _same_key(e, missing.key) and e.edition == missing.edition]
    empty = next((e for e in same if e.value is None and (day is None or _covers(e, day))), None)
    if YEAR_KEY in missing.key:
        year = int(missing.key[YEAR_KEY])
        earlier = [
            e
            for e in file.entries
            if e.value is not None
            and _same_key(e, missing.key, skip=YEAR_KEY)
            and e.edition == missing.edition
            and int(e.key[YEAR_KEY]) < year
        ]
        if not earlier:
            return None
        used = max(earlier, key=lambda e: int(e.key[YEAR_KEY]))
        slot = empty or used.model_copy(update={"key": {**used.key, YEAR_KEY: year}})
    else:
        if day is None:
            return None
        earlier = [e for e in same if e.value is not None and e.valid_from is not None and e.valid_from <= day]
        earlier = [e for e in earlier if e.valid_to is None or e.valid_to < day]
        if not earlier:
            return None
        used = max(earlier, key=lambda e: e.valid_from or dt.date.min)
        later = [e.valid_from for e in same if e.valid_from is not None and e.valid_from > day]
        gap_to = min(later) - dt.timedelta(days=1) if later else None
        assert used.valid_to is not None  # it ended before the day asked for
        slot = empty or used.model_copy(update={"valid_from": used.valid_to + dt.timedelta(days=1), "valid_to": gap_to})
    stand_in = slot.model_copy(
        update={"value": used.value, "unit": used.unit, "confidence": used.confidence, "status": None}
    )
    return used, stand_in


def _covers(entry: Entry, day: dt.date) -> bool:
    return (entry.valid_from is None or entry.valid_from <= day) and (entry.valid_to is None or day <= entry.valid_to)


def _used_period(used: Entry) -> dict[str, Any]:
    if YEAR_KEY in used.key:
        return _coded("recompute.period.data_year", year=str(used.key[YEAR_KEY]))
    return _coded(
        "recompute.period.range",
        start=used.valid_from.isoformat() if used.valid_from else "…",
        end=used.valid_to.isoformat() if used.valid_to else "…",
    )


def _substituted(params: ParameterSet, exc: ParameterNotFound, year: str) -> tuple[ParameterSet, Substitute] | None:
    missing = missing_of(exc)
    if missing is None:
        return None
    found = _replacement(params, missing)
    if found is None:
        return None
    used, stand_in = found
    source = params.files[missing.family].sources[used.source]
    source_id = f"provisional_{used.source}"
    merged = params.with_entries([(missing.family, stand_in, source_id, source)])
    substitute = Substitute(
        missing=missing,
        label=parameter_label(params, missing),
        period=_period(missing, year),
        used_period=_used_period(used),
        value=used.value,
        unit=used.unit,
        document=source.document,
        issuer=source.issuer,
        number=source.number,
    )
    return merged, substitute


def provisional(
    batch: ActivityBatch, params: ParameterSet, *, limit: int = 5
) -> tuple[AccountingResult, list[Substitute]] | None:
    """The batch accounted with the latest earlier value in place of each missing one (at most ``limit``
    of them), and which values stood in; None when a missing value has no earlier one.

    Never stored: a provisional figure is read beside the month, not counted."""
    year = str(batch.records["period"].iloc[0])[:4] if len(batch.records) else ""
    used: list[Substitute] = []
    current = params
    for _attempt in range(limit + 1):
        try:
            return account(batch, current), used
        except ParameterNotFound as exc:
            if len(used) >= limit:
                return None
            found = _substituted(current, exc, year)
            if found is None:
                return None
            current, substitute = found
            used.append(substitute)
    return None
