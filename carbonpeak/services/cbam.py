"""EU CBAM for aluminium exporters: the operator's package of an installation for a reporting period.

One use case, :func:`cbam_package`: access first (the enterprise itself, the regulators of its region and an
administrator), then the year's twelve months must all be verified (else a coded error naming the months),
then the form's entries are checked all at once, then the package is built from the verified versions: the
Communication Template's installation data, source streams, PFC, emissions and energy, production process,
purchased precursors and summaries, the specific embedded direct emissions of the goods category, the
comparison with the EU default value and its mark-up by year, the importer's certificate cost per tonne, and
the Art. 10 registration data. What the registry does not hold and the form leaves empty is a gap, listed
with the rest; with ``complete=True`` a missing required entry is an error listing every one instead.

Nothing is written: the package is read from the store and returned (the workbook is written by
:mod:`carbonpeak.services.cbam_workbook` into a file the caller names, whole or not at all).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from carbonpeak.errors import CarbonpeakError, InputError, ParameterNotFound
from carbonpeak.messages import Message
from carbonpeak.parameters import Cited, ParameterSet
from carbonpeak.services import access
from carbonpeak.services.access import Principal
from carbonpeak.services.cbam_figures import Figures, Precursor, compute, embedded, rules_day
from carbonpeak.services.cbam_form import FORM, CheckedForm, InstallationForm, check
from carbonpeak.store import repository as repo
from carbonpeak.store.models import Facility, SubmissionVersion
from carbonpeak.store.parameters import parameter_set
from carbonpeak.vocabulary import SECTOR_LABELS, Sector

SECTORS = (Sector.ELECTROLYTIC_ALUMINIUM, Sector.RECYCLED_ALUMINIUM, Sector.ALUMINIUM_PROCESSING)
COUNTRY = "CN"  # the registry is that of China's provinces
COMPARISON_YEARS = (2026, 2027, 2028)  # the mark-up schedule of IR 2025/2621: 2026, 2027, from 2028
REGISTRATION_YEARS = 5  # Art. 10 of Regulation (EU) 2023/956: a registration is valid for five years


@dataclass(frozen=True)
class YearComparison:
    """The installation's actual SEE against the default value marked up for an import year."""

    year: int
    default_see: float | None
    markup_pct: float | None
    default_marked_up: float | None
    actual_see: float | None
    price_eur: float | None
    cost_actual_eur_per_t: float | None  # certificates per tonne of good at the actual SEE
    cost_default_eur_per_t: float | None  # the same at the marked-up default value
    cited: list[Cited] = field(default_factory=list)
    gaps: list[Message] = field(default_factory=list)


@dataclass
class CbamPackage:
    facility_code: str
    facility_name_zh: str
    facility_name_en: str
    enterprise_name_zh: str
    enterprise_name_en: str
    year: int
    sector: Sector
    rules_on: dt.date | None  # the day whose IR 2025/2547 coefficients apply (a data year before 2026)
    installation: dict[str, str]  # A_InstData "About the installation", by the template's field label
    registration: dict[str, str]  # Art. 10 operator and installation data
    form: InstallationForm
    figures: Figures
    comparisons: list[YearComparison]
    gaps: list[Message] = field(default_factory=list)
    months_used: list[str] = field(default_factory=list)

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 1, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.year, 12, 31)


def months_of(year: int) -> list[str]:
    return [f"{year}-{m:02d}" for m in range(1, 13)]


def cbam_package(
    session: Session,
    principal: Principal,
    facility_code: str,
    year: int,
    form: InstallationForm | None = None,
    *,
    complete: bool = False,
    params: ParameterSet | None = None,
) -> CbamPackage:
    """The operator's CBAM package of one installation for a calendar year (see the module's text)."""
    access.require(principal, "cbam.package")
    facility = access.get_facility(session, principal, facility_code, "cbam.package")
    sector = _sector(facility)
    if not 2000 <= year <= 2100:
        raise InputError(code="cbam.bad_year", file=FORM, field="year", value=year)
    versions = verified_versions(session, facility, year)
    checked = check(form or InstallationForm())
    params = params or parameter_set(session)
    installation, registration, missing = _installation(facility, checked)
    if sector == Sector.ALUMINIUM_PROCESSING and not checked.cn_code:
        missing.append("cn_code")
    if sector == Sector.ALUMINIUM_PROCESSING and checked.precursor_mass_t is None:
        missing.append("precursor_mass_t")
    if complete and missing:
        raise InputError(
            code="cbam.installation_data_missing", file=FORM, fields=[Message(f"cbam.gap.{name}") for name in missing]
        )
    figures = compute(
        sector,
        versions,
        params,
        year=year,
        electricity_fuels=checked.electricity_fuels,
        cn_code=checked.cn_code,
    )
    _captive_gap(figures, versions, checked)
    embedded(figures, _precursors(sector, checked, params, figures))
    comparisons = [_compare(figures, params, y) for y in sorted({*COMPARISON_YEARS, *([year] if year >= 2026 else [])})]
    gaps = [Message(f"cbam.gap.{name}") for name in missing] + figures.gaps
    return CbamPackage(
        facility.code,
        facility.name_zh,
        facility.name_en,
        facility.enterprise.name_zh,
        facility.enterprise.name_en,
        year,
        sector,
        rules_day(year) if sector == Sector.ELECTROLYTIC_ALUMINIUM else None,
        installation,
        registration,
        checked.entries,
        figures,
        comparisons,
        gaps,
        [f"{v.record['period']} v{v.version}" for v in versions],
    )


def check_installation(session: Session, principal: Principal, facility_code: str) -> Facility:
    """The facility, when the person may make its package (access first) and it is an aluminium installation."""
    access.require(principal, "cbam.package")
    facility = access.get_facility(session, principal, facility_code, "cbam.package")
    _sector(facility)
    return facility


def _sector(facility: Facility) -> Sector:
    try:
        sector = Sector(facility.sector)
    except ValueError:
        sector = Sector.OTHER
    if sector not in SECTORS:
        raise InputError(
            code="cbam.not_aluminium",
            file=FORM,
            field="facility",
            value=facility.code,
            sector=SECTOR_LABELS.get(sector, (facility.sector, facility.sector))[0],
        )
    return sector


def verified_versions(session: Session, facility: Facility, year: int) -> list[SubmissionVersion]:
    """The latest verified (or locked) version of each month of the year; a coded error naming every month
    that has none (not reported, or reported and not yet verified)."""
    found: list[SubmissionVersion] = []
    unverified: list[str] = []
    for period in months_of(year):
        counted = [v for v in repo.versions_of(session, facility.code, period) if v.status in repo.COUNTED]
        if counted:
            found.append(max(counted, key=lambda v: v.version))
        else:
            unverified.append(period)
    if unverified:
        raise CarbonpeakError(
            code="cbam.months_unverified", facility=facility.code, year=year, months=", ".join(unverified)
        )
    return found


# The A_InstData "About the installation" fields (labels as the template writes them; see
# docs/methods/cbam.md §7 for where they were read) and whether Art. 10 or the template needs them.
REQUIRED = ("street_number", "unlocode", "latitude", "longitude", "operator_address", "representative", "email")


def _installation(facility: Facility, form: CheckedForm) -> tuple[dict[str, str], dict[str, str], list[str]]:
    enterprise = facility.enterprise
    sector = Sector(facility.sector)
    values = {
        "name_optional": facility.name_zh,
        "name_en": facility.name_en,
        "street_number": form.entries.street_number,
        "economic_activity": f"{SECTOR_LABELS[sector][1]} ({PROCESS_ACTIVITY[sector]})",
        "post_code": form.entries.post_code,
        "po_box": form.entries.po_box,
        "city": facility.region.name_en or "",
        "country": COUNTRY,
        "unlocode": form.unlocode or "",
        "latitude": form.latitude or "",
        "longitude": form.longitude or "",
        "representative": enterprise.contact_person or "",
        "email": enterprise.contact_email or "",
        "telephone": enterprise.contact_phone or "",
        "operator_address": form.entries.operator_address,
    }
    missing = [name for name in REQUIRED if not values[name]]
    installation = {label: values[name] for name, label in A_INSTDATA.items()}
    registration = {
        "operator_name": enterprise.name_en or enterprise.name_zh,
        "operator_address": values["operator_address"],
        "operator_contact": " / ".join(
            v for v in (values["representative"], values["email"], values["telephone"]) if v
        ),
        "installation_name": facility.name_en or facility.name_zh,
        "installation_address": ", ".join(v for v in (values["street_number"], values["city"], COUNTRY) if v),
        "latitude": values["latitude"],
        "longitude": values["longitude"],
        "main_activity": values["economic_activity"],
        "validity_years": str(REGISTRATION_YEARS),
    }
    return installation, registration, missing


A_INSTDATA = {
    "name_optional": "Name of the installation (optional):",
    "name_en": "Name of the installation (English name):",
    "street_number": "Street, Number:",
    "economic_activity": "Economic activity:",
    "post_code": "Post code:",
    "po_box": "P.O. Box:",
    "city": "City:",
    "country": "Country:",
    "unlocode": "UNLOCODE:",
    "latitude": "Coordinates of the main emission source (latitude):",
    "longitude": "Coordinates of the main emission source (longitude):",
    "representative": "Name of authorized representative:",
    "email": "Email:",
    "telephone": "Telephone:",
}
PROCESS_ACTIVITY = {
    Sector.ELECTROLYTIC_ALUMINIUM: "unwrought aluminium, primary smelting",
    Sector.RECYCLED_ALUMINIUM: "unwrought aluminium, secondary melting",
    Sector.ALUMINIUM_PROCESSING: "aluminium products",
}


def _captive_gap(figures: Figures, versions: list[SubmissionVersion], form: CheckedForm) -> None:
    """A captive plant's fuel sits in the same fuel lines: until the operator names its fuels, the direct
    emissions would carry the plant's emissions, so the SEE is not shown."""
    captive = sum(float(v.record.get("captive_electricity_mwh") or 0.0) for v in versions)
    if captive > 0 and not form.electricity_fuels and not figures.gaps:
        figures.gaps.append(Message("cbam.gap.electricity_fuels", mwh=round(captive, 1)))


def _precursors(sector: Sector, form: CheckedForm, params: ParameterSet, figures: Figures) -> list[Precursor]:
    """The purchased unwrought aluminium a products plant consumed (E_PurchPrec): the supplier's actual SEE
    where given, else the default value of its country (IR 2025/2621, not marked up: the mark-up is the
    importer's; whether it applies to precursors was not found)."""
    if form.precursor_mass_t is None:
        return []
    country = form.precursor_country or ""
    if form.precursor_see is not None:
        source = form.entries.precursor_see_source or "actual (supplier)"
        return [Precursor(UNWROUGHT_PRECURSOR, country, form.precursor_mass_t, form.precursor_see, source, False)]
    if not country:
        figures.gaps.append(Message("cbam.gap.precursor_country"))
        return []
    try:
        cited = params.at(
            "cbam.default_see", period=f"{max(figures_year(figures), 2026)}-01", country=country, cn_code="7601"
        )
    except ParameterNotFound:
        figures.gaps.append(Message("cbam.gap.precursor_default", country=country))
        return []
    figures.cited.append(cited)
    return [Precursor(UNWROUGHT_PRECURSOR, country, form.precursor_mass_t, float(cited.value), cited.citation(), True)]


UNWROUGHT_PRECURSOR = "Unwrought aluminium"


def figures_year(figures: Figures) -> int:
    return int(figures.months[0].period[:4]) if figures.months else 2026


def default_value(params: ParameterSet, cn_code: str | None, year: int) -> Cited | None:
    """The default SEE held for the good's CN code (its own, else its 4-digit heading); None if not held."""
    if not cn_code:
        return None
    for code in dict.fromkeys((cn_code, cn_code[:4])):
        try:
            return params.at("cbam.default_see", period=f"{year}-01", country=COUNTRY, cn_code=code)
        except ParameterNotFound:
            continue
    return None


def _compare(figures: Figures, params: ParameterSet, year: int) -> YearComparison:
    from carbonpeak.engine.emissions import cbam as engine

    gaps: list[Message] = []
    cited: list[Cited] = []
    default = default_value(params, figures.cn_code, year)
    if default is None:
        gaps.append(Message("cbam.gap.default_value", cn_code=figures.cn_code or "—", year=year))
    else:
        cited.append(default)
    markup = _cited(params, "cbam.default_markup", year, gaps, cited)
    price = _cited(params, "cbam.certificate_price", year, gaps, cited)
    marked = (
        float(engine.default_value_with_markup(float(default.value), markup))
        if default is not None and markup is not None
        else None
    )
    see = figures.see
    return YearComparison(
        year,
        float(default.value) if default is not None else None,
        markup,
        marked,
        see,
        price,
        float(engine.certificate_cost_eur_per_t(see, price)) if see is not None and price is not None else None,
        float(engine.certificate_cost_eur_per_t(marked, price)) if marked is not None and price is not None else None,
        cited,
        gaps,
    )


def _cited(params: ParameterSet, name: str, year: int, gaps: list[Message], cited: list[Cited]) -> float | None:
    try:
        found = params.at(name, period=f"{year}-01")
    except ParameterNotFound as exc:
        gaps.append(Message("cbam.gap.parameter", parameter=exc.params.get("title", name), year=year))
        return None
    cited.append(found)
    return float(found.value)


@dataclass(frozen=True)
class Installation:
    """An aluminium installation the person may make a CBAM package for, with its complete years."""

    code: str
    name_zh: str
    enterprise_zh: str
    sector: Sector
    complete_years: list[int]  # calendar years with all twelve months verified


def installations(session: Session, principal: Principal) -> list[Installation]:
    """The enterprise's own aluminium installations, or those of a regulator's region (access first)."""
    from sqlalchemy import select

    from carbonpeak.store.models import Submission

    access.require(principal, "cbam.package")
    facilities = list(
        session.scalars(
            select(Facility)
            .where(Facility.sector.in_([s.value for s in SECTORS]), access.facility_filter(principal))
            .order_by(Facility.code)
        )
    )
    counted = session.execute(
        select(Submission.facility_id, Submission.period)
        .join(SubmissionVersion, SubmissionVersion.submission_id == Submission.id)
        .where(
            Submission.facility_id.in_([f.id for f in facilities]),
            SubmissionVersion.status.in_(repo.COUNTED),
        )
        .distinct()
    ).all()
    months: dict[tuple[int, int], int] = {}
    for facility_id, period in counted:
        key = (int(facility_id), int(str(period)[:4]))
        months[key] = months.get(key, 0) + 1
    return [
        Installation(
            f.code,
            f.name_zh,
            f.enterprise.name_zh,
            Sector(f.sector),
            sorted(year for (fid, year), n in months.items() if fid == f.id and n == 12),
        )
        for f in facilities
    ]
