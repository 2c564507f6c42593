"""How long a free text a person stores may be: every limit in one table, checked by one function.

A text over its limit is refused in the use-case layer with ``limits.too_long``, naming the field, the
limit and the length given (never echoing the text itself). The web forms and the API pass the text on
unchanged, so the answer is the same from a page, ``/api/v1`` and the CLI.

The registry's own fields (names, contacts, documents) keep their limits in their field tables
(``carbonpeak/io/fields/registry_*.csv``, column ``max``), the one description of those fields that the
templates and the docs are generated from; the activity record's texts are limited by the intake
(:class:`carbonpeak.io.reading.Limits`). Everything else that is stored as a person wrote it is here.
"""

from __future__ import annotations

from collections.abc import Mapping

from carbonpeak.errors import InputError, ValidationFailed

# field -> at most this many characters. The database columns of the short ones have the same width.
TEXT_LIMITS: dict[str, int] = {
    "username": 100,  # web_user.username
    "display_name": 200,  # web_user.display_name
    "password": 200,  # never stored as written (argon2id hash); bounded so hashing cost is too
    "token_name": 100,  # web_api_token.name
    "reason": 2000,  # a correction's reason, a proposal's rejection, why a month is returned (退回修改)
    "opinion": 2000,  # a verifier's opinion (核查意见) on the months they verify
    "note": 2000,  # a proposal's note or decision, a warning's note
    "assignee": 100,  # a warning's assignee (a user name)
    "explanation": 2000,  # a month's 情况说明 of its plausibility warnings (a record field)
}


def limit_of(field: str) -> int:
    """The limit of ``field`` (a KeyError for a field without one: add it to the table)."""
    return TEXT_LIMITS[field]


def too_long(field: str, value: str | None, *, record: str | int | None = None) -> InputError | None:
    """The problem of ``value`` being longer than the limit of ``field``, or None."""
    if value is None:
        return None
    limit = TEXT_LIMITS[field]
    length = len(value)
    if length <= limit:
        return None
    return InputError(code="limits.too_long", field=field, record=record, limit=limit, length=length)


def check_lengths(values: Mapping[str, str | None]) -> None:
    """Raise :class:`ValidationFailed` listing every text over its limit (by field name of the table)."""
    problems = [p for field, value in values.items() if (p := too_long(field, value)) is not None]
    if problems:
        raise ValidationFailed(problems)
