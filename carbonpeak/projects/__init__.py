"""Review of high-energy, high-emission projects (两高项目审查).

``read_projects`` reads and validates project records (:mod:`carbonpeak.projects.model`);
``review_project`` applies the rules of the parameter family ``projects.review`` for a period and
classifies the project halt / rectify / proceed (:mod:`carbonpeak.projects.review`).
"""

from carbonpeak.projects.model import Indicator, Project, ProjectKind, parse_project, read_projects
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
    "parse_project",
    "read_projects",
    "review_project",
]
