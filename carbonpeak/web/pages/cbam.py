"""EU CBAM for aluminium exporters: the installations a person may make a package for (/cbam), one
installation's package for a year with the operator's form (/cbam/{facility}), and its workbook download.

Thin adapter over :mod:`carbonpeak.services.cbam` (access, verified months, figures, gaps) and
:mod:`carbonpeak.services.cbam_workbook` (the Excel file)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from starlette.background import BackgroundTask

from carbonpeak.errors import CarbonpeakError, InputError, ValidationFailed
from carbonpeak.messages import Message
from carbonpeak.services import cbam as cbam_use
from carbonpeak.services.cbam_form import InstallationForm
from carbonpeak.services.cbam_notes import note_messages
from carbonpeak.services.cbam_workbook import write_workbook
from carbonpeak.web import i18n
from carbonpeak.web.deps import DbSession, Who, render
from carbonpeak.web.i18n import N_, _
from carbonpeak.web.pages.common import context

router = APIRouter()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORM_FIELDS = tuple(InstallationForm().as_dict())
# The form's fields as the page names them (msgids of carbonpeak/web/locale/zh_CN/LC_MESSAGES/cbam.po).
FIELD_LABELS = {
    "street_number": N_("Street and number"),
    "post_code": N_("Post code"),
    "po_box": N_("P.O. box"),
    "unlocode": N_("UN/LOCODE of the site"),
    "latitude": N_("Latitude of the main emission source"),
    "longitude": N_("Longitude of the main emission source"),
    "operator_address": N_("Operator's address"),
    "electricity_fuels": N_("Fuels used for electricity production (captive plant)"),
    "cn_code": N_("CN code of the product"),
    "precursor_mass_t": N_("Purchased unwrought aluminium consumed [t]"),
    "precursor_country": N_("Country where it was produced"),
    "precursor_see": N_("Supplier's actual specific embedded emissions [tCO2e/t]"),
    "precursor_see_source": N_("Supplier's communication it comes from"),
    "year": N_("Year"),
}


def _form_values(request: Request) -> dict[str, str]:
    return {k: request.query_params.get(k, "")[:200] for k in FORM_FIELDS}


def _year(request: Request, default: int | None) -> int | None:
    text = request.query_params.get("year", "")
    return int(text) if text.isdigit() and len(text) == 4 else default


@router.get("/cbam")
def cbam_list(request: Request, session: DbSession, who: Who) -> Response:
    found = cbam_use.installations(session, who)
    return render(request, "cbam.html", **context(request, installations=found))


@router.get("/cbam/{facility}")
def cbam_page(facility: str, request: Request, session: DbSession, who: Who) -> Response:
    found = {i.code: i for i in cbam_use.installations(session, who)}
    values = _form_values(request)
    installation = found.get(facility)
    package, problem, form_errors = None, None, []
    if installation is None:
        try:  # refused (403/404) as everywhere, or named: not an aluminium installation
            cbam_use.check_installation(session, who, facility)
        except InputError as exc:
            problem = exc.message_text(i18n.current_lang())
    year = _year(request, installation.complete_years[-1] if installation and installation.complete_years else None)
    if year is not None:
        try:
            package = cbam_use.cbam_package(session, who, facility, year, InstallationForm.from_mapping(values))
        except ValidationFailed as exc:
            form_errors = [_form_error(e) for e in exc.errors]
        except InputError as exc:
            if exc.field in FIELD_LABELS:
                form_errors = [_form_error(exc)]
            else:
                problem = exc.message_text(i18n.current_lang())
        except CarbonpeakError as exc:
            if exc.code in ("access.denied", "access.not_found"):
                raise
            problem = exc.text(i18n.current_lang())
    lang = i18n.current_lang()
    query = urlencode({"year": year or "", **{k: v for k, v in values.items() if v}})
    return render(
        request,
        "cbam_package.html",
        **context(
            request,
            facility=facility,
            installation=installation,
            year=year,
            package=package,
            problem=problem,
            form_errors=form_errors,
            values=values,
            field_labels=FIELD_LABELS,
            gaps=_gaps(package, lang),
            notes=[n.text(lang) for n in note_messages(package)] if package else [],
            download=f"/cbam/{facility}/package.xlsx?{query}",
        ),
    )


def _gaps(package: cbam_use.CbamPackage | None, lang: str) -> list[str]:
    if package is None:
        return []
    texts = [g.text(lang) for g in package.gaps] + [g.text(lang) for c in package.comparisons for g in c.gaps]
    return list(dict.fromkeys(texts))


def _form_error(error: InputError) -> dict[str, Any]:
    lang = i18n.current_lang()
    expected = error.expected.text(lang) if isinstance(error.expected, Message) else (error.expected or "")
    label = FIELD_LABELS.get(error.field or "", "")
    return {"field": _(label) if label else "", "value": error.value, "expected": expected or error.message_text(lang)}


@router.get("/cbam/{facility}/package.xlsx")
def cbam_download(facility: str, request: Request, session: DbSession, who: Who) -> Response:
    cbam_use.check_installation(session, who, facility)  # access first
    year = _year(request, None)
    if year is None:
        raise InputError(code="cbam.bad_year", field="year", value=request.query_params.get("year", ""))
    package = cbam_use.cbam_package(session, who, facility, year, InstallationForm.from_mapping(_form_values(request)))
    return workbook_response(package)


def workbook_response(package: cbam_use.CbamPackage) -> FileResponse:
    folder = Path(tempfile.mkdtemp(prefix="carbonpeak-cbam-"))
    name = f"CBAM_{package.facility_code}_{package.year}.xlsx"
    path = write_workbook(package, folder / name)
    return FileResponse(
        path, media_type=XLSX, filename=name, background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True)
    )
