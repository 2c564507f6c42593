"""Bad scenario files give one clear error naming the file and the field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import SCENARIOS, tiny_stock

from carbonpeak.errors import InputError, ValidationFailed
from carbonpeak.parameters import load
from carbonpeak.pathways import run as pr
from carbonpeak.pathways.scenario import load_scenario


def _write(tmp_path: Path, name: str, text: str) -> Path:
    shutil.copy(SCENARIOS / "tiny_peak.yaml", tmp_path / "tiny_peak.yaml")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _message(path: Path, *, run: bool = False) -> str:
    with pytest.raises(InputError) as caught:
        scenario = load_scenario(path)
        if run:
            pr.run(scenario, tiny_stock(), load(), draws=10)
    return str(caught.value)


def test_unknown_plant_names_file_lever_and_plant(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "bad.yaml",
        "id: bad\nparent: tiny_peak\nlevers:\n  - {id: x, type: exit, plants: [ZZ9], year: 2027}\n",
    )
    message = _message(path, run=True)
    assert (
        "bad.yaml" in message and "levers[1](x).plants" in message and "ZZ9" in message and "unknown plant" in message
    )


def test_bad_distribution_names_the_field(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "bad.yaml",
        "id: bad\nparent: tiny_peak\nproduction:\n  - sector: default\n"
        "    growth_pct_per_year: {dist: normal, mean: 1, sd: -2}\n    basis: test\n",
    )
    message = _message(path)
    assert (
        "bad.yaml" in message and "production[0].growth_pct_per_year" in message and "sd must be 0 or more" in message
    )


def test_missing_distribution_parameter(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "bad.yaml",
        "id: bad\nparent: tiny_peak\nlevers:\n  - {id: r, type: retrofit, plants: [AL], to: benchmark, "
        "year: {dist: triangular, low: 2026, high: 2030}}\n",
    )
    message = _message(path)
    assert "levers[0](r).year" in message and "needs low, mode, high; missing mode" in message


def test_root_without_peak_definition(tmp_path: Path) -> None:
    text = (SCENARIOS / "tiny_peak.yaml").read_text(encoding="utf-8")
    text = text.replace("peak: {basis: location, tolerance_pct: 0, plateau_pct: 2}\n", "")
    path = tmp_path / "root.yaml"
    path.write_text(text, encoding="utf-8")
    message = _message(path)
    assert "root.yaml" in message and "field 'peak'" in message and "required field is missing" in message


def test_unknown_lever_type_and_unknown_field(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "bad.yaml",
        "id: bad\nparent: tiny_peak\nlevers:\n  - {id: a, type: teleport, plants: [AL]}\n"
        "  - {id: b, type: exit, plants: [AL], year: 2027, colour: red}\n",
    )
    with pytest.raises(ValidationFailed) as caught:
        load_scenario(path)
    text = "\n".join(str(e) for e in caught.value.errors)
    assert "levers[0](a)" in text and "unknown lever type" in text
    assert "levers[1](b).colour" in text and "unknown field" in text
    assert all(e.file and e.file.endswith("bad.yaml") for e in caught.value.errors)


def test_parent_not_found(tmp_path: Path) -> None:
    path = tmp_path / "orphan.yaml"
    path.write_text("id: orphan\nparent: nowhere\n", encoding="utf-8")
    message = _message(path)
    assert "orphan.yaml" in message and "field 'parent'" in message and "nowhere" in message


def test_lever_year_not_after_the_base_year(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "bad.yaml", "id: bad\nparent: tiny_peak\nlevers:\n  - {id: x, type: exit, plants: [AL], year: 2024}\n"
    )
    message = _message(path, run=True)
    assert "levers[1](x).year" in message and "after the base year" in message


def test_replacement_adding_capacity_under_the_ceiling(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "bad.yaml",
        "id: bad\nparent: tiny_peak\nlevers:\n  - {id: grow, type: replacement, source: [AL], ratio: 1.5, year: 2027,"
        " destination: {code: AL2, like: AL}}\n",
    )
    message = _message(path, run=True)
    assert "levers[1](grow).ratio" in message and "national ceiling" in message and "45,000,000" in message


def test_not_yaml(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: [unclosed\n", encoding="utf-8")
    message = _message(path)
    assert "broken.yaml" in message and "not valid YAML" in message


def test_errors_of_a_scenario_file_are_coded_and_read_in_chinese(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "bad.yaml",
        "id: bad\nparent: tiny_peak\nuncertainty: {draws: 0, seed: 1}\nproduction:\n  - sector: default\n"
        "    growth_pct_per_year: {dist: normal, mean: 1, sd: -2}\n    basis: test\n",
    )
    with pytest.raises(ValidationFailed) as caught:
        load_scenario(path)
    by_code = {e.code: e for e in caught.value.errors}
    assert {"pathways.at_least", "pathways.sd_negative"} <= set(by_code)
    draws = by_code["pathways.at_least"]
    assert draws.field == "uncertainty.draws" and draws.params == {"n": "1"}
    assert "must be at least 1" in str(draws) and "不得小于 1" in draws.text("zh")
    assert by_code["pathways.sd_negative"].message_text("zh") == "标准差不得小于 0"
