"""The message catalog: every text a person reads about an error, by stable code, in zh-CN and en.

Each part of the platform keeps its messages in its own file here (``intake.yaml``, ``registry.yaml``,
...), one entry per code::

    intake.facility_not_yours:
      zh: 不是您可以填报的设施
      en: not a facility you may report for

Texts take ``{name}`` placeholders filled from the error's parameters; both languages must use the
same ones (a test checks). Errors carry the code and the parameters (:mod:`carbonpeak.errors`); pages,
the API, the CLI and annotated workbooks render them here, so nothing is translated back from English.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from functools import cache
from importlib import resources
from typing import Any

import yaml

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

# Field labels come from the field tables (carbonpeak.io.fields, the registry's tables); each registers
# a lookup here when it is loaded, so that this module depends on nothing above it.
_label_providers: list[Callable[[str, str], str | None]] = []


def register_labels(provider: Callable[[str, str], str | None]) -> None:
    """Add a lookup ``(field name, lang) -> label or None``."""
    if provider not in _label_providers:
        _label_providers.append(provider)


def field_label(name: str, lang: str) -> str:
    for provider in _label_providers:
        label = provider(name, lang)
        if label:
            return label
    if known(f"field.{name}"):  # the labels of the catalog (``field.<name>``)
        return render(f"field.{name}", lang)
    return name


@cache
def catalog() -> dict[str, dict[str, str]]:
    """Every code with its texts, merged from the catalog files; a code defined twice is refused."""
    merged: dict[str, dict[str, str]] = {}
    origin: dict[str, str] = {}
    for entry in sorted(resources.files(__name__).iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        data = yaml.safe_load(entry.read_text(encoding="utf-8")) or {}
        for code, texts in data.items():
            if code in merged:
                raise ValueError(f"message code {code} is defined in {origin[code]} and {entry.name}")
            merged[code], origin[code] = {lang: str(texts[lang]) for lang in LANGS}, entry.name
    return merged


def known(code: str) -> bool:
    return code in catalog()


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


class _Params(dict[str, Any]):
    def __missing__(self, key: str) -> str:  # a missing parameter shows as its name, never a KeyError
        return "{" + key + "}"


def render(code: str, lang: str = DEFAULT_LANG, params: Mapping[str, Any] | None = None) -> str:
    """The text of ``code`` in ``lang`` (zh or en) with its parameters filled in."""
    texts = catalog().get(code)
    if texts is None:
        raise KeyError(f"no message with code {code}")
    template = texts.get(lang) or texts["en"]
    values = _Params({k: _shown(v, lang) for k, v in (params or {}).items()})
    return template.format_map(values)


def _shown(value: Any, lang: str) -> str:
    """A parameter as a person reads it: a message code inside a message is rendered in turn."""
    if isinstance(value, Message):
        return value.text(lang)
    if isinstance(value, CodedText):
        return value.text(lang)
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple | set | frozenset):
        sep = "、" if lang == "zh" else ", "
        return sep.join(_shown(v, lang) for v in value)
    return str(value)


class Message:
    """A code with parameters, rendered later in the reader's language (a nested message parameter)."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code, self.params = code, params

    def text(self, lang: str = DEFAULT_LANG) -> str:
        return render(self.code, lang, self.params)

    def __str__(self) -> str:
        return self.text("en")

    def __repr__(self) -> str:
        return f"Message({self.code!r}, {self.params!r})"


class Bilingual(Message):
    """Words that come with both languages from data (a statistic's name), used as a message parameter."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__("", zh=zh, en=en)

    def text(self, lang: str = DEFAULT_LANG) -> str:
        return str(self.params["zh"] if lang == "zh" else self.params["en"])

    def __repr__(self) -> str:
        return f"Bilingual({self.params['zh']!r}, {self.params['en']!r})"


class CodedText(str):
    """An English text that keeps its message, for texts kept and passed on as strings (an indicator's note,
    a target's reason): code that treats it as a string sees the English, a page renders ``.text(lang)``."""

    message: Message

    def __new__(cls, message: Message) -> CodedText:
        made = super().__new__(cls, message.text("en"))
        made.message = message
        return made

    def text(self, lang: str = DEFAULT_LANG) -> str:
        return self.message.text(lang)


def text_in(value: object, lang: str) -> str | None:
    """A coded text in ``lang``; None for a text without a code."""
    if isinstance(value, CodedText):
        return value.text(lang)
    if isinstance(value, Message):
        return value.text(lang)
    return None
