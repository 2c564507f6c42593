"""Who may read and do what: the one place where access is decided.

Every query of the web platform (pages and API) takes its rows through the filters here, and every
action asks :func:`require` (what the role may do) and one of the ``get_*`` functions (whether the
object is within the person's scope). Nothing else in :mod:`carbonpeak.web` decides access.

Scopes:

* **enterprise** user: the facilities of their own enterprise; reports, submits and corrects them.
* **city regulator** / **provincial regulator**: every facility in their region and the regions
  below it (the jurisdiction, by ``Region.parent_id``); they read everything there and work through
  its warnings. Only a provincial regulator (or an administrator) raises new warnings.
* **verifier**: the facilities of the enterprises assigned to them; verifies (or returns) and locks their
  months.
* **administrator**: everything, and the accounts.

An object outside the scope is *forbidden* (403); an object that does not exist is *not found* (404).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

import pandas as pd
from sqlalchemy import ColumnElement, Select, and_, false, or_, select, true
from sqlalchemy.orm import Session

from carbonpeak.errors import AccessDenied as Forbidden
from carbonpeak.errors import NotFound
from carbonpeak.store.accounts import ApiToken, User, VerifierAssignment
from carbonpeak.store.models import Enterprise, Facility, Region, Submission, Warning

ENTERPRISE = "enterprise"
CITY = "city_regulator"
PROVINCE = "province_regulator"
VERIFIER = "verifier"
ADMIN = "admin"
REGULATORS = frozenset({CITY, PROVINCE})

# What each role may do (on objects within its scope).
PERMISSIONS: dict[str, frozenset[str]] = {
    "overview.view": frozenset({CITY, PROVINCE, ADMIN}),
    "registry.view": frozenset({ENTERPRISE, CITY, PROVINCE, VERIFIER, ADMIN}),
    "registry.manage": frozenset({CITY, PROVINCE, ADMIN}),  # regions, parks, enterprises, facilities in scope
    "registry.propose": frozenset({ENTERPRISE}),  # a change to one's own facility, for a regulator to decide
    "registry.decide": frozenset({CITY, PROVINCE, ADMIN}),  # approve or reject a proposed change
    "submission.view": frozenset({ENTERPRISE, CITY, PROVINCE, VERIFIER, ADMIN}),
    "submission.report": frozenset({ENTERPRISE, ADMIN}),  # upload, save a draft, submit, correct
    "submission.verify": frozenset({VERIFIER, ADMIN}),
    "submission.lock": frozenset({VERIFIER, ADMIN}),
    "warning.view": frozenset({ENTERPRISE, CITY, PROVINCE, VERIFIER, ADMIN}),
    "warning.act": frozenset({CITY, PROVINCE, ADMIN}),
    "warning.refresh": frozenset({PROVINCE, ADMIN}),
    "pathways.view": frozenset({CITY, PROVINCE, ADMIN}),  # scenarios and runs of the person's region
    "pathways.run": frozenset({CITY, PROVINCE, ADMIN}),  # run a scenario (kept in memory, nothing stored)
    "project.view": frozenset({CITY, PROVINCE, ADMIN}),  # 两高 projects: see project_filter
    "project.manage": frozenset({PROVINCE, ADMIN}),  # enter, correct, review, link to a facility
    "capacity.manage": frozenset({PROVINCE, ADMIN}),  # record capacity events, replacements; seed the ledger
    "benchmark.view": frozenset({ENTERPRISE, CITY, PROVINCE, VERIFIER, ADMIN}),
    "parameters.view": frozenset({ENTERPRISE, CITY, PROVINCE, VERIFIER, ADMIN}),
    "parameters.enter": frozenset({ADMIN}),  # an official value with its citation, as a new version
    "parameters.recompute": frozenset({ADMIN}),  # recompute the months a value affects; see its progress
    "statistics.enter": frozenset({CITY, PROVINCE, ADMIN}),  # a region's published statistic, in the jurisdiction
    "export": frozenset({ENTERPRISE, CITY, PROVINCE, VERIFIER, ADMIN}),
    "cbam.package": frozenset({ENTERPRISE, CITY, PROVINCE, ADMIN}),  # an installation's EU CBAM package
    "account.self": frozenset({ENTERPRISE, CITY, PROVINCE, VERIFIER, ADMIN}),
    "users.manage": frozenset({ADMIN}),
    # green power (services/green_power.py): everyone reads in scope; an enterprise registers its own
    "green_power.view": frozenset({ENTERPRISE, CITY, PROVINCE, VERIFIER, ADMIN}),
    "green_power.enter": frozenset({ENTERPRISE, ADMIN}),
    "report.sign": frozenset({CITY, PROVINCE, ADMIN}),  # sign a report of the jurisdiction off: it is locked
    # an enterprise's reports (services/reports_kinds.py): its people make and file (sign, lock) them; its
    # verifiers and the regulators of its region read them
    "report.enterprise.view": frozenset({ENTERPRISE, CITY, PROVINCE, VERIFIER, ADMIN}),
    "report.enterprise.make": frozenset({ENTERPRISE, ADMIN}),
    "report.enterprise.sign": frozenset({ENTERPRISE, ADMIN}),
    # the pollutant ledger (services/pollutants.py): everyone reads in scope; an enterprise reports its own
    "pollutants.view": frozenset({ENTERPRISE, CITY, PROVINCE, VERIFIER, ADMIN}),
    "pollutants.enter": frozenset({ENTERPRISE, ADMIN}),
    # the green-manufacturing register (services/green_register*.py): everyone reads in scope; regulators
    # manage the designations of their region; an enterprise files its own dynamic-management indicators
    "green.view": frozenset({ENTERPRISE, CITY, PROVINCE, VERIFIER, ADMIN}),
    "green.manage": frozenset({CITY, PROVINCE, ADMIN}),
    "green.file": frozenset({ENTERPRISE, ADMIN}),
    # disclosure (services/disclosure*.py): an enterprise states its allowance surrender and publishes (files)
    # its own disclosure reports; regulators see the deadline list of their region and flag who must disclose
    "disclosure.view": frozenset({ENTERPRISE, CITY, PROVINCE, ADMIN}),
    "disclosure.state": frozenset({ENTERPRISE, ADMIN}),
    "disclosure.deadlines": frozenset({CITY, PROVINCE, ADMIN}),
    "disclosure.flag": frozenset({CITY, PROVINCE, ADMIN}),
    # the national carbon market's monthly evidence deposit (services/ets_deposit.py): the enterprise deposits
    # its own; the regulators of its region review (accept or return) it; its verifiers read it
    "ets.view": frozenset({ENTERPRISE, CITY, PROVINCE, VERIFIER, ADMIN}),
    "ets.deposit": frozenset({ENTERPRISE, ADMIN}),
    "ets.review": frozenset({CITY, PROVINCE, ADMIN}),
}
# Which workflow action a target status needs.
STEP_PERMISSION = {
    "submitted": "submission.report",
    "verified": "submission.verify",
    "returned": "submission.verify",  # 退回修改: the verifier sends a submitted month back to the enterprise
    "locked": "submission.lock",
}


@dataclass(frozen=True)
class Principal:
    """The person (or their API token) behind a request, with their scope resolved to ids."""

    user_id: int
    username: str
    display_name: str
    role: str
    region_id: int | None
    enterprise_id: int | None
    region_ids: frozenset[int]  # the jurisdiction: the user's region and every region below it
    enterprise_ids: frozenset[int]  # an enterprise user's own, a verifier's assigned enterprises
    via_token: bool = False
    audit_as: str | None = None  # the command line's operator is named as given (cli:<user>)

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    @property
    def actor(self) -> str:
        """How the audit log names this person."""
        if self.audit_as:
            return self.audit_as
        return f"web:{self.username}" + (" (api)" if self.via_token else "")


def operator(actor: str) -> Principal:
    """The person at the command line: an administrator (whoever runs the CLI holds the database), with
    no account of the web (``user_id`` 0), named in the audit log as ``actor``."""
    return Principal(
        user_id=0,
        username=actor,
        display_name=actor,
        role=ADMIN,
        region_id=None,
        enterprise_id=None,
        region_ids=frozenset(),
        enterprise_ids=frozenset(),
        audit_as=actor,
    )


def subtree(session: Session, region_id: int) -> frozenset[int]:
    """A region and every region below it."""
    children: dict[int | None, list[int]] = {}
    for rid, parent in session.execute(select(Region.id, Region.parent_id)):
        children.setdefault(parent, []).append(rid)
    found, todo = {region_id}, [region_id]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return frozenset(found)


def principal_for(session: Session, user: User, *, via_token: bool = False) -> Principal:
    region_ids: frozenset[int] = frozenset()
    enterprise_ids: frozenset[int] = frozenset()
    if user.role in REGULATORS and user.region_id is not None:
        region_ids = subtree(session, user.region_id)
    if user.role == ENTERPRISE and user.enterprise_id is not None:
        enterprise_ids = frozenset({user.enterprise_id})
    if user.role == VERIFIER:
        enterprise_ids = frozenset(
            session.scalars(select(VerifierAssignment.enterprise_id).where(VerifierAssignment.user_id == user.id))
        )
    return Principal(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name or user.username,
        role=user.role,
        region_id=user.region_id,
        enterprise_id=user.enterprise_id,
        region_ids=region_ids,
        enterprise_ids=enterprise_ids,
        via_token=via_token,
    )


# ---------------------------------------------------------------- what a role may do


def allowed(principal: Principal, action: str) -> bool:
    return principal.role in PERMISSIONS[action]


def require(principal: Principal, action: str) -> None:
    if not allowed(principal, action):
        raise Forbidden()


# ---------------------------------------------------------------- which rows a person may read


def facility_filter(principal: Principal) -> ColumnElement[bool]:
    """The facilities within the person's scope, as a condition on :class:`Facility`."""
    if principal.role == ADMIN:
        return true()
    if principal.role in REGULATORS:
        return Facility.region_id.in_(sorted(principal.region_ids)) if principal.region_ids else false()
    if principal.role in (ENTERPRISE, VERIFIER):
        return Facility.enterprise_id.in_(sorted(principal.enterprise_ids)) if principal.enterprise_ids else false()
    return false()


def visible_facility_ids(principal: Principal) -> Select[tuple[int]]:
    return select(Facility.id).where(facility_filter(principal))


def enterprise_filter(principal: Principal) -> ColumnElement[bool]:
    """Enterprises within scope: one of their facilities is, or (regulators) they are registered there."""
    if principal.role == ADMIN:
        return true()
    has_visible_facility = Enterprise.id.in_(select(Facility.enterprise_id).where(facility_filter(principal)))
    if principal.role in REGULATORS:
        return or_(has_visible_facility, Enterprise.region_id.in_(sorted(principal.region_ids)))
    return Enterprise.id.in_(sorted(principal.enterprise_ids)) if principal.enterprise_ids else false()


def submission_filter(principal: Principal) -> ColumnElement[bool]:
    if principal.role == ADMIN:
        return true()
    return Submission.facility_id.in_(visible_facility_ids(principal))


def region_filter(principal: Principal) -> ColumnElement[bool]:
    """Regions a person may see figures of: admins all, regulators their jurisdiction, others none."""
    if principal.role == ADMIN:
        return true()
    if principal.role in REGULATORS:
        return Region.id.in_(sorted(principal.region_ids)) if principal.region_ids else false()
    return false()


def warning_filter(principal: Principal) -> ColumnElement[bool]:
    """Warnings about a facility in scope; warnings about a region (a plan target, ``region`` '' for
    the whole registry) to regulators of that region and administrators."""
    if principal.role == ADMIN:
        return true()
    about_facility = Warning.facility_code.in_(select(Facility.code).where(facility_filter(principal)))
    if principal.role in REGULATORS:
        region_wide = [Warning.region.in_(select(Region.code).where(region_filter(principal)))]
        if principal.role == PROVINCE:
            region_wide.append(Warning.region == "")
        return or_(about_facility, and_(Warning.facility_code.is_(None), or_(*region_wide)))
    return about_facility


def token_filter(principal: Principal) -> ColumnElement[bool]:
    """A person sees and revokes their own API tokens."""
    return ApiToken.user_id == principal.user_id


def user_filter(principal: Principal) -> ColumnElement[bool]:
    return true() if principal.role == ADMIN else User.id == principal.user_id


def visible_facility_codes(session: Session, principal: Principal) -> set[str]:
    return set(session.scalars(select(Facility.code).where(facility_filter(principal))))


def restrict_facts(session: Session, principal: Principal, facts: pd.DataFrame) -> pd.DataFrame:
    """The rows of a facts table (``facility_code`` column) within the person's scope."""
    if principal.role == ADMIN:
        return facts
    keep = facts[facts["facility_code"].isin(visible_facility_codes(session, principal))]
    keep.attrs.update(facts.attrs)
    return keep


def regions_in_scope(session: Session, principal: Principal) -> list[Region]:
    """Regions whose figures the person may see, the top of the jurisdiction first."""
    regions = list(session.scalars(select(Region).where(region_filter(principal)).order_by(Region.id)))
    if principal.region_id is not None:
        regions.sort(key=lambda r: r.id != principal.region_id)
    return regions


# ---------------------------------------------------------------- one object


def get_facility(session: Session, principal: Principal, code: str, action: str = "submission.view") -> Facility:
    """The facility, when the person may do ``action`` on it; else NotFound or Forbidden."""
    facility = session.scalar(select(Facility).where(Facility.code == code))
    if facility is None:
        raise NotFound()
    require(principal, action)
    if not session.scalar(select(true()).where(Facility.id == facility.id, facility_filter(principal))):
        raise Forbidden()
    return facility


def get_enterprise(session: Session, principal: Principal, code: str) -> Enterprise:
    enterprise = session.scalar(select(Enterprise).where(Enterprise.code == code))
    if enterprise is None:
        raise NotFound()
    require(principal, "registry.view")
    if not session.scalar(select(true()).where(Enterprise.id == enterprise.id, enterprise_filter(principal))):
        raise Forbidden()
    return enterprise


def get_region(session: Session, principal: Principal, code: str) -> Region:
    region = session.scalar(select(Region).where(Region.code == code))
    if region is None:
        raise NotFound()
    require(principal, "overview.view")
    if not session.scalar(select(true()).where(Region.id == region.id, region_filter(principal))):
        raise Forbidden()
    return region


# A row id is a signed 64-bit integer in both databases; a larger or smaller number names no row (and
# would make the driver fail before the query runs).
ID_RANGE = range(1, 2**63)
T = TypeVar("T")


def by_id(session: Session, model: type[T], row_id: int) -> T | None:
    """The row of ``model`` with this id, or None, also for an id no row can have."""
    return session.get(model, row_id) if row_id in ID_RANGE else None


def get_warning(session: Session, principal: Principal, warning_id: int, action: str = "warning.view") -> Warning:
    warning = by_id(session, Warning, warning_id)
    if warning is None:
        raise NotFound()
    require(principal, action)
    if not session.scalar(select(true()).where(Warning.id == warning.id, warning_filter(principal))):
        raise Forbidden()
    return warning


def get_token(session: Session, principal: Principal, token_id: int) -> ApiToken:
    token = by_id(session, ApiToken, token_id)
    if token is None:
        raise NotFound()
    if token.user_id != principal.user_id:
        raise Forbidden()
    return token


def get_user(session: Session, principal: Principal, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound()
    require(principal, "users.manage")
    return user


def check_facilities(session: Session, principal: Principal, codes: Iterable[str], action: str) -> list[str]:
    """The codes among ``codes`` the person may NOT do ``action`` on (unknown codes are left to the
    importer, which names them)."""
    require(principal, action)
    wanted = set(codes)
    known = set(session.scalars(select(Facility.code).where(Facility.code.in_(sorted(wanted)))))
    mine = set(
        session.scalars(select(Facility.code).where(Facility.code.in_(sorted(known)), facility_filter(principal)))
    )
    return sorted(known - mine)


# ---------------------------------------------------------------- 两高 projects
#
# A project's location is its site (``Project.province``: a vocabulary province code such as ``shaanxi``;
# the city and county are free text in the record). A regulator's jurisdiction is mapped onto it so:
#
# * the jurisdiction's provinces are the ``grid_province`` of every region in it and of the nearest
#   ancestor of its top region that names one (a city regulator of demo-d: ``shaanxi``);
# * a provincial regulator sees every project sited in those provinces, and may enter, correct, review
#   and link them (``project.manage``; a new or corrected site must stay in those provinces);
# * a city regulator reads (never writes) the projects sited in those provinces whose site city or
#   county names a region of the jurisdiction (its code, Chinese or English name), or that are linked to
#   a facility within the jurisdiction;
# * an administrator sees and manages all; enterprise users and verifiers none (403).

from carbonpeak.store.models import Project, ProjectVersion  # noqa: E402  (kept beside the project rules)


def jurisdiction_provinces(session: Session, principal: Principal) -> frozenset[str]:
    """The vocabulary province codes of a regulator's jurisdiction (empty for other roles)."""
    if principal.role not in REGULATORS or principal.region_id is None:
        return frozenset()
    found = {
        code
        for code in session.scalars(select(Region.grid_province).where(Region.id.in_(sorted(principal.region_ids))))
        if code
    }
    region = session.get(Region, principal.region_id)
    while region is not None:
        if region.grid_province:
            found.add(region.grid_province)
            break
        region = session.get(Region, region.parent_id) if region.parent_id else None
    return frozenset(found)


def _site_names(session: Session, principal: Principal) -> set[str]:
    names: set[str] = set()
    for code, zh, en in session.execute(
        select(Region.code, Region.name_zh, Region.name_en).where(Region.id.in_(sorted(principal.region_ids)))
    ):
        names.update(n.strip().casefold() for n in (code, zh, en) if n and n.strip())
    return names


def project_filter(session: Session, principal: Principal) -> ColumnElement[bool]:
    """The projects within the person's scope, as a condition on :class:`carbonpeak.store.models.Project`."""
    if principal.role == ADMIN:
        return true()
    if principal.role not in REGULATORS:
        return false()
    provinces = sorted(jurisdiction_provinces(session, principal))
    if not provinces:
        return false()
    if principal.role == PROVINCE:
        return Project.province.in_(provinces)
    names = _site_names(session, principal)
    facilities = set(session.scalars(visible_facility_ids(principal)))
    rows = session.execute(
        select(Project.id, Project.facility_id, ProjectVersion.record)
        .join(
            ProjectVersion,
            and_(ProjectVersion.project_id == Project.id, ProjectVersion.version == Project.current_version),
        )
        .where(Project.province.in_(provinces))
    )
    ids = []
    for project_id, facility_id, record in rows:
        site = record.get("site") or {}
        here = {str(site.get(k) or "").strip().casefold() for k in ("city", "county")} - {""}
        if facility_id in facilities or here & names:
            ids.append(project_id)
    return Project.id.in_(sorted(ids)) if ids else false()


def may_site_project(session: Session, principal: Principal, province: str) -> bool:
    """Whether the person may enter (or correct) a project sited in ``province``."""
    if not allowed(principal, "project.manage"):
        return False
    return principal.role == ADMIN or province in jurisdiction_provinces(session, principal)


def get_project(session: Session, principal: Principal, code: str, action: str = "project.view") -> Project:
    """The stored project (:class:`carbonpeak.store.models.Project`) when the person may do ``action`` on it.

    The role is asked first: to a role that may not see projects at all every project is forbidden (403),
    whether it exists or not; then NotFound (404) or Forbidden (403) as for the other objects."""
    require(principal, action)
    project = session.scalar(select(Project).where(Project.code == code))
    if project is None:
        raise NotFound(code="projects.unknown_project", project=code)
    if not session.scalar(select(true()).where(Project.id == project.id, project_filter(session, principal))):
        raise Forbidden()
    return project


# The energy-utilisation status report (services/energy_report.py): the enterprise completes and files its
# own; the regulators of its region read and review (accept or return); its verifiers read.
PERMISSIONS["energy_report.view"] = frozenset({ENTERPRISE, CITY, PROVINCE, VERIFIER, ADMIN})
PERMISSIONS["energy_report.fill"] = frozenset({ENTERPRISE, ADMIN})
PERMISSIONS["energy_report.review"] = frozenset({CITY, PROVINCE, ADMIN})
