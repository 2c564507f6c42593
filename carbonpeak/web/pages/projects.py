"""两高 projects: the list, entering a project (a form, or a YAML/JSON file), its record with every version,
the rule-by-rule review (stored, with the parameters it used and their sources), corrections with a reason,
the link to the facility that measures it once built, and what it measured against what was approved.

The web computes nothing itself: every action and read goes through the use cases of
:mod:`carbonpeak.services.projects`, which check who may act (:mod:`carbonpeak.services.access`), validate with
the same record model as the CLI and files, store and review. Their errors are coded and shown from the
message catalog (``projects.*``) in the user's language, beside the field they concern.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask
from starlette.datastructures import UploadFile

from carbonpeak import messages
from carbonpeak.errors import InputError, ValidationFailed
from carbonpeak.io.export import export_workbook
from carbonpeak.projects.model import Indicator
from carbonpeak.projects.records import STATUSES
from carbonpeak.projects.review import Classification, Outcome
from carbonpeak.services import access
from carbonpeak.services import projects as use
from carbonpeak.services.access import Principal
from carbonpeak.store.projects import ProjectSummary
from carbonpeak.vocabulary import PROVINCES, REGIONS, Sector
from carbonpeak.web import i18n, labels
from carbonpeak.web.deps import DbSession, Who, render, settings_of
from carbonpeak.web.errors import BadRequest, TooLarge
from carbonpeak.web.i18n import N_, _
from carbonpeak.web.pages.common import context, flash, redirect
from carbonpeak.web.pages.submissions import safe_filename

router = APIRouter()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# ---------------------------------------------------------------- labels of the record's codes

KIND = {"new": N_("new build"), "expansion": N_("expansion"), "retrofit": N_("retrofit")}
APPROVAL = {"approved": N_("approved"), "pending": N_("under review"), "none": N_("not applied for")}
ENERGY_SOURCE = {
    "grid": N_("grid electricity"),
    "captive_coal": N_("coal-fired captive plant"),
    "captive_gas": N_("gas-fired captive plant"),
    "renewable_contract": N_("renewable power contract"),
    "onsite_renewable": N_("on-site renewables"),
}
STATUS = {"planned": N_("planned or under construction"), "built": N_("built")}
YES_NO = {"true": N_("yes"), "false": N_("no")}
AUDIT = {
    "register": N_("registered"),
    "correct": N_("added a correction"),
    "review": N_("reviewed"),
    "link": N_("linked to a facility"),
}
# Chips of existing styles: good, doubtful, bad, neutral.
OUTCOME_CHIP = {"pass": "met", "fail": "missed", "not_evaluated": "at_risk", "not_applicable": "low"}
CLASSIFICATION_CHIP = {"proceed": "met", "rectify": "at_risk", "halt": "missed"}
# Units a designed or measured unit consumption may be given in (converted by the model).
INDICATOR_UNITS = {
    Indicator.AC_POWER_LIQUID_ALUMINIUM.value: ("kWh/t", "MWh/t"),
    Indicator.COMPREHENSIVE_ENERGY.value: ("kgce/t", "tce/t", "GJ/t"),
}
REPLACEMENT_ROWS = 3  # rows of replacement sources in the form (a file takes any number)


def province_name(code: str | None) -> str:
    if not code:
        return "—"
    region = REGIONS.get(code)
    if region is None:
        return code
    return region.zh if i18n.current_lang() == "zh" else region.en


def indicator_name(code: str) -> str:
    try:
        indicator = Indicator(code)
    except ValueError:
        return code
    return indicator.label_zh if i18n.current_lang() == "zh" else indicator.label_en


def outcome_label(code: str) -> str:
    return Outcome(code).label(i18n.current_lang())


def classification_label(code: str | None) -> str:
    return Classification(code).label(i18n.current_lang()) if code else _("not reviewed")


# ---------------------------------------------------------------- the form: the record's fields


@dataclass(frozen=True)
class Field:
    """One input of the project form; ``name`` is the record's field path (dots), so that the model's errors
    land beside it."""

    name: str
    label: str  # message id
    kind: str = "text"  # text, number, integer, date, select, yesno
    unit: str = ""
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()  # (value, message id or label)
    hint: str = ""


def _choices(table: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(table.items())


SECTIONS: tuple[tuple[str, tuple[Field, ...]], ...] = (
    (
        N_("The project"),
        (
            Field("id", N_("Project code"), required=True, hint=N_("as in the approval documents, e.g. SX-AL-2025-01")),
            Field("name_zh", N_("Name (Chinese)"), required=True),
            Field("name_en", N_("Name (English)"), required=True),
            Field("enterprise", N_("Enterprise"), required=True),
            Field("kind", N_("Kind"), "select", required=True, choices=_choices(KIND)),
            Field("sector", N_("Sector"), "select", required=True),
            Field(
                "product", N_("Product code"), required=True, hint=N_("lower-case code, e.g. electrolytic_aluminium")
            ),
            Field("capacity_t_per_a", N_("Capacity"), "number", "t/a", required=True),
            Field(
                "net_new_capacity_t_per_a",
                N_("Net new capacity"),
                "number",
                "t/a",
                required=True,
                hint=N_("new build: the capacity; retrofit: 0"),
            ),
            Field("planned_start", N_("Planned start"), "date", required=True),
        ),
    ),
    (
        N_("Site"),
        (
            Field("site.province", N_("Province"), "select", required=True),
            Field("site.city", N_("City"), required=True),
            Field("site.county", N_("County")),
            Field("in_key_air_pollution_area", N_("In a key air-pollution area"), "yesno", required=True),
        ),
    ),
    (
        N_("Energy"),
        (
            Field("new_captive_coal_plant", N_("New coal-fired captive power plant"), "yesno", required=True),
            Field("captive_coal_permission", N_("Permission for the captive plant")),
            Field(
                "energy_review_status", N_("Energy-saving review"), "select", required=True, choices=_choices(APPROVAL)
            ),
            Field(
                "eia_status",
                N_("Environmental impact assessment"),
                "select",
                required=True,
                choices=_choices(APPROVAL),
            ),
            Field("approved_energy_tce_per_a", N_("Approved annual energy"), "number", "tce/a"),
            Field("approved_emissions_tco2e_per_a", N_("Approved annual emissions"), "number", "tCO2e/a"),
        ),
    ),
    (
        N_("Capacity replacement"),
        (Field("replacement_capacity_t_per_a", N_("Replacement capacity"), "number", "t/a"),),
    ),
)
MEASURED_FIELDS = (
    Field("measured.year", N_("Year"), "integer"),
    Field(
        "measured.indicator",
        N_("Indicator"),
        "select",
        choices=tuple((i.value, i.value) for i in Indicator),
    ),
    Field("measured.unit_consumption.value", N_("Measured unit consumption"), "number"),
    Field("measured.unit_consumption.unit", N_("Unit"), "select"),
    Field("measured.energy_tce", N_("Measured energy"), "number", "tce"),
    Field("measured.emissions_tco2e", N_("Measured emissions"), "number", "tCO2e"),
)
GROUPS = ("designed_unit_consumption", "energy_sources", "replacement_sources", "measured")


def _all_names() -> set[str]:
    names = {f.name for _title, fields in SECTIONS for f in fields} | {f.name for f in MEASURED_FIELDS}
    names |= set(GROUPS)
    for code in INDICATOR_UNITS:
        names |= {f"designed_unit_consumption.{code}", f"designed_unit_consumption.{code}.value"}
        names.add(f"designed_unit_consumption.{code}.unit")
    for row in range(REPLACEMENT_ROWS):
        names |= {f"replacement_sources.{row}.{k}" for k in ("facility", "province", "capacity_t_per_a")}
    return names


FIELD_NAMES = _all_names()


def _number(text: str) -> Any:
    """A number typed in a form (grouping commas and spaces allowed); what cannot be read is handed to the
    model as typed, which refuses it beside its field."""
    cleaned = text.replace(",", "").replace(" ", "").replace("\u00a0", "")
    try:
        return float(cleaned)
    except ValueError:
        return text


def _integer(text: str) -> Any:
    try:
        return int(text.strip())
    except ValueError:
        return text


def _put(record: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    for part in parts[:-1]:
        record = record.setdefault(part, {})
    record[parts[-1]] = value


def record_from_form(values: dict[str, Any]) -> dict[str, Any]:
    """The form's values as a project record (a mapping for the model); a field left empty is left out, so
    that a required one is reported missing."""
    record: dict[str, Any] = {}
    for _title, fields in SECTIONS:
        for f in fields:
            text = str(values.get(f.name, "")).strip()
            if not text:
                continue
            if f.kind == "number":
                _put(record, f.name, _number(text))
            elif f.kind == "yesno":
                _put(record, f.name, {"true": True, "false": False}.get(text, text))
            else:
                _put(record, f.name, text)
    designed: dict[str, Any] = {}
    for code, units in INDICATOR_UNITS.items():
        text = str(values.get(f"designed_unit_consumption.{code}.value", "")).strip()
        if text:
            unit = str(values.get(f"designed_unit_consumption.{code}.unit", "") or units[0]).strip()
            designed[code] = {"value": _number(text), "unit": unit}
    record["designed_unit_consumption"] = designed
    sources = values.get("energy_sources") or []
    record["energy_sources"] = [str(s) for s in sources] if isinstance(sources, list) else [str(sources)]
    replacement = []
    for row in range(REPLACEMENT_ROWS):
        line = {k: str(values.get(f"replacement_sources.{row}.{k}", "")).strip() for k in ("facility", "province")}
        capacity = str(values.get(f"replacement_sources.{row}.capacity_t_per_a", "")).strip()
        if not (line["facility"] or line["province"] or capacity):
            continue
        item: dict[str, Any] = {k: v for k, v in line.items() if v}
        if capacity:
            item["capacity_t_per_a"] = _number(capacity)
        replacement.append(item)
    if replacement:
        record["replacement_sources"] = replacement
    measured: dict[str, Any] = {}
    year = str(values.get("measured.year", "")).strip()
    if year:
        measured["year"] = _integer(year)
    indicator = str(values.get("measured.indicator", "")).strip()
    if indicator:
        measured["indicator"] = indicator
    value = str(values.get("measured.unit_consumption.value", "")).strip()
    if value:
        unit = str(values.get("measured.unit_consumption.unit", "")).strip()
        measured["unit_consumption"] = {"value": _number(value), "unit": unit or "kgce/t"}
    for name in ("energy_tce", "emissions_tco2e"):
        text = str(values.get(f"measured.{name}", "")).strip()
        if text:
            measured[name] = _number(text)
    if measured:
        record["measured"] = measured
    return record


def form_from_record(record: dict[str, Any]) -> dict[str, Any]:
    """A stored record as form values (the correction form starts from the current version)."""
    values: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list) and prefix == "energy_sources":
            values[prefix] = [str(v) for v in value]
        elif isinstance(value, list):
            for index, inner in enumerate(value):
                walk(f"{prefix}.{index}", inner)
        elif isinstance(value, bool):
            values[prefix] = "true" if value else "false"
        elif isinstance(value, float) and value.is_integer():
            values[prefix] = str(int(value))
        else:
            values[prefix] = "" if value is None else str(value)

    walk("", record)
    return values


async def form_values(request: Request) -> dict[str, Any]:
    form = await request.form()
    values: dict[str, Any] = {k: str(v) for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    values["energy_sources"] = [str(v) for v in form.getlist("energy_sources") if isinstance(v, str)]
    return values


# ---------------------------------------------------------------- the errors, in the user's language


def problem_text(error: InputError) -> str:
    """What is wrong, and what was expected, for the place beside a field: the coded error's texts from the
    message catalog (:mod:`carbonpeak.messages`, ``projects.*``), in the current language."""
    lang = i18n.current_lang()
    text = error.message_text(lang)
    expected = messages.text_in(error.expected, lang)
    if expected:
        text += messages.render("where.expected", lang, {"expected": expected})
    return text


def field_of(name: str | None) -> str | None:
    """The form input (or group) an error's field belongs to; None: shown above the form."""
    if not name:
        return None
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in FIELD_NAMES:
            return candidate
        parts.pop()
    return None


def errors_by_field(errors: list[InputError]) -> tuple[dict[str, list[str]], list[str]]:
    beside: dict[str, list[str]] = {}
    general: list[str] = []
    for error in errors:
        name = field_of(error.field)
        text = problem_text(error)
        if name is None:
            where = f"{error.record}: " if error.record and error.file else ""
            field = f"{error.field}: " if error.field else ""
            general.append(f"{where}{field}{text}")
        else:
            beside.setdefault(name, []).append(text)
    return beside, general


def _problems(exc: InputError) -> list[InputError]:
    return list(exc.errors) if isinstance(exc, ValidationFailed) else [exc]


def _message(code: str) -> str:
    return messages.render(code, i18n.current_lang())


# ---------------------------------------------------------------- pages


def form_page(
    request: Request,
    who: Principal,
    *,
    values: dict[str, Any],
    errors: dict[str, list[str]] | None = None,
    general: list[str] | None = None,
    status: int = 200,
    correcting: ProjectSummary | None = None,
    reason: str = "",
) -> Response:
    return render(
        request,
        "project_form.html",
        status,
        **context(
            request,
            sections=SECTIONS,
            measured_fields=MEASURED_FIELDS,
            indicator_units=INDICATOR_UNITS,
            replacement_rows=range(REPLACEMENT_ROWS),
            provinces=[(code, province_name(code)) for code in PROVINCES],
            sectors=[(s.value, labels.sector(s.value)) for s in Sector],
            energy_sources=list(ENERGY_SOURCE),
            values=values,
            errors=errors or {},
            general=general or [],
            correcting=correcting,
            reason=reason,
            may_upload=correcting is None,
            **_labels(),
        ),
    )


def _labels() -> dict[str, Any]:
    return {
        "KIND": KIND,
        "APPROVAL": APPROVAL,
        "ENERGY_SOURCE": ENERGY_SOURCE,
        "STATUS": STATUS,
        "YES_NO": YES_NO,
        "AUDIT": AUDIT,
        "OUTCOME_CHIP": OUTCOME_CHIP,
        "CLASSIFICATION_CHIP": CLASSIFICATION_CHIP,
        "province_name": province_name,
        "indicator_name": indicator_name,
        "outcome_label": outcome_label,
        "classification_label": classification_label,
    }


@router.get("/projects")
def project_list(
    request: Request,
    session: DbSession,
    who: Who,
    status: str | None = None,
    classification: str | None = None,
    sector: str | None = None,
) -> Response:
    status = status if status in STATUSES else None
    classification = classification if classification in (*CLASSIFICATION_CHIP, "none") else None
    sector = sector if sector in {s.value for s in Sector} else None
    rows = use.list_projects(session, who, status=status, classification=classification, sector=sector)
    return render(
        request,
        "projects.html",
        **context(
            request,
            rows=rows,
            status=status,
            classification=classification,
            sector=sector,
            sectors=sorted({r.sector for r in use.list_projects(session, who)}),
            may_manage=access.allowed(who, "project.manage"),
            **_labels(),
        ),
    )


@router.get("/projects.xlsx")
def project_workbook(request: Request, session: DbSession, who: Who) -> Response:
    """The projects in scope, and the rules of each one's latest stored review."""
    rows = use.list_projects(session, who)
    zh = i18n.current_lang() == "zh"
    table = pd.DataFrame(
        [
            {
                "code": r.code,
                "version": r.version,
                "name": r.name_zh if zh else r.name_en,
                "enterprise": r.enterprise,
                "province": province_name(r.province),
                "sector": labels.sector(r.sector),
                "product": r.product,
                "kind": i18n.gettext(KIND.get(r.kind, r.kind)),
                "capacity_t_per_a": r.capacity_t_per_a,
                "net_new_capacity_t_per_a": r.net_new_capacity_t_per_a,
                "planned_start": r.planned_start,
                "status": i18n.gettext(STATUS.get(r.status, r.status)),
                "facility": r.facility_code,
                "classification": classification_label(r.classification) if r.classification else "",
                "reviewed_version": r.reviewed_version,
                "reviewed_period": r.reviewed_period,
            }
            for r in rows
        ],
        columns=[
            "code",
            "version",
            "name",
            "enterprise",
            "province",
            "sector",
            "product",
            "kind",
            "capacity_t_per_a",
            "net_new_capacity_t_per_a",
            "planned_start",
            "status",
            "facility",
            "classification",
            "reviewed_version",
            "reviewed_period",
        ],
    )
    rules = []
    for r in rows:
        reviews = use.history(session, who, r.code)["reviews"]
        if not reviews:
            continue
        latest = reviews[-1]
        for rule in latest["rules"]:
            rules.append(
                {
                    "code": r.code,
                    "review": latest["id"],
                    "version": latest["version"],
                    "period": latest["period"],
                    "rule": rule["rule"],
                    "title": rule["title_zh"] if zh else rule["title_en"],
                    "outcome": outcome_label(rule["outcome"]),
                    "declared": _amount(rule.get("declared")),
                    "required": _amount(rule.get("required")),
                    "reason": rule["reason_zh"] if zh else rule["reason_en"],
                    "source": rule.get("source", ""),
                    "confidence": rule.get("confidence"),
                }
            )
    folder = Path(tempfile.mkdtemp(prefix="carbonpeak-projects-"))
    sheets = {"projects": table, "rules": pd.DataFrame(rules)}
    titles = {"projects": _("Projects"), "rules": _("Latest reviews, rule by rule")}
    path = export_workbook(folder / "projects.xlsx", sheets, lang=i18n.current_lang(), titles=titles, named=True)
    return FileResponse(
        path,
        media_type=XLSX,
        filename="projects.xlsx",
        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
    )


def _amount(amount: dict[str, Any] | None) -> str:
    if not amount:
        return ""
    value = amount.get("value")
    shown = i18n.num(value) if isinstance(value, int | float) else str(value)
    unit = "" if amount.get("unit") in ("", "status", None) else f" {amount['unit']}"
    return f"{amount['comparator'] + ' ' if amount.get('comparator') else ''}{shown}{unit}"


@router.get("/projects/new")
def new_project(request: Request, session: DbSession, who: Who) -> Response:
    access.require(who, "project.manage")
    return form_page(request, who, values={})


@router.post("/projects/new")
async def enter_project(request: Request, session: DbSession, who: Who) -> Response:
    """Register a project from the form (or every project of a YAML/JSON file) and review it: all or nothing."""
    access.require(who, "project.manage")
    form = await request.form()
    upload = form.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        return await _enter_file(request, session, who, upload)
    values = await form_values(request)
    try:
        done = use.enter_project(session, who, record_from_form(values), review=True)
    except InputError as exc:
        session.rollback()
        beside, general = errors_by_field(_problems(exc))
        return form_page(request, who, values=values, errors=beside, general=general, status=422)
    session.commit()
    flash(request, _("Project %(code)s registered (version 1) and reviewed.", code=done.code))
    return redirect(f"/projects/{done.code}")


async def _enter_file(request: Request, session: Session, who: Principal, upload: UploadFile) -> Response:
    settings = settings_of(request)
    content = await upload.read(settings.max_upload_bytes + 1)
    if len(content) > settings.max_upload_bytes:
        raise TooLarge(limit=settings.max_upload_bytes // 2**20)
    name = safe_filename(upload.filename or "projects.yaml")
    try:
        done = use.register_content(session, who, name, content, review=True)
    except InputError as exc:
        session.rollback()
        general = [_located(error, name) for error in _problems(exc)]
        return form_page(request, who, values={}, general=general, status=422)
    session.commit()
    registered = [d.code for d in done if d.action == "registered"]
    flash(
        request,
        i18n.ngettext(
            "%(num)d project registered and reviewed.", "%(num)d projects registered and reviewed.", len(registered)
        ),
    )
    return redirect(f"/projects/{registered[0]}" if len(registered) == 1 else "/projects")


def _located(error: InputError, name: str) -> str:
    where = [str(part) for part in (error.record, error.field) if part]
    value = ""
    if error.value is not None:
        value = messages.render("where.value", i18n.current_lang(), {"value": error.value})
    return f"{name}{': ' + ' · '.join(where) if where else ''}: {problem_text(error)}{value}"


def _changes(before: dict[str, Any] | None, after: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """The fields a version changed: (field path, previous value, new value)."""
    if before is None:
        return []
    old, new = form_from_record(before), form_from_record(after)
    return [(k, old.get(k), new.get(k)) for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)]


def detail_page(
    request: Request,
    session: Session,
    who: Principal,
    code: str,
    *,
    status: int = 200,
    year: int | None = None,
    errors: dict[str, list[str]] | None = None,
) -> Response:
    history = use.history(session, who, code)
    project = history["project"]
    versions = history["versions"]
    for index, version in enumerate(versions):
        version["changes"] = _changes(versions[index - 1]["record"] if index else None, version["record"])
    reviews = history["reviews"]
    latest = reviews[-1] if reviews else None
    measured = None
    if project["facility_code"] is not None:
        measured = use.measured(session, who, code, year or dt.date.today().year - 1)
        if year is None and measured.status == "no_data" and measured.years_with_data:
            measured = use.measured(session, who, code, measured.years_with_data[-1])
    may_manage = access.allowed(who, "project.manage")
    return render(
        request,
        "project.html",
        status,
        **context(
            request,
            project=project,
            record=history["record"],
            versions=versions,
            reviews=reviews,
            latest=latest,
            audit=history["audit"],
            measured=measured,
            facilities=use.linkable_facilities(session, who, code) if may_manage else [],
            facility_visible=use.facility_in_scope(session, who, project["facility_code"]),
            may_manage=may_manage,
            errors=errors or {},
            **_labels(),
        ),
    )


@router.get("/projects/{code}")
def project_page(request: Request, code: str, session: DbSession, who: Who, year: str | None = None) -> Response:
    use.find(session, who, code)
    chosen = None
    if year:
        if not year.isdigit() or not 1990 <= int(year) <= 2100:
            raise BadRequest(N_("The year must be a number such as 2025."))
        chosen = int(year)
    return detail_page(request, session, who, code, year=chosen)


@router.get("/projects/{code}/correct")
def correction_form(request: Request, code: str, session: DbSession, who: Who) -> Response:
    project = use.find(session, who, code, "project.manage")
    record = use.history(session, who, code)["record"] or {}
    return form_page(request, who, values=form_from_record(record), correcting=project)


@router.post("/projects/{code}/correct")
async def correct(request: Request, code: str, session: DbSession, who: Who) -> Response:
    """A corrected record with its reason: a new version (the earlier ones stay), reviewed at once."""
    project = use.find(session, who, code, "project.manage")
    values = await form_values(request)
    reason = str(values.pop("reason", "")).strip()
    values["id"] = project.code  # a project's code does not change
    try:
        done = use.correct_project(session, who, project.code, record_from_form(values), reason, review=True)
    except InputError as exc:
        problems = _problems(exc)
    else:
        session.commit()
        flash(request, _("Version %(version)s of %(code)s saved and reviewed.", version=done.version, code=done.code))
        return redirect(f"/projects/{project.code}")
    session.rollback()
    beside, general = errors_by_field([p for p in problems if p.field != "reason"])
    reasons = [problem_text(p) for p in problems if p.field == "reason"]
    if reasons:
        beside["reason"] = reasons
    return form_page(
        request, who, values=values, errors=beside, general=general, status=422, correcting=project, reason=reason
    )


@router.post("/projects/{code}/review")
async def review(request: Request, code: str, session: DbSession, who: Who) -> Response:
    """Review the current version again and store it, at a chosen day (default: its planned start) and with
    the national approved capacity where known (rule R6b)."""
    use.find(session, who, code, "project.manage")
    form = await request.form()
    period = str(form.get("period") or "").strip() or None
    capacity_text = str(form.get("national_capacity") or "").strip()
    errors: dict[str, list[str]] = {}
    national = None
    if capacity_text:
        national = _number(capacity_text)
        if not isinstance(national, float) or not 0 <= national < float("inf"):
            errors["national_capacity"] = [_message("projects.not_a_number")]
    if period is not None and not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", period):
        errors["period"] = [_message("projects.not_a_date")]
    if not errors:
        try:
            run = use.review(session, who, code, period=period, national_approved_capacity_t_per_a=national)
        except InputError as exc:
            for problem in _problems(exc):
                name = "national_capacity" if problem.field == "national_approved_capacity_t_per_a" else "period"
                errors.setdefault(name, []).append(problem_text(problem))
        else:
            session.commit()
            flash(
                request,
                _(
                    "Review %(id)s stored: %(classification)s.",
                    id=run.id,
                    classification=classification_label(run.classification),
                ),
            )
            return redirect(f"/projects/{code}")
    session.rollback()
    return detail_page(request, session, who, code, status=422, errors=errors)


@router.post("/projects/{code}/link")
async def link(request: Request, code: str, session: DbSession, who: Who) -> Response:
    """Link a built project to the registry facility (within the person's scope) whose months measure it."""
    use.find(session, who, code, "project.manage")
    form = await request.form()
    facility = str(form.get("facility") or "").strip()
    if not facility:
        session.rollback()
        errors = {"facility": [_message("projects.required")]}
        return detail_page(request, session, who, code, status=422, errors=errors)
    try:
        use.link_facility(session, who, code, facility)
    except InputError as exc:
        session.rollback()
        return detail_page(request, session, who, code, status=422, errors={"facility": [problem_text(exc)]})
    session.commit()
    flash(request, _("%(code)s is linked to facility %(facility)s.", code=code, facility=facility))
    return redirect(f"/projects/{code}")
