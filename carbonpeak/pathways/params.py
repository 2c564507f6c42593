"""Cited parameters as a pathway run asks for them: recorded, so that a saved run carries its snapshot.

A live source answers from :func:`carbonpeak.parameters.load`; a snapshot source answers only from
what a saved run recorded (a reproduction then uses exactly the values of the original run, even if
the parameter files have changed since).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from carbonpeak.errors import ParameterNotFound, ParameterValueMissing
from carbonpeak.parameters import ParameterSet, PeriodLike

__all__ = ["ParamSource", "UsedParameter"]


@dataclass(frozen=True)
class UsedParameter:
    parameter: str
    key: dict[str, Any]
    period: str | None
    edition: str | None
    value: Any
    unit: str
    verified: bool
    citation: str
    cited: dict[str, Any]

    @property
    def ident(self) -> str:
        return _ident(self.parameter, self.key, self.period, self.edition)


def _ident(parameter: str, key: dict[str, Any], period: str | None, edition: str | None) -> str:
    return json.dumps([parameter, sorted((k, str(v)) for k, v in key.items()), period, edition], ensure_ascii=False)


@dataclass
class ParamSource:
    """Answers ``value(parameter, period=, edition=, **key)`` and remembers every answer."""

    live: ParameterSet | None = None
    snapshot: dict[str, UsedParameter] = field(default_factory=dict)
    used: dict[str, UsedParameter] = field(default_factory=dict)

    @classmethod
    def from_snapshot(cls, records: list[dict[str, Any]]) -> ParamSource:
        items = [UsedParameter(**record) for record in records]
        return cls(live=None, snapshot={item.ident: item for item in items})

    def get(
        self, parameter: str, *, period: PeriodLike = None, edition: str | None = None, **key: Any
    ) -> UsedParameter:
        period_text = None if period is None else str(period)
        ident = _ident(parameter, key, period_text, edition)
        if ident in self.used:
            return self.used[ident]
        if self.live is None:
            if ident not in self.snapshot:
                raise ParameterNotFound(
                    code="pathways.not_in_snapshot", parameter=parameter, key=key, period=period_text, edition=edition
                )
            item = self.snapshot[ident]
        else:
            cited = self.live.at(parameter, period=period, edition=edition, **key)
            item = UsedParameter(
                parameter=parameter,
                key={k: v for k, v in key.items()},
                period=period_text,
                edition=edition,
                value=cited.value,
                unit=cited.unit,
                verified=cited.verified,
                citation=cited.citation(),
                cited=cited.as_dict(),
            )
        self.used[ident] = item
        return item

    def value(self, parameter: str, *, period: PeriodLike = None, edition: str | None = None, **key: Any) -> Any:
        return self.get(parameter, period=period, edition=edition, **key).value

    def maybe(
        self, parameter: str, *, period: PeriodLike = None, edition: str | None = None, **key: Any
    ) -> UsedParameter | None:
        """The parameter, or None where none is in force (a missing value is still an error)."""
        try:
            return self.get(parameter, period=period, edition=edition, **key)
        except ParameterValueMissing:
            raise
        except ParameterNotFound:
            return None

    def records(self) -> list[dict[str, Any]]:
        return [item.__dict__.copy() for item in self.used.values()]
