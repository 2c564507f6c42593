"""Types the API's answers share."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator


def _utc(value: dt.datetime) -> dt.datetime:
    """The store keeps UTC without a zone; every timestamp the API gives says it is UTC (RFC 3339)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


Timestamp = Annotated[dt.datetime, AfterValidator(_utc)]
