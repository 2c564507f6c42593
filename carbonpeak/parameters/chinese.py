"""The Chinese texts of a parameter family, and the check that every family shipped has them.

A zh-CN page shows a family's ``description_zh``, the Chinese names of its key fields (``key_names``) and
of the key values that are codes (``value_names``), each entry's ``note_zh``/``status_zh``/``value_zh``
and each source's ``zh`` block (its Chinese title, marked ``translated`` where the document has only an
English one). A text needs a Chinese version when it is written in English words; a text already in
Chinese (with symbols such as GB 21346-2022, CO2, kgce/t) does not.
"""

from __future__ import annotations

import re
from typing import Any

from carbonpeak.errors import ParameterFileError
from carbonpeak.parameters.schema import Entry, ParameterFile

__all__ = ["check", "edition", "entry_value", "key_name", "missing", "needs_zh", "note", "status", "value_name"]

# English words: a run of three lower-case letters, except the units Chinese texts write that way.
_WORD = re.compile(r"[A-Za-z]*[a-z]{3}[A-Za-z]*")
_UNITS = {"kgce", "tce", "gce", "kcal", "min", "cell", "day", "kgCO2", "tCO2"}


def needs_zh(text: str | None) -> bool:
    """True when ``text`` holds English words a Chinese reader would have to translate."""
    if not text:
        return False
    return any(word not in _UNITS for word in _WORD.findall(text))


def _keys_shown(file: ParameterFile) -> dict[str, set[str]]:
    return {k: {str(e.key[k]) for e in file.entries} for k in file.keys}


def missing(file: ParameterFile) -> list[str]:
    """What a zh-CN page of ``file`` would have to show in English or as a code (empty when complete)."""
    out: list[str] = []
    if not file.description_zh:
        out.append("description_zh")
    names = file.key_names or {}
    out += [f"key_names.{k}" for k in file.keys if not names.get(k)]
    values = file.value_names or {}
    for k, shown in _keys_shown(file).items():
        out += [f"value_names.{k}.{v}" for v in sorted(shown) if needs_zh(v) and v not in values.get(k, {})]
    editions = file.edition_names or {}
    out += [
        f"edition_names.{ed}"
        for ed in sorted({str(e.edition) for e in file.entries if _edition_needs_zh(e.edition)})
        if ed not in editions
    ]
    for index, e in enumerate(file.entries):
        if needs_zh(e.note) and not e.note_zh:
            out.append(f"entries[{index}].note_zh")
        if needs_zh(e.status) and not e.status_zh:
            out.append(f"entries[{index}].status_zh")
        if _value_needs_zh(e.value) and not e.value_zh:
            out.append(f"entries[{index}].value_zh")
    for sid, src in file.sources.items():
        if src.zh is None:
            out.append(f"sources.{sid}.zh")
            continue
        for part in ("issuer", "number", "clause", "published"):
            if needs_zh(getattr(src, part)) and not getattr(src.zh, part):
                out.append(f"sources.{sid}.zh.{part}")
    return out


def _edition_needs_zh(edition: str | None) -> bool:
    """An edition written as a code of letters (cn-2013, SAR) is named; a year or a standard's number is not."""
    if not edition:
        return False
    return re.search(r"[a-z]", edition) is not None or edition.isalpha()


def _value_needs_zh(value: Any) -> bool:
    if isinstance(value, str):
        return needs_zh(value)
    if isinstance(value, dict):  # a rule: shown by its Chinese title, its product row, or its bounds
        return not ({"title_zh", "product"} & set(value) or set(value) <= {"low", "high"})
    return False


def check(files: dict[str, ParameterFile]) -> None:
    """Refuse a set of families of which one lacks a Chinese text its page shows (coded error)."""
    gaps = {fid: miss for fid, file in sorted(files.items()) if (miss := missing(file))}
    if gaps:
        listed = "; ".join(
            f"{fid}: {', '.join(miss[:5])}" + (" …" if len(miss) > 5 else "") for fid, miss in gaps.items()
        )
        raise ParameterFileError(code="parameters.zh_missing", families=", ".join(gaps), missing=listed)


# ---- what a page shows, in the reader's language


def key_name(file: ParameterFile, key: str, lang: str) -> str:
    return (file.key_names or {}).get(key, key) if lang == "zh" else key


def value_name(file: ParameterFile, key: str, value: Any, lang: str) -> str:
    text = str(value)
    return (file.value_names or {}).get(key, {}).get(text, text) if lang == "zh" else text


def edition(file: ParameterFile, value: str | None, lang: str) -> str:
    if not value:
        return ""
    return (file.edition_names or {}).get(value, value) if lang == "zh" else value


def note(entry: Entry, lang: str) -> str | None:
    return entry.note_zh or entry.note if lang == "zh" else entry.note


def status(entry: Entry, lang: str) -> str | None:
    return entry.status_zh or entry.status if lang == "zh" else entry.status


def entry_value(entry: Entry, lang: str) -> str:
    """A text or rule value as a person reads it (numbers are formatted by the page)."""
    value = entry.value
    if lang == "zh" and entry.value_zh:
        return entry.value_zh
    if isinstance(value, dict):
        if lang == "zh" and "title_zh" in value:
            return str(value["title_zh"])
        if "title_en" in value:
            return str(value["title_en"])
        if "product" in value:
            return " · ".join(str(value[k]) for k in ("standard", "product", "indicator") if value.get(k))
        if set(value) <= {"low", "high"}:
            words = {"low": ("下限", "low"), "high": ("上限", "high")}
            return "，".join(
                f"{words[k][0 if lang == 'zh' else 1]} {value[k]:,}" for k in ("low", "high") if k in value
            )
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)
