"""The message catalog is complete, and numbers and dates follow the locale."""

from __future__ import annotations

import datetime as dt

from carbonpeak.errors import InputError
from carbonpeak.web import i18n


def test_every_message_of_templates_and_modules_has_a_chinese_translation() -> None:
    catalog = i18n.read_catalog()
    missing = []
    for ident, places in i18n.extract():
        message = catalog.get(ident)
        strings = (
            [] if message is None else (message.string if isinstance(message.string, tuple) else (message.string,))
        )
        if message is None or not all(strings):
            missing.append(f"{ident!r} ({places[0]})")
    assert not missing, "untranslated (python -m carbonpeak.web.i18n update, then fill in): " + "; ".join(missing)


def test_placeholders_survive_translation() -> None:
    catalog = i18n.read_catalog()
    import re

    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(re.findall(r"%\(\w+\)[sd]|\{\w+\}", ids[0]))
        for text in strings:
            assert set(re.findall(r"%\(\w+\)[sd]|\{\w+\}", text)) == wanted, message.id


def test_numbers_dates_and_months_in_each_locale() -> None:
    i18n.set_lang("zh")
    assert i18n.num(20603737.4) == "20,603,737"
    assert i18n.num(9.0837) == "9.08" and i18n.num(59.0) == "59" and i18n.num(None) == "—"
    assert i18n.date(dt.date(2025, 12, 31)) == "2025年12月31日"
    assert i18n.period("2024-03") == "2024年3月"
    assert i18n.pct(54.96) == "55.0%" or i18n.pct(54.96).startswith("55.0")
    i18n.set_lang("en")
    assert i18n.date(dt.date(2025, 12, 31)) == "Dec 31, 2025"
    assert i18n.period("2024-03") == "Mar 2024"
    assert i18n.gettext("Overview") == "Overview"
    i18n.set_lang("zh")
    assert i18n.gettext("Overview") == "总览"


def test_domain_errors_are_shown_in_chinese_with_their_place() -> None:
    i18n.set_lang("zh")
    shown = i18n.input_error(
        InputError("not a number", file="x.xlsx", record="sheet activity, row 7", field="output_t", value="lots")
    )
    assert shown["message"] == "不是数字" and shown["row"] == 7
    assert shown["record"] == "工作表 activity，第 7 行" and shown["field_label"].startswith("产品产量")
    step = i18n.detail("version 2 is draft; only a submitted version can become verified")
    assert step == "第 2 版为“草稿”；只有“已报送”的版本才能变为“已核查”"
    i18n.set_lang("en")
    assert i18n.detail("not a number") == "not a number"
    i18n.set_lang("zh")
