"""Use cases of the regulator's regional statistics: enter one, import a table of them.

Each checks first that the person may enter statistics (``statistics.enter``: city and provincial
regulators, the administrator), then validates with the rules of :mod:`carbonpeak.indicators.statistics`
(every problem a coded error naming the field), checks that each statistic's region exists and lies in
the person's jurisdiction, and stores a first version or a correction (a new version, with its reason)
in the caller's transaction, auditing it with the figures before and after. Entering the same value
and source again changes nothing. A table is stored whole or not at all: any problem raises, and the
caller's transaction is rolled back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from carbonpeak.errors import InputError, ValidationFailed
from carbonpeak.indicators import statistics as rules
from carbonpeak.indicators.statistics import Entry, StatisticVersion
from carbonpeak.messages import Message
from carbonpeak.services import access
from carbonpeak.services.access import ADMIN, REGULATORS, Principal
from carbonpeak.store import statistics as store
from carbonpeak.store.repository import audit


@dataclass(frozen=True)
class Entered:
    """What entering one statistic did: ``created`` (version 1), ``corrected`` (a new version) or
    ``unchanged`` (the same value and source were already entered; ``stored`` is that version)."""

    action: str
    entry: Entry
    stored: StatisticVersion

    @property
    def key(self) -> str:
        return rules.key(self.entry)

    @property
    def version(self) -> int:
        return self.stored.version

    @property
    def changed(self) -> bool:
        return self.action != "unchanged"


def enter(
    session: Session,
    principal: Principal,
    data: Mapping[str, Any],
    *,
    file: str | None = None,
    record: str | int | None = None,
) -> Entered:
    """Enter one statistic from a plain record (the columns of :data:`~carbonpeak.indicators.statistics.COLUMNS`)."""
    access.require(principal, "statistics.enter")
    entry = rules.validate(dict(data), file=file, record=record)
    return _store(session, principal, entry, record=record)


def import_table(session: Session, principal: Principal, path: str | Path) -> list[Entered]:
    """Enter every row of a CSV or Excel table, all or none; errors name the file, row and field.

    Returns what each row that changed something did (rows already entered as given are left out)."""
    access.require(principal, "statistics.enter")
    name = str(path)
    entries = rules.validate_table(rules.read_table(path), file=name)
    errors: list[InputError] = []
    done: list[Entered] = []
    for record, entry in entries:
        try:
            entered = _store(session, principal, entry, record=record)
        except InputError as exc:
            errors.append(exc.located(file=name))
            continue
        if entered.changed:
            done.append(entered)
    if errors:
        raise errors[0] if len(errors) == 1 else ValidationFailed(errors, file=name)
    return done


def _in_jurisdiction(principal: Principal, region_id: int) -> bool:
    if principal.role == ADMIN:
        return True
    return principal.role in REGULATORS and region_id in principal.region_ids


def _store(session: Session, principal: Principal, entry: Entry, *, record: str | int | None) -> Entered:
    region_id = store.region_id(session, entry.region)
    if region_id is None:
        raise InputError(
            code="statistics.unknown_region",
            record=record,
            field="region",
            value=entry.region,
            expected=Message("statistics.expected.region"),
        )
    if not _in_jurisdiction(principal, region_id):
        raise InputError(code="statistics.region_out_of_scope", record=record, field="region", value=entry.region)
    latest = store.latest(session, entry.region, entry.name, entry.scope, entry.year)
    action = rules.change(latest, entry, record=record)
    if action is None:
        assert latest is not None
        return Entered("unchanged", entry, latest)
    version = 1 if latest is None else latest.version + 1
    stored = store.add_version(session, region_id, entry, version, principal.actor)
    audit(
        session,
        principal.actor,
        action,
        "statistic",
        rules.key(entry),
        before=rules.as_record(latest) if latest is not None else None,
        after={**rules.as_record(stored), "version": stored.version},
    )
    return Entered("created" if action == "create" else "corrected", entry, stored)
