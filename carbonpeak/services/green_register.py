"""Use cases of the green-manufacturing register: designate an enterprise (green factory, green supply-chain
management enterprise) or a park (green park) at a level and year; correct, warn, remove (with the reason) or
keep a flagged unit; read who is designated in a year.

Access first: managing needs ``green.manage`` (a regulator, the administrator) and a subject in the person's
region; reading needs ``green.view`` and returns only what is in scope (an enterprise its own, a verifier its
assigned enterprises', a regulator its region's). The wrong role is refused (403) before anything is looked up;
a designation or subject outside one's scope is *not found* (404), as one that does not exist. Every change is
a new version of the designation and an audit event, in the caller's transaction; all problems of an entry are
named at once and nothing is written when one is wrong.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.errors import InputError, NotFound, ValidationFailed
from carbonpeak.green import register as rules
from carbonpeak.services import access
from carbonpeak.services.access import Principal
from carbonpeak.store.green import repository as repo
from carbonpeak.store.green.models import GreenDesignation
from carbonpeak.store.models import Enterprise, Park
from carbonpeak.store.repository import audit

VIEW, MANAGE = "green.view", "green.manage"
ACTIONS = ("warn", "remove", "keep", "relist")


@dataclass(frozen=True)
class Done:
    action: str
    designation: int
    version: int


def in_scope(principal: Principal, d: GreenDesignation) -> bool:
    """Whether the person may read the designation."""
    if principal.is_admin:
        return True
    if principal.role in access.REGULATORS:
        return d.region_id in principal.region_ids
    return d.enterprise_id is not None and d.enterprise_id in principal.enterprise_ids


def visible(session: Session, principal: Principal) -> list[GreenDesignation]:
    access.require(principal, VIEW)
    return [d for d in repo.designations(session) if in_scope(principal, d)]


def get(session: Session, principal: Principal, designation_id: int, action: str = VIEW) -> GreenDesignation:
    access.require(principal, action)
    found = access.by_id(session, GreenDesignation, designation_id)
    if found is None or not in_scope(principal, found):
        raise NotFound()
    return found


def subject_name(d: GreenDesignation, lang: str = "zh") -> str:
    row: Enterprise | Park | None = d.enterprise if d.subject == "enterprise" else d.park
    if row is None:
        return "—"
    return row.name_zh if lang == "zh" or not row.name_en else row.name_en


def subject_code(d: GreenDesignation) -> str:
    row = d.enterprise if d.subject == "enterprise" else d.park
    return row.code if row is not None else ""


def _subject(
    session: Session, principal: Principal, kind: str, code: str
) -> tuple[Enterprise | None, Park | None, int]:
    """The enterprise or park a designation of ``kind`` is of, within the person's region (else not found)."""
    if rules.SUBJECT_OF_KIND[kind] == "park":
        park = session.scalar(select(Park).where(Park.code == code))
        if park is None or not (principal.is_admin or park.region_id in principal.region_ids):
            raise NotFound()
        return None, park, park.region_id
    enterprise = session.scalar(select(Enterprise).where(Enterprise.code == code))
    if enterprise is None or not (principal.is_admin or enterprise.region_id in principal.region_ids):
        raise NotFound()
    return enterprise, None, enterprise.region_id


def _checked(data: Mapping[str, Any], today: dt.date) -> tuple[dict[str, Any], list[InputError]]:
    errors: list[InputError] = []
    kind = str(data.get("kind") or "").strip()
    if kind not in rules.KINDS:
        errors.append(InputError(code="green.unknown_kind", field="kind", value=kind))
    level = str(data.get("level") or "").strip() or None
    if level is not None and level not in rules.LEVELS:
        errors.append(InputError(code="green.unknown_level", field="level", value=level))
    raw_year = str(data.get("year") or "").strip()
    year: int | None = None
    if raw_year:
        if raw_year.isdigit() and 1990 <= int(raw_year) <= today.year:
            year = int(raw_year)
        else:
            errors.append(InputError(code="green.bad_year", field="year", value=raw_year, last=today.year))
    fields = {
        "kind": kind,
        "level": level,
        "year_designated": year,
        "batch": (str(data.get("batch") or "").strip() or None),
        "document": (str(data.get("document") or "").strip() or None),
    }
    for name, limit in (("batch", 200), ("document", 300)):
        if fields[name] is not None and len(fields[name]) > limit:
            errors.append(InputError(code="green.too_long", field=name, limit=limit))
    return fields, errors


def designate(session: Session, principal: Principal, data: Mapping[str, Any], *, today: dt.date | None = None) -> Done:
    """A new designation of an enterprise or a park (``subject``: its code; ``kind``, ``level``, ``year``,
    ``batch``, ``document``)."""
    access.require(principal, MANAGE)
    today = today or dt.date.today()
    fields, errors = _checked(data, today)
    code = str(data.get("subject") or "").strip()
    if not code:
        errors.append(InputError(code="green.required", field="subject"))
    if errors:
        raise errors[0] if len(errors) == 1 else ValidationFailed(errors)
    enterprise, park, region_id = _subject(session, principal, fields["kind"], code)
    row = GreenDesignation(
        subject="park" if park is not None else "enterprise",
        enterprise_id=enterprise.id if enterprise else None,
        park_id=park.id if park else None,
        region_id=region_id,
        status="listed",
        origin="register",
        version=0,
        **fields,
    )
    session.add(row)
    session.flush()
    version = repo.add_version(session, row, "designated", principal.actor, None)
    audit(session, principal.actor, "designated", "green_designation", f"{code}:{row.kind}", after=repo.as_record(row))
    if enterprise is not None:
        _sync_flags(session, enterprise)
    return Done("designated", row.id, version.version)


def decide(
    session: Session,
    principal: Principal,
    designation_id: int,
    action: str,
    reason: str,
    *,
    year: int | None = None,
    on: dt.date | None = None,
) -> Done:
    """Warn, remove (from ``on``, default today), relist, or keep a unit flagged for removal for ``year``;
    every one with its reason."""
    row = get(session, principal, designation_id, MANAGE)
    errors: list[InputError] = []
    if action not in ACTIONS:
        errors.append(InputError(code="green.unknown_action", field="action", value=action))
    if not reason.strip():
        errors.append(InputError(code="green.reason_required", field="reason"))
    elif len(reason) > 2000:
        errors.append(InputError(code="green.too_long", field="reason", limit=2000))
    if action == "keep" and year is None:
        errors.append(InputError(code="green.required", field="year"))
    if action in ("warn", "remove", "keep") and row.status == "removed":
        errors.append(InputError(code="green.already_removed", field="action"))
    if action == "relist" and row.status != "removed":
        errors.append(InputError(code="green.not_removed", field="action"))
    if errors:
        raise errors[0] if len(errors) == 1 else ValidationFailed(errors)
    before = repo.as_record(row)
    day = on or dt.date.today()
    if action == "warn":
        row.status, row.warned_on, row.reason = "warned", day, reason.strip()
    elif action == "remove":
        row.status, row.removed_on, row.reason = "removed", day, reason.strip()
    elif action == "relist":
        row.status, row.removed_on, row.reason = "listed", None, reason.strip()
    version = repo.add_version(
        session, row, {"keep": "kept"}.get(action, action), principal.actor, reason.strip(), year
    )
    audit(
        session,
        principal.actor,
        version.action,
        "green_designation",
        f"{subject_code(row)}:{row.kind}",
        before=before,
        after={**repo.as_record(row), "year": year},
    )
    if row.enterprise is not None:
        _sync_flags(session, row.enterprise)
    return Done(version.action, row.id, version.version)


def _sync_flags(session: Session, enterprise: Enterprise) -> None:
    """Keep the registry's old flag columns a summary of the register (the registry's pages and exports show
    them): the highest factory level in force today with its year, and whether a supply-chain designation is."""
    today = dt.date.today()
    own = [
        d
        for d in session.scalars(select(GreenDesignation).where(GreenDesignation.enterprise_id == enterprise.id))
        if rules.in_force(d.year_designated, d.removed_on, today.year)
    ]
    factories = [d for d in own if d.kind == "factory" and d.level in rules.FACTORY_COUNTED_LEVELS]
    factories.sort(key=lambda d: (rules.FACTORY_COUNTED_LEVELS.index(d.level or "provincial"), d.year_designated or 0))
    best = factories[-1] if factories else None
    enterprise.green_factory_level = best.level if best else None
    enterprise.green_factory_year = best.year_designated if best else None
    enterprise.green_supply_chain = any(d.kind == "supply_chain" for d in own)


def register_rows(session: Session, principal: Principal, year: int, lang: str = "zh") -> list[dict[str, Any]]:
    """Every designation in scope with whether it is in force at the end of ``year`` (the register page)."""
    out = []
    for d in visible(session, principal):
        out.append(
            {
                "id": d.id,
                "subject": d.subject,
                "code": subject_code(d),
                "name": subject_name(d, lang),
                "kind": d.kind,
                "level": d.level,
                "year_designated": d.year_designated,
                "batch": d.batch,
                "document": d.document,
                "status": d.status,
                "warned_on": d.warned_on,
                "removed_on": d.removed_on,
                "reason": d.reason,
                "origin": d.origin,
                "version": d.version,
                "in_force": rules.in_force(d.year_designated, d.removed_on, year),
            }
        )
    out.sort(
        key=lambda r: (rules.KINDS.index(r["kind"]), rules.LEVELS.index(r["level"]) if r["level"] else 9, r["code"])
    )
    return out


def counts(rows: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """kind → level → how many subjects are in force (from :func:`register_rows`)."""
    out: dict[str, dict[str, set[str]]] = {}
    for r in rows:
        if r["in_force"]:
            out.setdefault(r["kind"], {}).setdefault(r["level"] or "", set()).add(r["code"])
    return {k: {lvl: len(v) for lvl, v in levels.items()} for k, levels in out.items()}


def history(session: Session, principal: Principal, designation_id: int) -> list[dict[str, Any]]:
    row = get(session, principal, designation_id)
    return [
        {
            "version": v.version,
            "action": v.action,
            "year": v.year,
            "reason": v.reason,
            "by": v.created_by,
            "at": v.created_at,
            "fields": v.fields,
        }
        for v in row.versions
    ]
