"""Managing the registry in the web: forms to register and change regions, parks, enterprises and
facilities, the bulk registry file, and the changes enterprises propose (decided by a regulator).

Included in :mod:`carbonpeak.web.pages.registry`'s router.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak import messages
from carbonpeak.errors import CarbonpeakError, InputError, ValidationFailed
from carbonpeak.errors import NotFound as DomainNotFound
from carbonpeak.io.fields import FieldSpec
from carbonpeak.io.registry_fields import GREEN_LEVELS, LEVELS, STATUSES, code_field, fields
from carbonpeak.services import access, registry_bulk
from carbonpeak.services import registry as reg
from carbonpeak.services import registry_proposals as proposals
from carbonpeak.services.access import Principal
from carbonpeak.store.models import Facility
from carbonpeak.vocabulary import REGIONS, SECTOR_LABELS
from carbonpeak.web import i18n, labels
from carbonpeak.web.deps import DbSession, Who, render, settings_of
from carbonpeak.web.errors import TooLarge
from carbonpeak.web.i18n import N_
from carbonpeak.web.i18n import gettext as _
from carbonpeak.web.pages.common import context, flash, redirect

router = APIRouter()


# ---------------------------------------------------------------- managing the registry
#
# Forms are generated from the registry's field tables (carbonpeak/io/fields/registry_*.csv): labels in
# the person's language, choices as labels (sectors, levels, statuses; regions, parks and enterprises by
# name), never internal ids. Every form posts to a use case of carbonpeak.services.registry; on refusal
# the same page comes back with every problem beside its field, and nothing is written.

FORM_KINDS = {
    "regions": "region",
    "parks": "park",
    "clusters": "cluster",
    "enterprises": "enterprise",
    "facilities": "facility",
}


PROPOSAL_STATUS = {"pending": N_("pending"), "approved": N_("approved"), "rejected": N_("rejected")}


def proposal_status(code: str) -> str:
    return _(PROPOSAL_STATUS[code]) if code in PROPOSAL_STATUS else code


def level_label(code: str) -> str:
    return LEVELS[code][0 if _lang() == "zh" else 1] if code in LEVELS else code


def person(actor: str | None) -> str:
    """Who acted, as a person reads it: the account name without the audit log's channel prefix."""
    if not actor:
        return ""
    return actor.removeprefix("web:").removeprefix("cli:").removesuffix(" (api)")


def _lang() -> str:
    return "en" if i18n.current_lang() == "en" else "zh"


def _choices(session: Session, who: Principal, spec: FieldSpec) -> list[tuple[str, str]] | None:
    lang = _lang()
    pick = 0 if lang == "zh" else 1
    if spec.dtype == "level":
        return [(k, v[pick]) for k, v in LEVELS.items()]
    if spec.dtype == "status":
        return [(k, v[pick]) for k, v in STATUSES.items()]
    if spec.dtype == "green_level":
        return [(k, v[pick]) for k, v in GREEN_LEVELS.items()]
    if spec.dtype == "bool":
        return [("yes", "是" if lang == "zh" else "yes"), ("no", "否" if lang == "zh" else "no")]
    if spec.dtype == "sector":
        return [(s.value, labels[pick]) for s, labels in SECTOR_LABELS.items()]
    if spec.dtype == "province":
        return [(r.code, r.zh if lang == "zh" else r.en) for r in REGIONS.values() if r.level == "provincial"]
    if spec.dtype == "region":
        rows = reg.list_regions(session, who)
        return [(r["region_code"], _named(r, lang)) for r in rows if r["managed"] or spec.name == "parent_code"]
    if spec.dtype == "park":
        return [(p["park_code"], _named(p, lang)) for p in reg.list_parks(session, who)]
    if spec.dtype == "enterprise":
        return [(e["enterprise_code"], _named(e, lang)) for e in reg.list_enterprises(session, who)]
    return None


def _named(row: dict[str, Any], lang: str) -> str:
    name = (row.get("name_en") if lang == "en" else None) or row["name_zh"]
    code = next(v for k, v in row.items() if k.endswith("_code"))
    return f"{name}（{code}）" if lang == "zh" else f"{name} ({code})"


def form_fields(
    session: Session, who: Principal, kind: str, *, only: tuple[str, ...] | None = None, editing: bool = False
) -> list[dict[str, Any]]:
    """The inputs of a form: name, label, unit, required, choices (value, label), from the field table."""
    out = []
    lang = _lang()
    for spec in fields(kind).values():
        if only is not None and spec.name not in only:
            continue
        choices = _choices(session, who, spec)
        out.append(
            {
                "name": spec.name,
                "label": spec.label_zh if lang == "zh" else spec.label_en,
                "unit": spec.unit,
                "required": spec.required,
                "kind": "date" if spec.dtype == "date" else ("select" if choices is not None else "text"),
                "choices": choices or [],
                "readonly": editing and spec.name == code_field(kind),
                "hint": spec.description if lang == "en" else "",
            }
        )
    return out


def _values_of(snapshot: dict[str, Any]) -> dict[str, str]:
    """A stored record as form values (booleans as yes/no, numbers without a trailing .0)."""
    out: dict[str, str] = {}
    for name, value in snapshot.items():
        if value is None or name.startswith("_"):
            continue
        if isinstance(value, bool):
            out[name] = "yes" if value else "no"
        elif isinstance(value, float) and value.is_integer():
            out[name] = str(int(value))
        else:
            out[name] = str(value)
    return out


def _by_field(exc: CarbonpeakError) -> tuple[dict[str, list[str]], list[str]]:
    """Problems beside their field (the message alone) and the others (with their place), in the person's
    language."""
    lang = _lang()
    beside: dict[str, list[str]] = {}
    general: list[str] = []
    for problem in exc.errors if isinstance(exc, ValidationFailed) else [exc]:
        if isinstance(problem, InputError) and problem.field and problem.sheet is None:
            text = problem.message_text(lang)
            if problem.value not in (None, ""):
                text += messages.render("where.value", lang, {"value": problem.value})
            beside.setdefault(problem.field, []).append(text)
        else:
            general.append(problem.text(lang))
    return beside, general


async def _form(request: Request, kind: str, *, partial: bool) -> dict[str, str]:
    """The posted values of the fields of ``kind`` (other inputs, such as the CSRF token, left out); for a
    change, only the fields the form sent."""
    form = await request.form()
    names = fields(kind)
    values = {k: str(v).strip() for k, v in form.items() if k in names and isinstance(v, str)}
    return values if partial else {k: v for k, v in values.items() if v != ""}


def _manage_page(request: Request, session: Session, who: Principal, status_code: int = 200, **extra: Any) -> Response:
    access.require(who, "registry.manage")
    forms = {kind: form_fields(session, who, kind) for kind in FORM_KINDS}
    return render(
        request,
        "registry_manage.html",
        status_code=status_code,
        **context(
            request,
            forms=forms,
            regions=reg.list_regions(session, who),
            failed=extra.pop("failed", None),
            values=extra.pop("values", {}),
            errors=extra.pop("errors", {}),
            general=extra.pop("general", []),
            import_errors=extra.pop("import_errors", []),
            level_label=level_label,
            **extra,
        ),
    )


@router.get("/registry")
def manage_page(request: Request, session: DbSession, who: Who) -> Response:
    """Register regions, parks, clusters, enterprises and facilities; download the bulk template and import
    it."""
    return _manage_page(request, session, who)


async def _add_from_form(request: Request, kind: str, session: Session, who: Principal) -> Response:
    access.require(who, "registry.manage")
    values = await _form(request, kind, partial=False)
    try:
        result = reg.add(session, who, kind, values)
    except (InputError, ValidationFailed) as exc:
        session.rollback()
        beside, general = _by_field(exc)
        return _manage_page(request, session, who, 422, failed=kind, values=values, errors=beside, general=general)
    session.commit()
    flash(request, _("Registered: %(name)s.", name=result.after.get("name_zh") or result.code))
    if kind == "enterprises":
        return redirect(f"/enterprises/{result.code}")
    if kind == "facilities":
        return redirect(f"/facilities/{result.code}")
    return redirect("/registry")


@router.post("/registry/regions")
async def add_region(request: Request, session: DbSession, who: Who) -> Response:
    return await _add_from_form(request, "regions", session, who)


@router.post("/registry/parks")
async def add_park(request: Request, session: DbSession, who: Who) -> Response:
    return await _add_from_form(request, "parks", session, who)


@router.post("/registry/clusters")
async def add_cluster(request: Request, session: DbSession, who: Who) -> Response:
    return await _add_from_form(request, "clusters", session, who)


@router.post("/registry/enterprises")
async def add_enterprise(request: Request, session: DbSession, who: Who) -> Response:
    return await _add_from_form(request, "enterprises", session, who)


@router.post("/registry/facilities")
async def add_facility(request: Request, session: DbSession, who: Who) -> Response:
    return await _add_from_form(request, "facilities", session, who)


@router.get("/registry/template.xlsx")
def template_download(who: Who, lang: str = "zh") -> Response:
    access.require(who, "registry.manage")
    lang = "en" if lang == "en" else "zh"
    return Response(
        registry_bulk.template(lang),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="registry-template-{lang}.xlsx"'},
    )


@router.post("/registry/import")
def import_file(
    request: Request,
    session: DbSession,
    who: Who,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """The bulk registry file, all or nothing: on any problem every one is listed and nothing is written.
    A sync handler: FastAPI runs it off the event loop."""
    access.require(who, "registry.manage")
    limit = settings_of(request).max_upload_bytes
    content = file.file.read(limit + 1) if file is not None and file.filename else b""
    if len(content) > limit:
        raise TooLarge(limit=limit // 2**20)
    try:
        if not content:
            raise ValidationFailed([InputError(code="registry.empty_file", file=getattr(file, "filename", None))])
        done = registry_bulk.import_registry(session, who, [(file.filename or "registry.xlsx", content)])  # type: ignore[union-attr]
    except (InputError, ValidationFailed) as exc:
        session.rollback()
        problems = exc.errors if isinstance(exc, ValidationFailed) else [exc]
        lang = _lang()
        return _manage_page(request, session, who, 422, import_errors=[p.text(lang) for p in problems])
    session.commit()
    flash(
        request,
        _(
            "Registry file imported: %(created)s added, %(changed)s changed, %(unchanged)s unchanged.",
            created=done.count("created"),
            changed=done.count("changed"),
            unchanged=done.count("unchanged"),
        ),
    )
    return redirect("/registry")


def _edit_page(
    request: Request, session: Session, who: Principal, kind: str, code: str, status_code: int = 200, **extra: Any
) -> Response:
    row = reg.managed(session, who, kind, code)
    current = reg.snapshot(session, kind, row)
    versions = reg.history(session, who, kind, code)
    return render(
        request,
        "registry_edit.html",
        status_code=status_code,
        **context(
            request,
            kind=kind,
            code=code,
            title=current.get("name_zh") or code,
            form=form_fields(session, who, kind, editing=True),
            values=extra.pop("values", None) or _values_of(current),
            errors=extra.pop("errors", {}),
            general=extra.pop("general", []),
            versions=[_version_view(kind, v) for v in reversed(versions)],
        ),
    )


def _version_view(kind: str, version: reg.Version) -> dict[str, Any]:
    """A version as a person reads it: when, who, and each changed field by its label, before → after."""
    lang = _lang()
    specs = fields(kind)
    before, after = version.before or {}, version.after or {}
    changes = [
        (specs[k].label_zh if lang == "zh" else specs[k].label_en, _shown(k, before.get(k)), _shown(k, v))
        for k, v in after.items()
        if k in specs and before.get(k) != v and (version.before is not None or v not in (None, "", False))
    ]
    via = after.get("_via") or {}
    return {
        "number": version.number,
        "at": version.at,
        "actor": person(version.actor),
        "action": version.action,
        "changes": changes,
        "proposal": via.get("proposal"),
    }


def _shown(name: str, value: Any) -> str:
    lang = _lang()
    pick = 0 if lang == "zh" else 1
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if name == "status" and value in STATUSES:
        return STATUSES[value][pick]
    if name == "level" and value in LEVELS:
        return LEVELS[value][pick]
    if name == "sector":
        return labels.sector(value)
    if isinstance(value, float):
        return i18n.num(value)
    return str(value)


@router.get("/enterprises/{code}/edit")
def edit_enterprise_page(request: Request, code: str, session: DbSession, who: Who) -> Response:
    return _edit_page(request, session, who, "enterprises", code)


@router.get("/facilities/{code}/edit")
def edit_facility_page(request: Request, code: str, session: DbSession, who: Who) -> Response:
    return _edit_page(request, session, who, "facilities", code)


async def _edit(request: Request, session: Session, who: Principal, kind: str, code: str) -> Response:
    reg.managed(session, who, kind, code)  # role and scope before the form is read
    values = await _form(request, kind, partial=True)
    try:
        result = reg.change(session, who, kind, code, values)
    except (InputError, ValidationFailed) as exc:
        session.rollback()
        beside, general = _by_field(exc)
        return _edit_page(request, session, who, kind, code, 422, values=values, errors=beside, general=general)
    session.commit()
    if result.action == "unchanged":
        flash(request, _("Nothing was changed."))
    else:
        flash(request, _("Saved as a new version; the earlier one stays in the history."))
    return redirect(f"/{kind}/{code}/edit")


@router.post("/enterprises/{code}/edit")
async def edit_enterprise(request: Request, code: str, session: DbSession, who: Who) -> Response:
    return await _edit(request, session, who, "enterprises", code)


@router.post("/facilities/{code}/edit")
async def edit_facility(request: Request, code: str, session: DbSession, who: Who) -> Response:
    return await _edit(request, session, who, "facilities", code)


# ---------------------------------------------------------------- proposals


def _proposal_view(session: Session, who: Principal, p: proposals.Proposal) -> dict[str, Any]:
    lang = _lang()
    specs = fields("facilities")
    return {
        "p": p,
        "changes": [
            (specs[k].label_zh if lang == "zh" else specs[k].label_en, _shown(k, p.before.get(k)), _shown(k, v))
            for k, v in p.changes.items()
            if k in specs
        ],
        "may_decide": proposals.may_decide(session, who, p),
    }


def _problem_line(exc: CarbonpeakError) -> str:
    """Every problem of a refused decision in one line, for the next page's message."""
    lang = _lang()
    return "；".join(p.text(lang) for p in (exc.errors if isinstance(exc, ValidationFailed) else [exc]))


@router.get("/proposals")
def proposals_page(request: Request, session: DbSession, who: Who, status: str | None = None) -> Response:
    chosen = status if status in ("pending", "approved", "rejected") else None
    rows = proposals.list_proposals(session, who, chosen)
    return render(
        request,
        "proposals.html",
        **context(
            request,
            proposals=[_proposal_view(session, who, p) for p in rows],
            status=chosen,
            proposal_status=proposal_status,
            person=person,
        ),
    )


@router.post("/proposals/{proposal_id}/approve")
async def approve_proposal(request: Request, proposal_id: int, session: DbSession, who: Who) -> Response:
    access.require(who, "registry.decide")
    form = await request.form()
    note = str(form.get("note") or "")
    try:
        done = proposals.approve(session, who, proposal_id, note)
    except (InputError, ValidationFailed) as exc:
        session.rollback()
        flash(request, _problem_line(exc), "error")
        return redirect("/proposals")
    session.commit()
    flash(request, _("Proposal approved; %(facility)s changed.", facility=done.facility_name_zh))
    return redirect("/proposals")


@router.post("/proposals/{proposal_id}/reject")
async def reject_proposal(request: Request, proposal_id: int, session: DbSession, who: Who) -> Response:
    access.require(who, "registry.decide")
    form = await request.form()
    try:
        proposals.reject(session, who, proposal_id, str(form.get("reason") or ""))
    except (InputError, ValidationFailed) as exc:
        session.rollback()
        flash(request, _problem_line(exc), "error")
        return redirect("/proposals")
    session.commit()
    flash(request, _("Proposal rejected; the enterprise sees your reason."))
    return redirect("/proposals")


def _propose_page(
    request: Request, session: Session, who: Principal, code: str, status_code: int = 200, **extra: Any
) -> Response:
    access.require(who, "registry.propose")
    facility = session.scalar(select(Facility).where(Facility.code == code))
    if facility is None or facility.enterprise_id not in who.enterprise_ids:
        raise DomainNotFound()
    return render(
        request,
        "registry_propose.html",
        status_code=status_code,
        **context(
            request,
            facility=facility,
            form=form_fields(session, who, "facilities", only=proposals.PROPOSABLE),
            values=extra.pop("values", None) or _values_of(reg.snapshot(session, "facilities", facility)),
            errors=extra.pop("errors", {}),
            general=extra.pop("general", []),
            note=extra.pop("note", ""),
        ),
    )


@router.get("/facilities/{code}/propose")
def propose_page(request: Request, code: str, session: DbSession, who: Who) -> Response:
    return _propose_page(request, session, who, code)


@router.post("/facilities/{code}/propose")
async def propose_change(request: Request, code: str, session: DbSession, who: Who) -> Response:
    access.require(who, "registry.propose")
    form = await request.form()
    facility = session.scalar(select(Facility).where(Facility.code == code))
    if facility is None or facility.enterprise_id not in who.enterprise_ids:
        raise DomainNotFound()
    current = _values_of(reg.snapshot(session, "facilities", facility))
    sent = {k: str(v).strip() for k, v in form.items() if k in proposals.PROPOSABLE and isinstance(v, str)}
    changed = {k: v for k, v in sent.items() if v != current.get(k, "")}
    note = str(form.get("note") or "")
    try:
        proposals.propose(session, who, code, changed, note)
    except (InputError, ValidationFailed) as exc:
        session.rollback()
        beside, general = _by_field(exc)
        return _propose_page(request, session, who, code, 422, values=sent, errors=beside, general=general, note=note)
    session.commit()
    flash(request, _("Your proposal was sent to the regulator of the facility's region."))
    return redirect("/proposals")
