"""What the pages show of the plausibility gate: a version's stored warnings in the reader's language, and
the coded fields of the month form as choices (labels zh/en from :mod:`carbonpeak.io.choices`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from carbonpeak import messages
from carbonpeak.io import choices
from carbonpeak.plausibility import shown_params
from carbonpeak.web.i18n import current_lang, field_label


def flag_rows(flags: Sequence[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    """Each stored flag as a page shows it: severity, the field's label and the rule's text."""
    lang = current_lang()
    rows = []
    for flag in flags or []:
        code = str(flag.get("code", ""))
        text = messages.render(code, lang, shown_params(flag.get("params") or {})) if messages.known(code) else code
        rows.append(
            {
                "rule": flag.get("rule"),
                "severity": messages.render(f"plausibility.severity.{flag.get('severity', 'warning')}", lang),
                "field": flag.get("field"),
                "field_label": field_label(str(flag.get("field") or "")),
                "message": text,
            }
        )
    return rows


def is_coded(name: str) -> bool:
    return name in choices.CODED_FIELDS


def options(name: str, sector: str, current: Any = None) -> list[tuple[str, str]]:
    """(code, label) of the choices of a coded field for the sector; a stored value outside them is kept
    as the last option, so the form shows what the record holds (saving it again is refused, with the list)."""
    lang = current_lang()
    # Chinese pages name each choice in Chinese only (the code is the option's value, as in the Excel template)
    found = [
        (code, zh if lang == "zh" else f"{code} · {en}") for code, (zh, en) in choices.choices(name, sector).items()
    ]
    value = str(current).strip() if current not in (None, "") else ""
    if value and value not in {code for code, _label in found}:
        found.append((value, value))
    return found
