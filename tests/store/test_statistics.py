"""Statistics the regulator enters: validated, dated and cited, corrected as new versions, all or nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from carbonpeak.cli import app
from carbonpeak.errors import InputError, ValidationFailed
from carbonpeak.indicators import statistics as st
from carbonpeak.services import statistics as cases
from carbonpeak.services.access import operator
from carbonpeak.store import db
from carbonpeak.store import repository as repo
from carbonpeak.store import statistics as stored

SOURCE = "Test province statistical yearbook 2021, table 12-3"
VALUE_ADDED = {
    "region": "P",
    "name": "industrial_value_added",
    "scope": "industry_above_designated_size",
    "year": 2020,
    "value": 8500,
    "unit": "yi_yuan",
    "price_basis": "constant 2020 prices",
    "source": SOURCE,
    "published_on": "2021-03-15",
}


def test_entered_in_a_unit_stored_in_the_canonical_one(registry: str) -> None:
    entry = st.validate(VALUE_ADDED)
    assert (entry.value, entry.unit) == (pytest.approx(8500 * 1e4), "wan_yuan")  # 1 亿元 = 10^4 万元
    with db.transaction(registry) as session:
        cases.enter(session, operator("test:regulator"), VALUE_ADDED)
    with db.transaction(registry) as session:
        frame = stored.current_statistics(session)
    row = frame.iloc[0]
    assert (row["region"], row["value"], row["entered_value"], row["entered_unit"], row["version"]) == (
        "P",
        pytest.approx(8.5e7),
        8500,
        "yi_yuan",
        1,
    )


def test_a_correction_is_a_new_version_with_its_reason(registry: str) -> None:
    with db.transaction(registry) as session:
        assert cases.enter(session, operator("test:regulator"), VALUE_ADDED).action == "created"
    with db.transaction(registry) as session:  # the same figure again changes nothing
        again = cases.enter(session, operator("test:regulator"), VALUE_ADDED)
        assert (again.action, again.changed, again.version) == ("unchanged", False, 1)
    corrected = {**VALUE_ADDED, "value": 8600, "published_on": "2022-03-15"}
    with pytest.raises(InputError, match="reason") as refused, db.transaction(registry) as session:
        cases.enter(session, operator("test:regulator"), corrected)
    assert refused.value.code == "statistics.already_entered" and refused.value.field == "reason"
    assert "第 1 版，8.5e+07 wan_yuan" in refused.value.text("zh")
    with db.transaction(registry) as session:
        row = cases.enter(session, operator("test:r2"), {**corrected, "reason": "revised in the 2022 yearbook"})
        assert (row.action, row.version) == ("corrected", 2)
    with db.transaction(registry) as session:
        versions = stored.history(session, "P", "industrial_value_added", "industry_above_designated_size", 2020)
        current = stored.current_statistics(session)
        trail = repo.audit_trail(session, "P/industrial_value_added")
    assert [(v["version"], v["entered_value"], v["reason"]) for v in versions] == [
        (1, 8500, None),
        (2, 8600, "revised in the 2022 yearbook"),
    ]
    assert current["value"].tolist() == [pytest.approx(8.6e7)]
    assert [(e.action, e.actor) for e in trail] == [("create", "test:regulator"), ("correct", "test:r2")]
    assert trail[1].before["entered_value"] == 8500 and trail[1].after["entered_value"] == 8600


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": "happiness"}, "name", "unknown statistic"),
        ({"scope": "nonferrous", "name": "green_parks", "unit": "dimensionless", "price_basis": ""}, None, None),
        ({"scope": "agriculture"}, "scope", "scope not allowed"),
        ({"value": -1}, "value", "impossible value"),
        ({"value": "lots"}, "value", "not a number"),
        ({"unit": "t"}, "unit", "unit not convertible"),
        ({"price_basis": ""}, "price_basis", "price basis missing"),
        ({"source": ""}, "source", "missing value"),
        ({"published_on": "2019-12-31"}, "published_on", "published before the year"),
        ({"published_on": "15/03/2021"}, "published_on", "not a date"),
        ({"year": 1850}, "year", "not a year"),
        ({"name": "green_factories", "unit": "dimensionless", "value": 12.5, "scope": "industry"}, "value", "whole"),
    ],
)
def test_bad_statistics_are_refused_naming_the_field(change: dict, field: str | None, message: str | None) -> None:
    data = {**VALUE_ADDED, **change}
    if field is None:  # a valid variant: a count needs no price basis
        assert st.validate(data).value == 8500
        return
    with pytest.raises(InputError) as caught:
        st.validate(data, file="stats.csv", record="row 2")
    problems = caught.value.errors if isinstance(caught.value, ValidationFailed) else [caught.value]
    assert any(p.field == field and message in p.detail for p in problems), [str(p) for p in problems]
    assert all(p.file == "stats.csv" for p in problems)


def _csv(path: Path, rows: list[dict]) -> Path:
    import csv

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=st.COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in st.COLUMNS})
    return path


def test_an_import_with_a_bad_row_stores_nothing(registry: str, tmp_path: Path) -> None:
    good = {**VALUE_ADDED, "year": 2021, "published_on": "2022-03-15"}
    path = _csv(tmp_path / "stats.csv", [VALUE_ADDED, {**good, "unit": "kg"}, {**good, "year": 2022, "value": -5}])
    with pytest.raises(ValidationFailed) as caught, db.transaction(registry) as session:
        cases.import_table(session, operator("test:regulator"), path)
    assert [(p.record, p.field) for p in caught.value.errors] == [("row 3", "unit"), ("row 4", "value")]
    with db.transaction(registry) as session:
        assert stored.current_statistics(session).empty
    unknown_region = _csv(tmp_path / "region.csv", [VALUE_ADDED, {**good, "region": "ZZ"}])
    with pytest.raises(InputError, match="unknown region") as caught_region, db.transaction(registry) as session:
        cases.import_table(session, operator("test:regulator"), unknown_region)
    assert "row 3" in str(caught_region.value)
    with db.transaction(registry) as session:
        assert stored.current_statistics(session).empty  # the valid first row was not kept either
    with db.transaction(registry) as session:
        done = cases.import_table(session, operator("test:regulator"), _csv(tmp_path / "ok.csv", [VALUE_ADDED, good]))
    assert [(e.key, e.action) for e in done] == [
        ("P/industrial_value_added/industry_above_designated_size/2020", "created"),
        ("P/industrial_value_added/industry_above_designated_size/2021", "created"),
    ]


def test_statistics_cli(registry: str, tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["--db", registry, "--region", "P", "--name", "green_parks", "--scope", "industry", "--year", "2024"]
    args = ["statistics", "add", *base, "--value", "7", "--unit", "dimensionless", "--source", SOURCE]
    result = runner.invoke(app, [*args, "--published-on", "2024-12-30"])
    assert result.exit_code == 0, result.output
    assert "version 1" in result.output
    again = runner.invoke(app, [*args, "--published-on", "2025-01-10", "--value", "8"])
    assert again.exit_code == 2 and "原因" in again.output
    fixed = runner.invoke(app, [*args, "--published-on", "2025-01-10", "--value", "8", "--reason", "one missed"])
    assert fixed.exit_code == 0 and "version 2" in fixed.output
    listed = runner.invoke(app, ["statistics", "list", "--db", registry, "--json"])
    assert [(r["name"], r["value"], r["version"]) for r in json.loads(listed.output)] == [("green_parks", 8.0, 2)]
    history = runner.invoke(
        app,
        [
            "statistics",
            "history",
            "--db",
            registry,
            "--region",
            "P",
            "--name",
            "green_parks",
            "--scope",
            "industry",
            "--year",
            "2024",
            "--json",
        ],
    )
    assert [v["entered_value"] for v in json.loads(history.output)] == [7.0, 8.0]
