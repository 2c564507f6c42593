"""Languages: zh-CN by default, English on request.

Message ids are English; ``locale/zh_CN/LC_MESSAGES/messages.po`` holds the Chinese. The catalog
is compiled in memory when first used (Babel), so there is no build step: ``make run`` and
``make test`` need nothing more. Part catalogs (``pathways.po``, …) beside it
are merged in. ``tests/web/test_i18n.py`` extracts every message of the templates
and modules and fails on any without a translation. After adding messages:
``python -m carbonpeak.web.i18n update`` adds them to the catalog (empty, to be filled in).

Numbers and dates are formatted for the locale with ``babel.numbers`` and ``babel.dates``.
"""

from __future__ import annotations

import datetime as dt
import gettext as _gettext
import math
import sys
from contextvars import ContextVar
from functools import cache
from importlib import resources
from io import BytesIO
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.numbers import parse_pattern
from babel.support import Translations

from carbonpeak import messages
from carbonpeak.errors import CarbonpeakError, InputError

LANGS = ("zh", "en")
BABEL_LOCALE = {"zh": "zh_Hans_CN", "en": "en"}
HTML_LANG = {"zh": "zh-CN", "en": "en"}
_lang: ContextVar[str] = ContextVar("carbonpeak_lang", default="zh")


def catalog_path() -> Path:
    return Path(str(resources.files("carbonpeak.web") / "locale" / "zh_CN" / "LC_MESSAGES" / "messages.po"))


def catalog_paths() -> list[Path]:
    """The main catalog first, then any part catalogs beside it (``*.po``: one per part of the app)."""
    main = catalog_path()
    return [main, *sorted(p for p in main.parent.glob("*.po") if p != main)]


def read_catalog() -> Any:
    """All zh_CN catalogs as one (a later file adds messages, or a translation where an earlier file has
    none; it never replaces one)."""
    catalog = None
    for path in catalog_paths():
        with path.open("rb") as handle:
            part = read_po(handle, locale="zh_CN")
        if catalog is None:
            catalog = part
            continue
        for message in part:
            known = catalog.get(message.id) if message.id else None
            if message.id and (known is None or not _translated(known)):
                catalog[message.id] = message
    return catalog


def _translated(message: Any) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(strings)


@cache
def translations(lang: str) -> _gettext.NullTranslations:
    if lang == "en":
        return _gettext.NullTranslations()
    catalog = read_catalog()
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def set_lang(lang: str) -> None:
    _lang.set(lang if lang in LANGS else "zh")


def current_lang() -> str:
    return _lang.get()


def gettext(message: str, **params: Any) -> str:
    text = translations(_lang.get()).gettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params: Any) -> str:
    text = translations(_lang.get()).ngettext(singular, plural, n)
    params.setdefault("num", n)
    return text % params


_ = gettext


def N_(message: str) -> str:
    """Mark a message for extraction; translated later, where it is shown."""
    return message


def tr(message: str, **params: Any) -> str:
    """Translate a message written with ``{name}`` placeholders (used by the error classes)."""
    text = translations(_lang.get()).gettext(message)
    return text.format(**params) if params else text


# ---------------------------------------------------------------- numbers and dates


def _locale() -> Locale:
    return _parsed_locale(_lang.get())


@cache
def _parsed_locale(lang: str) -> Locale:
    return Locale.parse(BABEL_LOCALE[lang])  # parsed once: a page formats hundreds of numbers


@cache
def _number_pattern(pattern: str) -> Any:
    return parse_pattern(pattern)


def num(value: Any, digits: int | None = None) -> str:
    """A number for reading: grouped, with as many decimals as its size needs (or ``digits``)."""
    if value is None or isinstance(value, str):
        return "—" if value in (None, "") else str(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(number) or math.isinf(number):
        return "—"
    if digits is None and number.is_integer() and abs(number) < 1e15:
        digits = 0
    if digits is None:
        size = abs(number)
        digits = 0 if size >= 1000 else 1 if size >= 100 else 2 if size >= 1 else 3 if size >= 0.01 else 4
        if size == 0:
            digits = 0
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return str(_number_pattern(pattern).apply(number, _locale()))


def pct(value: Any, digits: int = 1) -> str:
    """A value already in percent (54.9 → 54.9 %)."""
    if value is None:
        return "—"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(number):
        return "—"
    return str(_number_pattern("#,##0." + "0" * digits + " %").apply(number / 100.0, _locale()))


def date(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        value = value.date()
    return format_date(value, format="medium", locale=_locale())


def datetime(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return format_datetime(value, format="medium", tzinfo=dt.timezone(dt.timedelta(hours=8)), locale=_locale())


def period(value: str | None) -> str:
    """A month (2024-03) or a year, in the locale's words."""
    if not value:
        return "—"
    if len(value) == 7 and value[4] == "-":
        year, month = int(value[:4]), int(value[5:7])
        return f"{year}年{month}月" if _lang.get() == "zh" else format_date(dt.date(year, month, 1), "MMM y", "en")
    return f"{value}年" if _lang.get() == "zh" and value.isdigit() else value


# ---------------------------------------------------------------- error messages of the domain


def field_label(field: str | None) -> str:
    """A field's label in the current language (from the field table), else the field name."""
    if not field:
        return ""
    from carbonpeak.io.template import column_for

    column = column_for(field)
    if column is None:
        if field in _FIELD_NAMES:
            return gettext(field)
        from carbonpeak import messages  # the catalog's field labels (field.fuels, field.carbonates)

        return messages.field_label(field, _lang.get())
    return column.label(_lang.get())


_FIELD_NAMES = {N_("period"), N_("reason"), N_("file"), N_("status"), N_("action"), N_("assignee")}


# Messages of the domain's input errors (carbonpeak.io, carbonpeak.store, carbonpeak.indicators), so the
# catalog holds them; a message not listed is shown as the domain wrote it (English).
DOMAIN_MESSAGES = (
    N_("a correction needs a reason"),
    N_("a quantity object needs 'value' and optionally 'unit'"),
    N_("cannot decode the file"),
    N_("each line must be an object"),
    N_("file not found"),
    N_("missing required field"),
    N_("must be a list"),
    N_("negative amount"),
    N_("no data rows"),
    N_("no records found"),
    N_("not a finite number"),
    N_("not a number"),
    N_("not a period"),
    N_("the file is empty"),
    N_("the unit is given twice"),
    N_("the workbook has no worksheets"),
    N_("unknown facility"),
    N_("unknown field"),
    N_("unknown province"),
    N_("unknown region"),
    N_("unknown sector"),
    N_("unsupported file type"),
    N_("value above the allowed maximum"),
    N_("value below the allowed minimum"),
    N_("a formula; paste values instead"),
    N_("an Excel error value"),
    N_("merged cells; unmerge them and fill every cell"),
    N_("empty column name above data"),
    N_("duplicate column name"),
    N_("a value in a column without a name"),
    N_("unreadable column header"),
    N_("this column takes no unit"),
    N_("unknown column"),
    N_("duplicate record_id"),
    N_("no header row"),
    N_("monthly reporting needs a month"),
    N_("the sector differs from the registry"),
    N_("the province differs from the registry"),
    N_("not a facility you may report for"),
    N_("a record must be an object of fields"),
    N_("duplicate record (same facility and period, or same record_id)"),
    N_("unknown key in a line"),
    N_("a percentage must lie between 0 and 100"),
    N_("unknown enterprise"),
    N_("nothing to export"),
    N_("unknown language"),
    N_("unknown fuel"),
    N_("unknown carbonate"),
    N_("unknown agent"),
    N_("unknown reductant"),
    N_("a method that accounts for it, or leave it empty"),
    # generic words the intake uses too (carbonpeak.io)
    N_("missing value"),
    N_("not a date"),
    N_("not a whole number"),
    N_("unknown unit"),
    N_("unknown parameter"),
    N_("the file must hold exactly one record for this facility and month"),
)
# Reasons given as fixed English texts (the pathways' run; carbonpeak.indicators now codes its own).
REASON_MESSAGES = (
    N_("no counted data"),
    N_("no counted data for the region"),
    N_("no counted facility-months"),
    N_("no denominator: nothing reported"),
    N_("no facility of a benchmark field"),
    N_("no indicator is mapped to this target"),
    N_("a national total: a province's figure is its contribution, not the target's measure"),
)


def reason(text: str | None) -> str:
    """A reason of the indicators, targets or pathways in the current language: a coded one from the message
    catalog (every part coded), else each part (``; ``) as a fixed message of the catalog, else as written."""
    if not text:
        return ""
    lang = _lang.get()
    coded = messages.text_in(text, lang)
    if coded is not None:
        return coded
    parts = getattr(text, "parts", None) or str(text).split("; ")
    shown = [messages.text_in(part, lang) or (gettext(part) if lang != "en" else part) for part in parts]
    return ("；" if lang == "zh" else "; ").join(shown)


def detail(text: str | CarbonpeakError) -> str:
    """A domain message in the current language: a coded error from the message catalog, else a fixed text
    through DOMAIN_MESSAGES (nothing is translated back from English by pattern)."""
    if isinstance(text, CarbonpeakError):
        if text.code and messages.known(text.code):
            return text.message_text(_lang.get()) if isinstance(text, InputError) else text.text(_lang.get())
        text = text.detail if isinstance(text, InputError) else str(text)
    return gettext(text)


def input_error(error: InputError) -> dict[str, Any]:
    """An input error of the domain as parts a page shows: where, what, value, expected."""
    from carbonpeak import messages

    if error.code and messages.known(error.code):  # coded: the catalog's text, in the reader's language
        lang = _lang.get()
        where = None
        if error.sheet is not None and error.row is not None:
            where = gettext("sheet %(sheet)s, row %(row)s", sheet=error.sheet, row=error.row)
        elif error.row is not None:
            where = gettext("row %(row)s", row=error.row)
        elif error.record is not None:
            where = messages.text_in(error.record, lang) or str(error.record)
        return {
            "record": where,
            "row": error.row,
            "field": error.field,
            "field_label": messages.field_label(error.field, lang) if error.field else "",
            "message": error.message_text(lang),
            "value": error.value,
            "expected": None,
            "code": error.code,
        }
    return {
        "record": _record(error.record),
        "row": _row_number(error.record),
        "field": error.field,
        "field_label": field_label(error.field),
        "message": detail(error),
        "value": error.value,
        "expected": _expected(error.expected),
    }


def _expected(expected: Any) -> Any:
    """What was expected, in the current language: coded (a Message) from the catalog, else a fixed text."""
    if not expected:
        return expected
    return messages.text_in(expected, _lang.get()) or gettext(str(expected))


def _record(record: Any) -> Any:
    """Where in a file: "sheet activity, row 7" → 工作表 activity，第 7 行."""
    import re

    if record is None or _lang.get() == "en":
        return record
    text = str(record)
    match = re.fullmatch(r"sheet (?P<sheet>.+), row (?P<row>\d+)", text)
    if match:
        return gettext("sheet %(sheet)s, row %(row)s", sheet=match["sheet"], row=match["row"])
    match = re.fullmatch(r"row (?P<row>\d+)", text)
    if match:
        return gettext("row %(row)s", row=match["row"])
    return text


def _row_number(record: Any) -> int | None:
    import re

    if record is None:
        return None
    match = re.search(r"row (\d+)", str(record))
    return int(match[1]) if match else None


# ---------------------------------------------------------------- catalog upkeep


def extract() -> list[tuple[str, list[str]]]:
    """Every message id of the templates and modules of carbonpeak.web (a plural by its singular), with
    where it is used."""
    return [(ident, places) for ident, (places, _plural) in _extracted().items()]


def _extracted() -> dict[str, tuple[list[str], str | None]]:
    from babel.messages.extract import extract_from_dir

    root = Path(str(resources.files("carbonpeak.web")))
    method_map = [("templates/**.html", "jinja2"), ("**.py", "python")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "tr": None}
    found: dict[str, tuple[list[str], str | None]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        root, method_map, options_map=options, keywords=keywords
    ):
        singular, plural = (message[0], message[1]) if isinstance(message, tuple) else (message, None)
        if singular:
            places, known = found.setdefault(singular, ([], plural))
            places.append(f"{filename}:{lineno}")
            if plural and not known:
                found[singular] = (places, plural)
    return dict(sorted(found.items()))


def update_catalog() -> int:
    """Add new message ids to the zh_CN catalog (empty, to be translated); returns how many were added."""
    path = catalog_path()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="zh_CN")
    known = read_catalog()
    added = 0
    for ident, (places, plural) in _extracted().items():
        if ident not in known:
            where = [(p.rsplit(":", 1)[0], int(p.rsplit(":", 1)[1])) for p in places[:2]]
            catalog.add((ident, plural) if plural else ident, ("",) if plural else "", locations=where)
            added += 1
    with path.open("wb") as handle:
        write_po(handle, catalog, width=120, sort_output=True)
    return added


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    if sys.argv[1:] == ["update"]:
        print(f"{update_catalog()} messages added to {catalog_path()}")
    else:
        print("usage: python -m carbonpeak.web.i18n update")
