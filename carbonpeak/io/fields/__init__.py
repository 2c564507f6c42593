"""Field tables: each form is described once (field, type, unit, bounds, zh/en labels).

Import validation, templates, the API schema and the docs are generated from these tables.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

from carbonpeak import messages


@dataclass(frozen=True)
class FieldSpec:
    name: str
    group: str
    dtype: str  # str, float, sector, region, period
    unit: str  # canonical unit ("" for none)
    required: bool
    minimum: float | None
    maximum: float | None
    label_zh: str
    label_en: str
    description: str
    section: str = ""  # the part of the month form the field is shown in (production, electricity, fuel ...)


@cache
def field_table(form: str) -> dict[str, FieldSpec]:
    """The fields of a form, e.g. ``field_table("activity")``, keyed by name in file order."""
    text = resources.files("carbonpeak.io.fields").joinpath(f"{form}.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(text.splitlines())
    return {
        row["field"]: FieldSpec(
            name=row["field"],
            group=row["group"],
            dtype=row["dtype"],
            unit=row["unit"],
            required=row["required"] == "yes",
            minimum=float(row["min"]) if row["min"] else None,
            maximum=float(row["max"]) if row["max"] else None,
            label_zh=row["label_zh"],
            label_en=row["label_en"],
            description=row["description"],
            section=row.get("section") or "",
        )
        for row in rows
    }


def numeric_fields(form: str) -> list[str]:
    return [f.name for f in field_table(form).values() if f.dtype == "float"]


def fields_markdown(form: str) -> str:
    """The field table as Markdown, the form docs/input-format.md embeds."""
    lines = [
        "| field | type | unit | required | min | max | 中文 | English | description |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for f in field_table(form).values():
        bounds = ["" if b is None else f"{b:g}" for b in (f.minimum, f.maximum)]
        lines.append(
            f"| `{f.name}` | {f.dtype} | {f.unit} | {'yes' if f.required else ''} | {bounds[0]} | {bounds[1]} "
            f"| {f.label_zh} | {f.label_en} | {f.description} |"
        )
    return "\n".join(lines) + "\n"


def _label(name: str, lang: str) -> str | None:
    """A field's label for error messages (registered with the message catalog)."""
    spec = field_table("activity").get(name)
    if spec is None:
        return None
    return spec.label_zh if lang == "zh" else spec.label_en


messages.register_labels(_label)
