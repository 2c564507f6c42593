"""The energy-utilisation report's figures from a small hand-made ledger, checked by hand:

Facility A (electrolytic aluminium), 2025-01 counted: diesel 10 t, natural gas 2 万Nm3, net electricity
1,000 MWh (1,100 purchased − 100 exported), output 100 t, result 164.071 tce.
  diesel       10 t    × 1.4571 tce/t   =  14.571 tce
  natural gas   2 万Nm3 × 13.3 tce/万Nm3  =  26.6   tce
  electricity 1,000 MWh × 0.1229 tce/MWh = 122.9   tce
  sum 164.071 tce (= the stored result); 1,640.71 kgce/t.
Facility A, 2025-02 submitted, not verified: left out (the report is provisional).
Facility A, 2024-01 counted: output 100 t, result 150 tce → 1,500 kgce/t; change +9.38 %.
Facility B (alumina), 2025-01 counted: one line of 5 t coal with a measured NCV of 29.3076 GJ/t → 5 tce;
output 10 t → 500 kgce/t.
Total 169.071 tce: below the 5,000 / 10,000 tce thresholds.
"""

from __future__ import annotations

import datetime as dt

import pytest

from carbonpeak.energy_report import config, entries
from carbonpeak.energy_report import prefill as pf

K = {
    "diesel": pf.Coefficient(1.4571, "t", "GB/T 2589-2020 附录A", "energy.coefficient[carrier=diesel]"),
    "natural_gas": pf.Coefficient(13.3, "wan_Nm3", "GB/T 2589-2020 附录A", "energy.coefficient[carrier=ng]"),
    "electricity": pf.Coefficient(0.1229, "MWh", "GB/T 2589-2020 附录A", "energy.coefficient[carrier=el]"),
}


def months() -> list[pf.Month]:
    return [
        pf.Month(
            "A",
            "A",
            "electrolytic_aluminium",
            "2025-01",
            "counted",
            100.0,
            164.071,
            net_electricity_mwh=1000.0,
            fuels=(pf.FuelLine("diesel", 10.0), pf.FuelLine("natural_gas", 2.0)),
            exported_electricity_mwh=100.0,
        ),
        pf.Month("A", "A", "electrolytic_aluminium", "2025-02", "unverified", 90.0, None, net_electricity_mwh=900.0),
        pf.Month("A", "A", "electrolytic_aluminium", "2024-01", "counted", 100.0, 150.0, net_electricity_mwh=1000.0),
        pf.Month(
            "B", "B", "alumina", "2025-01", "counted", 10.0, 5.0, fuels=(pf.FuelLine("bituminous_coal", 5.0, 29.3076),)
        ),
    ]


def coefficients() -> dict[tuple[str, str], pf.Coefficient]:
    return {(c, p): k for c, k in K.items() for p in ("2025-01", "2025-02", "2024-01")}


def test_the_figures_of_a_small_ledger_by_hand() -> None:
    got = pf.prefill(2025, months(), coefficients(), mandatory_tce=10000, designated_tce=5000, threshold_citation="x")
    by = {c.carrier: c for c in got.carriers}
    assert by["diesel"].tce == pytest.approx(14.571)
    assert by["natural_gas"].tce == pytest.approx(26.6)
    assert by["electricity"].amount == pytest.approx(1000.0) and by["electricity"].tce == pytest.approx(122.9)
    assert by["bituminous_coal"].tce == pytest.approx(5.0) and by["bituminous_coal"].measured_ncv_lines == 1
    assert got.carriers_tce == pytest.approx(169.071)
    assert got.total_tce == pytest.approx(169.071)  # the stored results' sum agrees with the carriers'
    assert [c.carrier for c in got.carriers][-1] == "electricity"  # fuels first, then electricity
    products = {p.product: p for p in got.products}
    aluminium = products["electrolytic_aluminium"]
    assert aluminium.kgce_per_t == pytest.approx(1640.71)
    assert aluminium.previous_kgce_per_t == pytest.approx(1500.0)
    assert aluminium.change_pct == pytest.approx(9.380666, abs=1e-5)
    assert products["alumina"].kgce_per_t == pytest.approx(500.0) and products["alumina"].previous_kgce_per_t is None
    assert got.previous_total_tce == pytest.approx(150.0) and got.previous_months == 1
    assert got.months == {"counted": 2, "unverified": 1}
    assert got.not_final == [("2025-02", "unverified", 1)] and got.provisional
    assert got.balance["electricity"] == {"A": 1000.0}
    assert got.conversion["exported_electricity_mwh"] == pytest.approx(100.0)
    assert got.key_unit.status == "below"


@pytest.mark.parametrize(
    ("tce", "status"), [(10000, "key"), (9999.9, "designatable"), (5000, "designatable"), (4999, "below")]
)
def test_key_unit_thresholds(tce: float, status: str) -> None:
    assert pf.classify(tce, 10000, 5000) == status


def test_every_bad_entry_at_once_naming_table_row_and_field() -> None:
    forms = config.load()
    clean, problems = entries.check(
        forms,
        {
            "t6": [{"target_tce": "-5", "achieved_tce": "1,200.5"}],
            "t8": [{"name": "电解槽", "quantity": "abc"}, {"name": "", "quantity": "2.5"}, {}],
            "t10": [{"name": "余热回收", "saving_tce": "300"}],
        },
    )
    found = [(p.table.number, p.row, p.field.name if p.field else "", p.code.rsplit(".", 1)[1]) for p in problems]
    assert found == [
        ("表6", 1, "target_tce", "below_minimum"),
        ("表8", 1, "quantity", "not_a_number"),
        ("表8", 2, "name", "required"),
        ("表8", 2, "quantity", "not_whole"),
    ]
    assert clean["t10"] == [{"name": "余热回收", "saving_tce": 300.0}]
    assert clean["t6"] == [{"achieved_tce": 1200.5}]  # the good field kept in the cleaned copy (nothing is saved)


def test_the_deadline_is_configuration_never_a_guess() -> None:
    forms = config.load()
    assert forms.deadlines == {}  # none found
    assert config.deadline_status(forms, "shaanxi", 2025, dt.date(2026, 3, 1), None).state == "not_configured"
    configured = config.parse({**_raw(), "deadlines": {"shaanxi": {"month_day": "03-31", "source": "a test's own"}}})
    day = dt.date(2026, 3, 31)
    assert config.deadline_status(configured, "shaanxi", 2025, dt.date(2026, 1, 10), None) == config.DeadlineStatus(
        "open", day
    )
    assert config.deadline_status(configured, "shaanxi", 2025, dt.date(2026, 3, 10), None).state == "due_soon"
    assert config.deadline_status(configured, "shaanxi", 2025, dt.date(2026, 4, 1), None).state == "overdue"
    assert (
        config.deadline_status(configured, "shaanxi", 2025, dt.date(2026, 4, 1), dt.date(2026, 3, 2)).state == "filed"
    )


def _raw() -> dict:
    import yaml

    return yaml.safe_load(config.FORM_SET.read_text(encoding="utf-8"))


def test_the_form_set_names_its_source_and_labels_its_columns() -> None:
    forms = config.load()
    assert forms.edition == "hebei-2008" and "360docs.net/doc/207240527.html" in forms.source["found_in"]
    assert [t.number for t in forms.tables] == [
        "表1",
        "表2",
        "表2-1",
        "表3",
        "表4",
        "表5",
        "表6",
        "表7",
        "表8",
        "表9",
        "表10",
    ]
    assert {t.columns_source for t in forms.tables} == {"platform", "carbonpeak"}  # never "the manual's"
