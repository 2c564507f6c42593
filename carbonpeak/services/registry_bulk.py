"""Import a bulk registry file (regions, parks, enterprises, facilities): all or nothing.

Rows are checked and written in the caller's one transaction, kind by kind (regions first, a province
before its cities), each row by the same use cases as a form (:mod:`carbonpeak.services.registry`): a
row whose code is new is added, a row whose code exists is a change of the columns the sheet has
(unchanged rows add nothing, so importing the same file twice adds nothing). Every problem of every
row is collected with its file, sheet, row and field; if there is any, :class:`ValidationFailed`
lists them all and the caller's transaction is rolled back, so nothing at all is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.errors import AccessDenied, InputError, NotFound, ValidationFailed
from carbonpeak.io import registry_file
from carbonpeak.io.registry_fields import KINDS, code_field
from carbonpeak.services import access
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
    for kind in KINDS:  # regions, parks, enterprises, facilities: references point backwards
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


def registry_file_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _existing(session: Session, kind: str, code: str) -> object | None:
    model = reg.MODELS[kind]
    return session.scalar(select(model.id).where(model.code == code))


def template(lang: str) -> bytes:
    """The bulk registry template (.xlsx) in ``lang``; anyone who may read the registry may download it."""
    return registry_file.write_template(lang)
