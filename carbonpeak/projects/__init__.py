"""Review of high-energy, high-emission projects (两高项目审查).

``read_projects`` reads and validates project records (:mod:`carbonpeak.projects.model`);
``review_project`` applies the rules of the parameter family ``projects.review`` for a period and
classifies the project halt / rectify / proceed (:mod:`carbonpeak.projects.review`).
:mod:`carbonpeak.projects.store` keeps records in the store (versions, facility link, stored reviews) and
compares a built project's measured energy and emissions with what was designed and approved.
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
