"""Strict schema: a parameter file that breaks a rule fails the load with a ParameterFileError naming the file.

``load(extra_dirs=...)`` loads the shipped files as well, so every file written here has its own
``testonly.*`` family id.
"""

import copy

import pytest
import yaml

from carbonpeak.errors import ParameterFileError
from carbonpeak.parameters import load

VALID = {
    "id": "testonly.valid",
    "title": {"zh": "测试参数", "en": "Test parameter"},
    "description": "A family written by the test suite.",
    "keys": ["item"],
    "last_reviewed": "2026-01-01",
    "sources": {"doc": {"document": "Test document", "read_on": "2026-01-01"}},
    "entries": [
        {
            "key": {"item": "a"},
            "value": 1.5,
            "unit": "t",
            "confidence": "high",
            "source": "doc",
            "valid_from": "2020-01-01",
        }
    ],
}


def _write(tmp_path, family_id, mutate=None, name="family.yaml"):
    data = copy.deepcopy(VALID)
    data["id"] = f"testonly.{family_id}"
    if mutate:
        mutate(data)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _fails(tmp_path, path, *fragments):
    with pytest.raises(ParameterFileError) as info:
        load(extra_dirs=[tmp_path])
    message = str(info.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message
    return message


def test_a_valid_file_loads_alongside_the_shipped_ones(tmp_path):
    _write(tmp_path, "valid_control")
    params = load(extra_dirs=[tmp_path])
    assert params.at("testonly.valid_control", period=2024, item="a").value == 1.5
    assert "emissions.gwp" in params  # the shipped families are still there


def test_extra_field_in_an_entry(tmp_path):
    path = _write(tmp_path, "extra_entry_field", lambda d: d["entries"][0].update(comment="typed by hand"))
    _fails(tmp_path, path, "comment", "Extra inputs are not permitted")


def test_extra_field_at_file_level(tmp_path):
    path = _write(tmp_path, "extra_file_field", lambda d: d.update(author="someone"))
    _fails(tmp_path, path, "author")


def test_missing_source(tmp_path):
    path = _write(tmp_path, "missing_source", lambda d: d["entries"][0].pop("source"))
    _fails(tmp_path, path, "source", "Field required")


def test_source_not_defined_under_sources(tmp_path):
    path = _write(tmp_path, "undefined_source", lambda d: d["entries"][0].update(source="nowhere"))
    _fails(tmp_path, path, "source 'nowhere' is not defined")


def test_unknown_unit(tmp_path):
    path = _write(tmp_path, "unknown_unit", lambda d: d["entries"][0].update(unit="bogounits"))
    _fails(tmp_path, path, "unknown unit 'bogounits'")


def test_overlapping_validity(tmp_path):
    def overlap(data):
        first = data["entries"][0]
        first["valid_to"] = "2022-12-31"
        data["entries"].append({**first, "value": 2.0, "valid_from": "2022-01-01", "valid_to": None})

    path = _write(tmp_path, "overlap", overlap)
    _fails(tmp_path, path, "overlaps")


def test_adjacent_validity_is_fine(tmp_path):
    def adjacent(data):
        first = data["entries"][0]
        first["valid_to"] = "2022-12-31"
        data["entries"].append({**first, "value": 2.0, "valid_from": "2023-01-01", "valid_to": None})

    _write(tmp_path, "adjacent", adjacent)
    params = load(extra_dirs=[tmp_path])
    assert params.at("testonly.adjacent", period="2022-12-31", item="a").value == 1.5
    assert params.at("testonly.adjacent", period="2023-01-01", item="a").value == 2.0


def test_duplicate_yaml_key(tmp_path):
    path = tmp_path / "duplicate.yaml"
    path.write_text(
        "id: testonly.duplicate\n"
        "title: {zh: 测试, en: Test}\n"
        "description: A family with a key given twice.\n"
        "keys: [item]\n"
        "last_reviewed: 2026-01-01\n"
        "sources: {doc: {document: Test document, read_on: 2026-01-01}}\n"
        "entries:\n"
        "  - key: {item: a}\n"
        "    value: 1.5\n"
        "    unit: t\n"
        "    confidence: high\n"
        "    source: doc\n"
        "    value: 2.5\n",
        encoding="utf-8",
    )
    _fails(tmp_path, path, "duplicate key 'value'")


def test_value_without_confidence(tmp_path):
    path = _write(tmp_path, "no_confidence", lambda d: d["entries"][0].pop("confidence"))
    _fails(tmp_path, path, "must carry its confidence")


def test_null_value_without_status(tmp_path):
    def null_value(data):
        data["entries"][0]["value"] = None
        data["entries"][0].pop("confidence")

    path = _write(tmp_path, "null_no_status", null_value)
    _fails(tmp_path, path, "must say why in 'status'")


def test_valid_to_before_valid_from(tmp_path):
    path = _write(tmp_path, "reversed_dates", lambda d: d["entries"][0].update(valid_to="2019-12-31"))
    _fails(tmp_path, path, "is before valid_from")


def test_entry_key_fields_must_match_the_family_keys(tmp_path):
    path = _write(tmp_path, "wrong_keys", lambda d: d["entries"][0].update(key={"gas": "a"}))
    _fails(tmp_path, path, "key fields")


def test_family_defined_twice(tmp_path):
    _write(tmp_path, "ignored", lambda d: d.update(id="emissions.gwp"))
    with pytest.raises(ParameterFileError, match=r"'emissions\.gwp' is defined twice"):
        load(extra_dirs=[tmp_path])
