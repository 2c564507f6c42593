"""The one exception family. Every message says where the problem is and what was expected."""

from __future__ import annotations

from typing import Any


class CarbonpeakError(Exception):
    """Base of all errors a person can act on."""


class InputError(CarbonpeakError):
    """Bad input data: names the file, record, field, value and what was expected."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        record: str | int | None = None,
        field: str | None = None,
        value: Any = None,
        expected: str | None = None,
    ) -> None:
        self.file, self.record, self.field, self.value, self.expected = file, record, field, value, expected
        self.detail = message
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.file is not None:
            where.append(f"file {self.file}")
        if self.record is not None:
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
        )


class ValidationFailed(InputError):
    """Several input errors found in one file; ``errors`` lists every one, in file order."""

    def __init__(self, errors: list[InputError], *, file: str | None = None) -> None:
        self.errors = errors
        count = len(errors)
        head = "; ".join(str(e) for e in errors[:3])
        more = f" (and {count - 3} more)" if count > 3 else ""
        super().__init__(
            f"{count} problem{'s' if count != 1 else ''} found, nothing was written: {head}{more}", file=file
        )


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
