"""The engine stays pure: it imports nothing from storage, web, intake, parameters or accounting."""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[1] / "carbonpeak" / "engine"
FORBIDDEN = (
    "carbonpeak.io",
    "carbonpeak.store",
    "carbonpeak.web",
    "carbonpeak.accounting",
    "carbonpeak.parameters",
    "carbonpeak.cli",
    "pandas",
    "sqlalchemy",
    "fastapi",
)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_engine_imports_only_numpy_and_itself() -> None:
    offenders = {
        str(path.relative_to(ENGINE)): sorted(m for m in imported_modules(path) if m.startswith(FORBIDDEN))
        for path in ENGINE.rglob("*.py")
    }
    offenders = {k: v for k, v in offenders.items() if v}
    assert offenders == {}, offenders
    assert len(list(ENGINE.rglob("*.py"))) >= 10  # the walk really saw the engine
