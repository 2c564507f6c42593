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


def test_no_message_is_translated_two_ways_by_the_part_catalogs() -> None:
    """The part catalogs are merged with the first translation winning (i18n.read_catalog): a second one for the
    same message would be silently ignored, and the page it was written for would show the other."""
    from babel.messages.pofile import read_po

    first: dict[str, tuple[str, str]] = {}
    twice = []
    for path in i18n.catalog_paths():
        with path.open("rb") as handle:
            for message in read_po(handle, locale="zh_CN"):
                if not message.id or not message.string:
                    continue
                key = message.id if isinstance(message.id, str) else message.id[0]
                text = message.string if isinstance(message.string, str) else message.string[0]
                if key in first and first[key][1] != text:
                    twice.append(f"{key!r}: {first[key][0]} {first[key][1]!r}, {path.name} {text!r}")
                first.setdefault(key, (path.name, text))
    assert not twice, "; ".join(twice)


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
    from carbonpeak.messages import Message
    from carbonpeak.store.repository import _statuses

    refused = InputError(Message("submission.step_refused", version=2, **_statuses("draft", "submitted", "verified")))
    assert str(refused) == "version 2 is draft; only a submitted version can become verified"
    step = i18n.detail(refused)  # coded: rendered from the message catalog, not translated back from English
    assert step == "第 2 版为“草稿”；只有“已报送”的版本才能变为“已核查”"
    i18n.set_lang("en")
    assert i18n.detail("not a number") == "not a number"
    i18n.set_lang("zh")


# Domain modules whose input errors reach a page (uploads, the month form, workflow, warnings, parameters).
WEB_REACHABLE = (
    "carbonpeak/io/activity.py",
    "carbonpeak/io/workbook.py",
    "carbonpeak/io/template.py",
    "carbonpeak/store/service.py",
    "carbonpeak/store/repository.py",
    "carbonpeak/store/parameters.py",
    "carbonpeak/indicators/warnings.py",
    "carbonpeak/services/warnings.py",
)


def _error_messages(path: str) -> list[tuple[str, int, str | None]]:
    """(message, line, f-string text or None) of every InputError/ValidationFailed raised in a module."""
    import ast
    from pathlib import Path

    tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        name = getattr(node, "func", None)
        called = getattr(name, "id", getattr(name, "attr", ""))
        if isinstance(node, ast.Call) and called in ("InputError", "UnitError") and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append((first.value, node.lineno, None))
            elif isinstance(first, ast.JoinedStr):
                found.append(("", node.lineno, ast.unparse(first)))
    return found


def test_input_errors_that_reach_a_page_are_in_the_catalog() -> None:
    """Every fixed message of those modules has its Chinese; each message built with values is matched by a
    pattern (checked with an example of each below), so no error shows in English on a Chinese page."""
    catalog = i18n.read_catalog()
    missing = []
    for path in WEB_REACHABLE:
        for message, line, _formatted in _error_messages(path):
            if message and not (message in catalog and catalog[message].string):
                missing.append(f"{path}:{line} {message!r}")
    assert not missing, "add to DOMAIN_MESSAGES in carbonpeak/web/i18n.py and translate: " + "; ".join(missing)


def test_parse_errors_with_values_are_rendered_by_code() -> None:
    """The intake's messages with a value inside (a line, a count) come from the message catalog by code;
    nothing is translated back from English by pattern."""
    i18n.set_lang("zh")
    examples = {
        InputError(code="intake.csv_malformed", file="a.csv", row=3): "CSV 格式有误",
        InputError(code="intake.invalid_json", file="a.json", row=3, line=3, column=7): "第 3 行第 7 列",
        InputError(code="error.more_problems", file="a.xlsx", count=12): "另有 12 处问题",
        InputError("unknown fuel"): "未知燃料",
    }
    for error, part in examples.items():
        shown = i18n.detail(error)
        assert part in shown, (error, shown)
    i18n.set_lang("en")
    assert i18n.detail(InputError(code="error.more_problems", count=12)) == "12 further problems not listed"
    i18n.set_lang("zh")
