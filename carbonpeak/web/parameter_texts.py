"""A parameter family's texts in the reader's language, for the parameter pages and the provenance page:
the Chinese names, notes and citations the family files carry (carbonpeak.parameters.chinese), and the
units as the pages write them. Exposed to templates as ``ptext``."""

from __future__ import annotations

from typing import Any

from carbonpeak.parameters import chinese
from carbonpeak.parameters.schema import Entry, ParameterFile, Source
from carbonpeak.web.i18n import current_lang

# Units of parameter entries a zh page writes otherwise (codes and rules have none).
_UNITS_ZH = {
    "percent": "%",
    "dimensionless": "",
    "code": "",
    "rule": "",
    "date": "",
    "text": "",
    "kg_gas/t": "kg/t",
    "tCO2e/t_gas": "tCO2e/t",
    "GJ/wan_Nm3": "GJ/万Nm3",
    "yuan/kWh": "元/kWh",
    "Mt/a": "百万吨/年",
    "count": "个",
    "minute": "分钟",
    "hour": "小时",
    "day": "天",
}


def lang() -> str:
    return current_lang()


def title(file: ParameterFile) -> str:
    return file.title.get(lang(), file.id)


def description(file: ParameterFile) -> str:
    return (file.description_zh or file.description) if lang() == "zh" else file.description


def key_name(file: ParameterFile, key: str) -> str:
    return chinese.key_name(file, key, lang())


def value_name(file: ParameterFile, key: str, value: Any) -> str:
    return chinese.value_name(file, key, value, lang())


def key_text(file: ParameterFile, key: dict[str, Any]) -> str:
    """An entry's key as one line: ``产品：电解铝 · 水平：标杆水平``."""
    sep = "：" if lang() == "zh" else ": "
    return " · ".join(f"{key_name(file, k)}{sep}{value_name(file, k, v)}" for k, v in key.items())


def edition(file: ParameterFile, value: str | None) -> str:
    return chinese.edition(file, value, lang())


def note(entry: Entry) -> str | None:
    return chinese.note(entry, lang())


def status(entry: Entry) -> str | None:
    return chinese.status(entry, lang())


def value(entry: Entry) -> str:
    return chinese.entry_value(entry, lang())


def unit(text: str | None) -> str:
    if not text:
        return ""
    return _UNITS_ZH.get(text, text) if lang() == "zh" else text


def source(src: Source) -> str:
    """The citation: document, number, clause, issuer, date; in zh the Chinese title (marked 译名 where
    it is our rendering of a title that exists only in English)."""
    if lang() == "zh" and src.zh is not None:
        zh = src.zh
        document = zh.document + ("（译名）" if zh.status == "translated" else "")
        number = zh.number or (src.number if src.number and not chinese.needs_zh(src.number) else None)
        number = number if number and number not in zh.document else None
        parts = [document, number, zh.clause, zh.issuer, zh.published or src.published]
        return " · ".join(p for p in parts if p)
    parts = [
        src.document,
        src.number if src.number and src.number not in src.document else None,
        src.clause,
        src.issuer,
        src.published,
    ]
    return " · ".join(p for p in parts if p)


def _family(parameter: str) -> ParameterFile | None:
    from carbonpeak.parameters import load

    return load().files.get(parameter)


def cited_label(parameter: str, key: dict[str, Any], edition_: str | None = None) -> str:
    """A cited value named as a person reads it: the family's title and the key's names, with the edition
    (``电力二氧化碳排放因子（地区：全国 · 因子类型：电力平均排放因子）``); the code in English."""
    file = _family(parameter)
    if file is None or lang() != "zh":
        keys = ", ".join(f"{k}={v}" for k, v in key.items())
        return f"{parameter}[{keys}]" + (f" ({edition_})" if edition_ else "")
    text = title(file) + (f"（{key_text(file, key)}）" if key else "")
    return text + (f" · {edition(file, edition_)}" if edition_ else "")


def cited_source(parameter: str, src: Source | dict[str, Any]) -> str:
    """The citation of a cited value (a Source, or a stored snapshot's source without its zh block: the
    family's source of the same document gives it)."""
    if isinstance(src, dict):
        file = _family(parameter)
        found = next((s for s in (file.sources.values() if file else []) if s.document == src.get("document")), None)
        if found is not None:
            return source(found)
        return " · ".join(str(src[k]) for k in ("document", "clause") if src.get(k))
    return source(src)


def key_text_of(parameter: str, key: dict[str, Any]) -> str:
    file = _family(parameter)
    if file is None:
        return " ".join(f"{k}={v}" for k, v in key.items())
    return key_text(file, key)


def rule_value(parameter: str, value: dict[str, Any]) -> str:
    """A rule value (a mapping) as its family's entry of the same value reads (its value_zh in zh)."""
    file = _family(parameter)
    entry = next((e for e in (file.entries if file else []) if e.value == value), None)
    if entry is not None:
        return chinese.entry_value(entry, lang())
    return ", ".join(f"{k}: {v}" for k, v in value.items())


def option(key: str, value: Any) -> str:
    """An accounting option and its value (carbonpeak.accounting.texts_zh) as ``电网区域：按排放因子规则``."""
    if lang() != "zh":
        return f"{key} = {value}"
    from carbonpeak.accounting import texts_zh

    return f"{texts_zh.OPTIONS.get(key, key)}：{texts_zh.OPTION_VALUES.get(str(value), value)}"


def cited_value(parameter: str, key: dict[str, Any], value: Any) -> str:
    """A cited text value (a code such as SAR) as its family's entry of the same key and value reads."""
    file = _family(parameter)
    wanted = {k: str(v) for k, v in key.items()}
    for entry in file.entries if file else []:
        if entry.value == value and {k: str(v) for k, v in entry.key.items()} == wanted:
            return chinese.entry_value(entry, lang())
    return str(value)
