"""Layers import only downwards: a lower layer never imports a higher one.

From the bottom: shared vocabulary (errors, messages, units); the pure engine and the parameters;
intake and accounting on files; the demonstration generator; the domain rules (capacity, indicators,
projects, pathways: pure functions over plain data, no database); the store (the ORM and the
repositories that read and write it); the use-case layer (services); and the adapters on top (web,
cli). Modules of one layer may import each other.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "carbonpeak"

LAYERS: dict[str, int] = {
    "errors": 0,
    "messages": 0,
    "units": 0,
    "vocabulary": 0,
    "uscc": 0,
    "engine": 1,
    "parameters": 1,
    "accounting": 2,
    "io": 2,
    "demo": 3,
    "capacity": 4,
    "indicators": 4,
    "projects": 4,
    "pathways": 4,
    "plausibility": 4,
    "monitoring": 4,
    "recycling": 4,
    "reports": 4,
    "synergy": 4,
    "green": 4,
    "disclosure": 4,
    "energy_report": 4,
    "ets": 4,
    "store": 5,
    "services": 6,
    "web": 7,
    "cli": 7,
}


DOMAIN = ("capacity", "indicators", "projects", "pathways", "plausibility", "monitoring", "recycling", "reports")
DOMAIN += ("disclosure",)


def _part(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "carbonpeak" or len(parts) < 2:
        return None
    return parts[1]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            if node.module == "carbonpeak":  # from carbonpeak import web
                found.update(f"carbonpeak.{alias.name}" for alias in node.names)
    return found


def test_every_part_has_a_layer() -> None:
    parts = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir() if p.suffix == ".py" or p.is_dir()}
    parts -= {"__init__", "__main__", "__pycache__"}
    assert parts - LAYERS.keys() == set(), "give each new part of carbonpeak a layer here"


def test_no_layer_imports_a_higher_one() -> None:
    offences = []
    files = list(PACKAGE.rglob("*.py"))
    for path in files:
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] in ("__init__.py", "__main__.py"):
            continue
        own = rel.parts[0].removesuffix(".py")
        for module in _imports(path):
            part = _part(module)
            if part is not None and part in LAYERS and LAYERS[part] > LAYERS[own]:
                offences.append(f"{rel} imports {module}")
    assert offences == [], "\n".join(sorted(offences))
    assert len(files) > 100  # the walk saw the package


def test_domain_rules_do_not_touch_the_database() -> None:
    """Capacity, indicators, projects, pathways and plausibility are pure rules over plain data: no SQLAlchemy."""
    offences = []
    for part in DOMAIN:
        for path in (PACKAGE / part).rglob("*.py"):
            rel = path.relative_to(PACKAGE).as_posix()
            offences += [f"{rel} imports {m}" for m in _imports(path) if m.split(".")[0] == "sqlalchemy"]
    assert offences == [], "\n".join(sorted(offences))
