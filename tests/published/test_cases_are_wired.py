"""The published-value folder is complete: every YAML has its module, every worked example has a case."""

from pathlib import Path

import pytest
import yaml

HERE = Path(__file__).parent
YAMLS = sorted(HERE.glob("*.yaml"))


def _names(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    groups = data.values() if isinstance(data, dict) else [data]
    return [case["name"] for group in groups for case in group]


@pytest.mark.parametrize("path", YAMLS, ids=[p.name for p in YAMLS])
def test_every_yaml_has_a_module_that_loads_it(path):
    module = HERE / f"test_{path.stem}.py"
    assert module.exists(), f"{path.name} has no test module {module.name}"
    assert f'"{path.name}"' in module.read_text(encoding="utf-8")


@pytest.mark.parametrize("example", [f"A{i}" for i in range(1, 8)] + [f"B{i}" for i in range(1, 12)])
def test_every_worked_example_has_a_case(example):
    """shared/reference/worked-examples.md A1-A7 (published) and B1-B11 (reference calculations)."""
    names = [name for path in YAMLS for name in _names(path)]
    assert any(name.startswith(f"{example} ") for name in names), f"no case for worked example {example}"
