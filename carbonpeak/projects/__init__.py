"""Review of high-energy, high-emission projects (两高项目审查).

``read_projects`` reads and validates project records (:mod:`carbonpeak.projects.model`);
``review_project`` applies the rules of the parameter family ``projects.review`` for a period and
classifies the project halt / rectify / proceed (:mod:`carbonpeak.projects.review`).
:mod:`carbonpeak.projects.records` holds the rules of keeping records (versions, not overwrites; the facility
link) and :mod:`carbonpeak.projects.measured` compares a built project's measured energy and emissions with
what was designed and approved. All pure: the records are kept by :mod:`carbonpeak.store.projects`, through
the use cases of :mod:`carbonpeak.services.projects`.
"""

from carbonpeak.projects.model import Indicator, Project, ProjectKind, collect_projects, parse_project, read_projects
from carbonpeak.projects.review import (
    Classification,
    MeasuredComparison,
    Outcome,
    ProjectReview,
    RuleResult,
    review_project,
)

__all__ = [
    "Classification",
    "Indicator",
    "MeasuredComparison",
    "Outcome",
    "Project",
    "ProjectKind",
    "ProjectReview",
    "RuleResult",
    "collect_projects",
    "parse_project",
    "read_projects",
    "review_project",
]
