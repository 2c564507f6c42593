"""How a sum of stored results was made: the methods and the cited parameter values behind the results
of a set of submission versions (each version's latest result, the one the facts table carries).

A read for "这个数是怎么来的" on an aggregate: which methods, how many facility-months each, which
parameter families with which source documents, from the stored results' own provenance (their
method and parameter snapshot), never from the parameters in force today.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carbonpeak.store.models import Fact, ParameterSnapshot, Result

_CHUNK = 2000  # ids per IN list (SQLite's and drivers' limits on bound parameters)


@dataclass
class ParameterUse:
    family: str  # the parameter family id (e.g. electricity.grid_factor)
    facility_months: int  # results that used a value of it
    documents: list[str] = field(default_factory=list)  # its values' source documents, as cited
    editions: list[str] = field(default_factory=list)


@dataclass
class Provenance:
    facility_months: int  # versions with a stored result
    methods: list[tuple[str, int]]  # (method id, facility-months), most used first
    parameters: list[ParameterUse]  # most used first
    snapshots: int  # distinct parameter snapshots


def behind(session: Session, version_ids: Iterable[int]) -> Provenance:
    """The methods and parameters of the latest results of these versions."""
    ids = sorted(set(int(v) for v in version_ids))
    methods: Counter[str] = Counter()
    fingerprints: Counter[str] = Counter()
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        query = (
            select(Result.method, Result.parameter_fingerprint, func.count())
            .join(Fact, Fact.result_id == Result.id)
            .where(Fact.version_id.in_(chunk))
            .group_by(Result.method, Result.parameter_fingerprint)
        )
        for method, fingerprint, count in session.execute(query):
            methods[method] += count
            fingerprints[fingerprint] += count
    used: Counter[str] = Counter()
    documents: dict[str, set[str]] = defaultdict(set)
    editions: dict[str, set[str]] = defaultdict(set)
    prints = sorted(fingerprints)
    for start in range(0, len(prints), _CHUNK):
        chunk = prints[start : start + _CHUNK]
        for fingerprint, parameters in session.execute(
            select(ParameterSnapshot.fingerprint, ParameterSnapshot.parameters).where(
                ParameterSnapshot.fingerprint.in_(chunk)
            )
        ):
            families = set()
            for entry in parameters or []:
                family = str(entry.get("parameter", ""))
                families.add(family)
                document = (entry.get("source") or {}).get("document")
                if document:
                    documents[family].add(str(document))
                if entry.get("edition"):
                    editions[family].add(str(entry["edition"]))
            for family in families:
                used[family] += fingerprints[fingerprint]
    return Provenance(
        facility_months=sum(methods.values()),
        methods=sorted(methods.items(), key=lambda kv: (-kv[1], kv[0])),
        parameters=[
            ParameterUse(family, count, sorted(documents[family]), sorted(editions[family]))
            for family, count in sorted(used.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        snapshots=len(fingerprints),
    )
