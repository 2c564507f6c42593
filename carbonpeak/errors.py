"""The one exception family. Every message says where the problem is and what was expected.

An error a person can act on carries a stable ``code`` and its ``params``; its text in zh-CN or en
comes from the message catalog (:mod:`carbonpeak.messages`) by that code, via :meth:`text`. ``str()``
of an error is its English text, for logs and the CLI's ``--lang en``.
"""

from __future__ import annotations

from typing import Any

from carbonpeak import messages


class CarbonpeakError(Exception):
    """Base of all errors a person can act on."""

    code: str | None = None  # a class default; an instance may carry a more precise one

    def __init__(
        self, message: str | messages.Message | None = None, *, code: str | None = None, **params: Any
    ) -> None:
        if isinstance(message, messages.Message):  # a coded message made below (e.g. a refusal returned by the store)
            code, params, message = message.code, {**message.params, **params}, None
        if code is not None:
            self.code = code
        self.params = params
        if message is None:
            message = messages.render(self.code, "en", params) if self.code else type(self).__name__
        super().__init__(message)

    def text(self, lang: str = messages.DEFAULT_LANG) -> str:
        """The message in ``lang``: from the catalog when the error is coded, else as written."""
        if self.code and messages.known(self.code):
            return messages.render(self.code, lang, self.params)
        return str(self)


class AccessDenied(CarbonpeakError):
    """The person may not do this (checked before anything else, so it reveals nothing)."""

    code = "access.denied"


class NotFound(CarbonpeakError):
    """The object does not exist, or is outside the person's scope where existence must not leak."""

    code = "access.not_found"


class Conflict(CarbonpeakError):
    """The action does not fit the object's current state (a locked month, a duplicate code)."""

    code = "state.conflict"


class Busy(Conflict):
    """The database stayed locked by another writer (on SQLite, a long import holds the one write lock);
    nothing was written and the same request may simply be sent again."""

    code = "db.busy"


class InputError(CarbonpeakError):
    """Bad input data: names the file, record, field, value and what was expected."""

    def __init__(
        self,
        message: str | messages.Message | None = None,
        *,
        file: str | None = None,
        record: str | int | None = None,
        field: str | None = None,
        value: Any = None,
        expected: str | messages.Message | None = None,
        code: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        **params: Any,
    ) -> None:
        self.file, self.record, self.field, self.value, self.expected = file, record, field, value, expected
        self.sheet, self.row = sheet, row
        if isinstance(message, messages.Message):  # a coded message made below (e.g. a refusal returned by the store)
            code, params, message = message.code, {**message.params, **params}, None
        if code is not None:
            self.code = code
        self.params = params
        if message is None:
            message = messages.render(self.code, "en", params) if self.code else "invalid input"
        self.detail = message
        Exception.__init__(self, self._render())

    def location(self) -> dict[str, Any]:
        """Where the problem is, as plain values (for the API and annotated workbooks)."""
        where = {"file": self.file, "sheet": self.sheet, "row": self.row, "record": self.record, "field": self.field}
        return {k: v for k, v in where.items() if v is not None}

    def message_text(self, lang: str = messages.DEFAULT_LANG) -> str:
        """The problem alone, without where it is."""
        if self.code and messages.known(self.code):
            return messages.render(self.code, lang, self.params)
        return self.detail

    def text(self, lang: str = messages.DEFAULT_LANG) -> str:
        """Where, what, the value given and what was expected, in ``lang``."""
        sep = "，" if lang == "zh" else ", "
        where = []
        if self.file is not None:
            where.append(messages.render("where.file", lang, {"file": self.file}))
        if self.sheet is not None:
            where.append(messages.render("where.sheet", lang, {"sheet": self.sheet}))
        if self.row is not None:
            where.append(messages.render("where.row", lang, {"row": self.row}))
        elif isinstance(self.record, messages.CodedText):  # a place already in words ("row 7")
            where.append(self.record.text(lang))
        elif self.record is not None:
            where.append(messages.render("where.record", lang, {"record": self.record}))
        if self.field is not None:
            label = messages.field_label(self.field, lang)
            where.append(messages.render("where.field", lang, {"field": label}))
        head = sep.join(where)
        text = self.message_text(lang)
        text = f"{head}{'：' if lang == 'zh' else ': '}{text}" if head else text
        if self.value is not None and self.value != "":
            text += messages.render("where.value", lang, {"value": self.value})
        if self.expected and (not self.code or isinstance(self.expected, messages.Message)):
            text += messages.render("where.expected", lang, {"expected": self.expected})
        return text

    def _render(self) -> str:
        where = []
        if self.file is not None:
            where.append(f"file {self.file}")
        if self.sheet is not None:
            where.append(f"sheet {self.sheet}")
        if self.row is not None:
            where.append(f"row {self.row}")
        elif self.record is not None:
            where.append(f"record {self.record}")
        if self.field is not None:
            where.append(f"field '{self.field}'")
        text = ", ".join(where)
        text = f"{text}: {self.detail}" if text else self.detail
        if self.value is not None:
            text += f" (got {self.value!r})"
        if self.expected:
            text += f"; expected {self.expected}"
        return text

    def located(self, *, file: str | None = None, record: str | int | None = None) -> InputError:
        """The same error with the file or record filled in by an outer layer."""
        return type(self)(
            self.detail,
            file=self.file if self.file is not None else file,
            record=self.record if self.record is not None else record,
            field=self.field,
            value=self.value,
            expected=self.expected,
            code=self.code,
            sheet=self.sheet,
            row=self.row,
            **self.params,
        )


class ValidationFailed(InputError):
    """Several input errors found in one file; ``errors`` lists every one, in file order."""

    code = "error.validation_failed"

    def __init__(self, errors: list[InputError], *, file: str | None = None) -> None:
        self.errors = errors
        count = len(errors)
        head = "; ".join(str(e) for e in errors[:3])
        more = f" (and {count - 3} more)" if count > 3 else ""
        super().__init__(
            f"{count} problem{'s' if count != 1 else ''} found, nothing was written: {head}{more}", file=file
        )
        self.params = {"count": count}

    def text(self, lang: str = messages.DEFAULT_LANG) -> str:
        return messages.render(self.code or "error.validation_failed", lang, self.params)


class UnitError(InputError):
    """A quantity in a unit of the wrong dimension, or an unknown unit."""


class ParameterFileError(CarbonpeakError):
    """A parameter file that breaks the schema: named with its path and the offending entry."""


class ParameterNotFound(CarbonpeakError):
    """No parameter value is in force for the name, key, period and edition asked for."""


class ParameterValueMissing(ParameterNotFound):
    """The parameter exists but its official value has not been found or entered yet."""


class MethodError(CarbonpeakError):
    """A calculation method asked for something it cannot do (unknown method, sector or input)."""
