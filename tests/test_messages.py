"""The message catalog is complete for the code that uses it, and the web translates nothing back by pattern.

Every ``code="..."`` and ``Message("...")`` literal in carbonpeak/ must exist in carbonpeak/messages with a zh and
an en text using the same placeholders; a code made with an f-string (``Message(f"warning.status.{status}")``)
must have at least one entry under its literal prefix.
"""

from __future__ import annotations

import ast
from pathlib import Path

from carbonpeak import messages
from carbonpeak.web import i18n

PACKAGE = Path(__file__).resolve().parents[1] / "carbonpeak"


def _codes_in_source() -> tuple[dict[str, str], dict[str, str]]:
    """(literal codes, f-string code prefixes), each with where it is used."""
    literal: dict[str, str] = {}
    prefixes: dict[str, str] = {}
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            where = f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            candidates = [k.value for k in node.keywords if k.arg == "code"]
            if name == "Message" and node.args:
                candidates.append(node.args[0])
            for value in candidates:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    literal[value.value] = where
                elif isinstance(value, ast.JoinedStr) and value.values:
                    head = value.values[0]
                    if isinstance(head, ast.Constant) and isinstance(head.value, str):
                        prefixes[head.value] = where
    return literal, prefixes


def test_every_code_used_is_in_the_catalog_in_both_languages() -> None:
    literal, prefixes = _codes_in_source()
    assert len(literal) > 30  # the scan saw the coded errors
    catalog = messages.catalog()
    missing = [f"{where}: {code}" for code, where in sorted(literal.items()) if code not in catalog]
    assert not missing, "add these codes to a file of carbonpeak/messages: " + "; ".join(missing)
    empty = [
        f"{where}: {prefix}*"
        for prefix, where in sorted(prefixes.items())
        if not any(c.startswith(prefix) for c in catalog)
    ]
    assert not empty, "no catalog entry for these code prefixes: " + "; ".join(empty)


def test_every_entry_has_both_languages_with_the_same_placeholders() -> None:
    for code, texts in messages.catalog().items():
        assert texts["zh"].strip() and texts["en"].strip(), code
        assert messages.placeholders(texts["zh"]) == messages.placeholders(texts["en"]), code


def test_a_coded_error_is_english_in_str_and_chinese_from_the_catalog() -> None:
    from carbonpeak.errors import Conflict, InputError
    from carbonpeak.messages import Message

    error = InputError(code="warning.reopen_only_closed", field="action", status=Message("warning.status.open"))
    assert str(error) == "field 'action': only a closed warning can be reopened; this one is open"
    assert error.text("zh") == "字段“操作”：只有已关闭的预警可以重新打开；该预警为“未处理”"
    assert Conflict(Message("accounts.lock_self")).text("zh") == "不能锁定自己的账户"


def test_no_pattern_translates_a_coded_domain_message() -> None:
    """The web's regular expressions are gone: every message with a value inside is coded."""
    assert not hasattr(i18n, "_PATTERNS")  # the intake's parse errors are coded too (carbonpeak/io)
    assert not hasattr(i18n, "_REASON_PATTERNS")  # reasons of indicators and targets are coded
    source = (PACKAGE / "web" / "i18n.py").read_text(encoding="utf-8")
    converted_texts = ("only a closed warning", "can become", "required by", "has no term", "is already", "base year")
    for converted in converted_texts:
        assert converted not in source, converted
    io_source = "".join(p.read_text(encoding="utf-8") for p in (PACKAGE / "io").glob("*.py"))
    for uncoded in ("malformed CSV:", "not valid YAML:", "not valid JSON (line", "further problems not listed"):
        assert uncoded not in io_source + source, uncoded


def test_the_capacity_ledger_and_the_pathways_raise_only_coded_errors() -> None:
    """No error of the ledger or the pathways is built from an English sentence: each carries a code."""
    files = [
        *(PACKAGE / "capacity").rglob("*.py"),
        *(PACKAGE / "pathways").rglob("*.py"),
        PACKAGE / "store" / "capacity.py",
        PACKAGE / "store" / "pathways.py",
        PACKAGE / "services" / "capacity.py",
        PACKAGE / "web" / "pages" / "pathways.py",
    ]
    uncoded = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = getattr(getattr(node, "func", None), "id", getattr(getattr(node, "func", None), "attr", ""))
            if isinstance(node, ast.Call) and name in ("InputError", "ParameterNotFound") and node.args:
                uncoded.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    assert not uncoded, "give these errors a code of carbonpeak/messages: " + "; ".join(uncoded)
    assert len(files) > 15


def test_the_pathways_page_translates_nothing_back() -> None:
    """Its errors are coded (scenario files, pydantic's checks, the form's own): no message list, no pattern."""
    from carbonpeak.errors import InputError
    from carbonpeak.web.pages import pathways

    assert not hasattr(pathways, "MESSAGES") and not hasattr(pathways, "_PYDANTIC")
    assert "re.match" not in (PACKAGE / "web" / "pages" / "pathways.py").read_text(encoding="utf-8")
    i18n.set_lang("zh")
    try:
        shown = pathways.message(InputError(code="pathways.at_least", field="uncertainty.draws", value=0, n="1"))
        assert shown == "不得小于 1（填写值：0）"
        i18n.set_lang("en")
        assert pathways.message(InputError(code="pathways.at_least", value=0, n="1")) == "must be at least 1 (got 0)"
    finally:
        i18n.set_lang("zh")
