"""The scrap intake ledger's field tables and words (``io/fields/scrap_lots.csv``, ``scrap_outputs.csv``,
``io/scrap_vocabulary.yaml``).

Two tables make a casthouse's month: the lots of scrap charged (lot, supplier, source category, grade,
pre-/post-consumer status, origin, product, mass and metal yield) and the products made with the other figures
of the metal balance. Each table is described once; the template, the reader, the form, the API and the docs
are generated from it. The words (source categories, consumer statuses, origins, grade schemes, the configured
GB/T 38472-2023 grades, products) are configuration with their sources in the YAML file.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from carbonpeak import messages
from carbonpeak.io.fields import FieldSpec, field_table

# kind -> field table
KINDS: dict[str, str] = {"lots": "scrap_lots", "outputs": "scrap_outputs"}
SHEETS: dict[str, dict[str, str]] = {
    "lots": {"zh": "废料进料", "en": "scrap lots"},
    "outputs": {"zh": "产品产出", "en": "outputs"},
}
# a field's dtype -> the vocabulary list its values come from
CHOICE_TYPES = {
    "source_category": "source_categories",
    "consumer_status": "consumer_statuses",
    "origin": "origins",
    "grade_scheme": "grade_schemes",
    "product": "products",
}


@dataclass(frozen=True)
class Word:
    code: str
    zh: str
    en: str
    metal: str | None = None  # a product's metal (aluminium, copper)

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@cache
def _data() -> dict[str, Any]:
    text = resources.files("carbonpeak.io").joinpath("scrap_vocabulary.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def words(kind: str) -> dict[str, Word]:
    """The words of one list (``source_categories``, ``consumer_statuses``, ``origins``, ``grade_schemes``,
    ``products``), by code in file order."""
    values = _data()[kind]["values"] or {}
    return {code: Word(code, v["zh"], v["en"], v.get("metal")) for code, v in values.items()}


def gbt38472_grades() -> dict[str, Word]:
    """The GB/T 38472-2023 grades a province configured (none shipped: the standard's list was not read)."""
    values = _data().get("gbt38472_2023_grades") or {}
    return {code: Word(code, v["zh"], v["en"]) for code, v in values.items()}


def source_of(kind: str, lang: str = "zh") -> str:
    entry = _data()[kind]
    return str(entry.get("source_zh" if lang == "zh" else "source") or "")


def fields(kind: str) -> dict[str, FieldSpec]:
    return field_table(KINDS[kind])


def code_of(kind: str, text: Any) -> str | None:
    """The code of a word given as its code or its label in either language (case and spaces ignored)."""
    wanted = str(text).strip().casefold()
    for word in words(kind).values():
        if wanted in (word.code.casefold(), word.zh.casefold(), word.en.casefold()):
            return word.code
    return None


def _label(name: str, lang: str) -> str | None:
    for kind in KINDS:
        spec = fields(kind).get(name)
        if spec is not None:
            return spec.label_zh if lang == "zh" else spec.label_en
    return None


messages.register_labels(_label)
