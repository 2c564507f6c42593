"""Whole records through the accounting: ETS grid factor by accounting year, a record's own grid factor,
IPCC Tier 1 defaults for lead and zinc, Tier 2 anode CO2 and PFC each without the other's inputs, and the
line items (each fuel's CO2, each PFC gas's mass) behind the sums."""

from typing import Any

import pytest
from conftest import load_cases

from carbonpeak.accounting import AccountingResult, account
from carbonpeak.io.activity import parse_records


def _figure(result: AccountingResult, path: str) -> Any:
    """A result column of the one record, or "<term>:<item>:<column>" of its breakdown."""
    if ":" not in path:
        return float(result.table.iloc[0][path])
    term, item, column = path.split(":")
    hits = [
        row[column] for row in result.breakdown() if row["term"] == term and item in (row.get("fuel"), row.get("gas"))
    ]
    assert len(hits) == 1, f"{path}: {len(hits)} items"
    return hits[0]


def _check(case: Any, params: Any) -> None:
    case.parameter_values(params)  # a cited parameter must hold the value the case assumes
    result = account(parse_records([dict(case.inputs["record"])]), params)
    for output in case.expected:
        assert _figure(result, output) == case.approx(output), output


@pytest.mark.parametrize("case", load_cases("accounting_fidelity.yaml", "grid_factor"))
def test_grid_factor_by_accounting_year_and_own_factor(case, params):
    _check(case, params)


@pytest.mark.parametrize("case", load_cases("accounting_fidelity.yaml", "tier1_default"))
def test_lead_and_zinc_default_factor(case, params):
    _check(case, params)


@pytest.mark.parametrize("case", load_cases("accounting_fidelity.yaml", "tier2_alone"))
def test_tier2_sources_each_alone(case, params):
    _check(case, params)


@pytest.mark.parametrize("case", load_cases("accounting_fidelity.yaml", "fuel_lines"))
def test_each_fuel_line_in_the_breakdown(case, params):
    _check(case, params)
