"""What a warning says, in the reader's language: rendered from the message catalog by code and parameters.

A warning keeps its code (``warning.text.<kind>``) and its parameters in ``details`` (numbers in canonical
units, field ids, ISO dates); a page, the API, the CLI and an export render it here, so a Chinese page shows
Chinese field names and dates and an English one English, whatever language the warning was raised in.
The texts stored with a warning (``message_zh``/``message_en``, rendered once when raised) are only a
fallback for warnings raised before they had a code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from carbonpeak import messages
from carbonpeak.io.template import column_for
from carbonpeak.messages import Message

PREFIX = "warning.text."


def coded(kind: str, **params: Any) -> tuple[dict[str, Any], str, str]:
    """The ``details`` entries of a warning of ``kind`` (its code and parameters) and its texts in zh and en."""
    code = PREFIX + kind
    plain = {k: _plain(v) for k, v in params.items()}
    return {"code": code, "params": plain}, render(code, plain, "zh"), render(code, plain, "en")


def text(details: Mapping[str, Any] | None, lang: str, fallback: str, names: Mapping[str, str] | None = None) -> str:
    """A stored warning's text in ``lang`` from its code and parameters; ``fallback`` (the stored text) for a
    warning without a code the catalog knows. ``names``: facility code -> the name to show instead."""
    code = (details or {}).get("code")
    params = (details or {}).get("params")
    if not isinstance(code, str) or not messages.known(code) or not isinstance(params, dict):
        return fallback
    return render(code, params, lang, names)


def render(code: str, params: Mapping[str, Any], lang: str, names: Mapping[str, str] | None = None) -> str:
    return messages.render(code, lang, {k: _shown(k, v, lang, names or {}) for k, v in params.items()})


def field_name(field: str, lang: str) -> str:
    """A record field's label (``electrolysis_ac_mwh`` -> 电解交流电耗), else the field itself."""
    column = column_for(field)
    if column is None:
        return messages.field_label(field, lang)
    return column.label_zh if lang == "zh" else column.label_en


def _shown(key: str, value: Any, lang: str, names: Mapping[str, str]) -> Any:
    """A parameter as the reader sees it: the parameter's name says what it is."""
    if key == "facility":
        return names.get(str(value), str(value))
    if key == "fields":
        return [field_name(str(f), lang) for f in value]
    if key == "column":
        return Message(f"warning.column.{value}")
    if key == "status":
        return Message(f"warning.target_status.{value}")
    if key in ("due", "deadline") and isinstance(value, str):
        return _date(value, lang)
    if key == "period" and isinstance(value, str) and len(value) == 7 and lang == "zh":
        return f"{value[:4]}年{int(value[5:7])}月"
    if isinstance(value, dict) and set(value) == {"zh", "en"}:  # words that came in both languages
        return value[lang]
    if isinstance(value, float):
        return _number(value)
    return value


def _number(value: float) -> str:
    if value != value:  # NaN
        return "—"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _date(text: str, lang: str) -> str:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return text
    return f"{day.year}年{day.month}月{day.day}日" if lang == "zh" else day.isoformat()


def _plain(value: Any) -> Any:
    """A parameter as JSON keeps it (NumPy scalars as numbers, dates as ISO text)."""
    if hasattr(value, "item") and not isinstance(value, list | dict | str):
        value = value.item()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value
