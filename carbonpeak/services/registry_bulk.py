"""Import a bulk registry file (regions, parks, enterprises, facilities, meters): all or nothing.

Rows are checked and written in the caller's one transaction, kind by kind (regions first, a province
before its cities), each row by the same use cases as a form (:mod:`carbonpeak.services.registry`): a
row whose code is new is added, a row whose code exists is a change of the columns the sheet has
(unchanged rows add nothing, so importing the same file twice adds nothing). Every problem of every
row is collected with its file, sheet, row and field; if there is any, :class:`ValidationFailed`
lists them all and the caller's transaction is rolled back, so nothing at all is written.

Meters (the sheet 计量器具/meters, last: a meter names its facility) go through the very use cases of
``carbonpeak monitor add|change`` and the monitoring pages (:mod:`carbonpeak.services.monitoring`): the same
checks, the same access rule (the facility must lie in the person's jurisdiction) and the same audit
events, hence the same versions. A blank cell of a meter that exists keeps its value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.errors import AccessDenied, InputError, NotFound, ValidationFailed
from carbonpeak.io import registry_file
from carbonpeak.io.registry_fields import KINDS, code_field
from carbonpeak.monitoring import meters as meter_rules
from carbonpeak.monitoring.readings import INTERVALS_MIN
from carbonpeak.services import access
from carbonpeak.services import monitoring as meter_cases
from carbonpeak.services import registry as reg
from carbonpeak.services.access import Principal
from carbonpeak.services.registry_checks import Where, blank

LEVEL_ORDER = {"province": 0, "省": 0, "city": 1, "市": 1, "county": 2, "县": 2}


@dataclass
class Imported:
    """What an import did, per kind: codes added, changed and left unchanged."""

    files: list[str]
    created: dict[str, list[str]] = field(default_factory=dict)
    changed: dict[str, list[str]] = field(default_factory=dict)
    unchanged: dict[str, list[str]] = field(default_factory=dict)

    def count(self, what: str) -> int:
        return sum(len(v) for v in getattr(self, what).values())


def import_registry(session: Session, principal: Principal, files: list[tuple[str, bytes]]) -> Imported:
    """Import one workbook (or several files, e.g. one CSV per kind) in one go."""
    access.require(principal, "registry.manage")
    errors: list[InputError] = []
    sheets: list[registry_file.Sheet] = []
    for name, content in files:
        read = registry_file.read(name, content)
        errors += read.errors
        sheets += read.sheets
    result = Imported(files=[name for name, _ in files])
    context = reg.Context(principal)
    first_row: dict[tuple[str, str], tuple[str, int]] = {}
    for kind in KINDS:  # regions, parks, enterprises, facilities, meters: references point backwards
        if kind == "meters":
            errors += _import_meters(session, principal, sheets, result, first_row)
            continue
        rows = [(sheet, number, record) for sheet in sheets if sheet.kind == kind for number, record in sheet.rows]
        if kind == "regions":
            rows.sort(key=lambda item: LEVEL_ORDER.get(str(item[2].get("level") or "").strip(), 3))
        own = code_field(kind)
        for sheet, number, record in rows:
            where = Where(file=sheet.file, sheet=sheet.name if sheet.name != sheet.file else None, row=number)
            code = None if blank(record.get(own)) else registry_file_text(record.get(own))
            if code is not None:
                seen = first_row.get((kind, code))
                if seen is not None:
                    errors.append(where.error("registry.duplicate_in_file", own, code, first=seen[1]))
                    continue
                first_row[(kind, code)] = (sheet.name, number)
            existing = _existing(session, kind, code) if code is not None else None
            if existing is None:
                change, problems = reg.add_checked(session, context, kind, record, where)
                if change is not None:
                    result.created.setdefault(kind, []).append(change.code)
            else:
                try:
                    row = reg.managed(session, principal, kind, code)  # type: ignore[arg-type]
                except (AccessDenied, NotFound):
                    # another jurisdiction's object: its code is taken, nothing more is said
                    errors.append(where.error("registry.duplicate_code", own, code))
                    context.failed.setdefault(kind, set()).add(str(code))
                    continue
                change, problems = reg.change_checked(session, context, kind, row, record, where)
                if change is not None:
                    bucket = result.changed if change.action == "changed" else result.unchanged
                    bucket.setdefault(kind, []).append(change.code)
            if problems and code is not None:
                context.failed.setdefault(kind, set()).add(code)
            errors += problems
    if errors:
        raise ValidationFailed(errors, file=", ".join(result.files))
    return result


def _import_meters(
    session: Session,
    principal: Principal,
    sheets: list[registry_file.Sheet],
    result: Imported,
    first_row: dict[tuple[str, str], tuple[str, int]],
) -> list[InputError]:
    """The meters' rows, each by :func:`.monitoring.add_meter` or :func:`.monitoring.change_meter`."""
    from carbonpeak.store.monitoring.models import Meter

    errors: list[InputError] = []
    own = code_field("meters")
    for sheet in sheets:
        if sheet.kind != "meters":
            continue
        for number, raw in sheet.rows:
            where = Where(file=sheet.file, sheet=sheet.name if sheet.name != sheet.file else None, row=number)
            codes = (own, "facility_code")  # a code typed as a number (1001) reads as 1001.0
            record = meter_rules.coded(
                {k: registry_file_text(v) if k in codes and not blank(v) else v for k, v in raw.items()}
            )
            code = None if blank(record.get(own)) else str(record[own])
            if code is not None:
                seen = first_row.get(("meters", code))
                if seen is not None:
                    errors.append(where.error("registry.duplicate_in_file", own, code, first=seen[1]))
                    continue
                first_row[("meters", code)] = (sheet.name, number)
            exists = code is not None and session.scalar(select(Meter.id).where(Meter.code == code)) is not None
            try:
                if not exists:
                    change = meter_cases.add_meter(session, principal, record)
                    result.created.setdefault("meters", []).append(change.code)
                    continue
                given = {k: v for k, v in record.items() if k != own and not blank(v)}
                change = meter_cases.change_meter(session, principal, str(code), given)
            except (AccessDenied, NotFound):
                errors.append(where.error("registry.duplicate_code", own, code))  # another jurisdiction's meter
                continue
            except ValidationFailed as failed:
                errors += [_at(e, where) for e in failed.errors]
                continue
            bucket = result.changed if change.action == "changed" else result.unchanged
            bucket.setdefault("meters", []).append(change.code)
    return errors


def _at(error: InputError, where: Where) -> InputError:
    """A use case's error placed at the file's sheet and row (the use case knows only the record)."""
    return InputError(
        code=error.code,
        field=error.field,
        value=error.value,
        expected=error.expected,
        file=where.file,
        sheet=where.sheet,
        row=where.row,
        **error.params,
    )


def meter_choices(lang: str) -> dict[str, list[str]]:
    """The template's drop-down lists of the meters' fields, in ``lang``."""
    lists = {
        dtype: list(meter_rules.choice_labels(name, lang).values())
        for dtype, name in (
            ("energy_type", "energy_type"),
            ("measuring_point", "measuring_point"),
            ("reading_kind", "reading_kind"),
            ("meter_status", "status"),
        )
    }
    lists["interval_min"] = [str(m) for m in INTERVALS_MIN]
    return lists


def registry_file_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _existing(session: Session, kind: str, code: str) -> object | None:
    model = reg.MODELS[kind]
    return session.scalar(select(model.id).where(model.code == code))


def template(lang: str) -> bytes:
    """The bulk registry template (.xlsx) in ``lang``; anyone who may read the registry may download it."""
    return registry_file.write_template(lang, meter_choices("en" if lang == "en" else "zh"))
