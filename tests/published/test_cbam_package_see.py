"""The CBAM package's SEE (direct) of a goods category from twelve verified months, checked by hand."""

from types import SimpleNamespace
from typing import Any

import pytest
from conftest import load_cases

from carbonpeak.services.cbam_figures import Precursor, compute, embedded
from carbonpeak.vocabulary import Sector


def _months(sector: str, per_month: dict[str, Any], technology: str = "") -> list[Any]:
    fuels = [{"fuel": "natural_gas", "amount": per_month["natural_gas_wan_nm3"]}]
    if "bituminous_coal_t" in per_month:
        fuels.append({"fuel": "bituminous_coal", "amount": per_month["bituminous_coal_t"]})
    fields = {k: v for k, v in per_month.items() if k not in ("natural_gas_wan_nm3", "bituminous_coal_t")}
    return [
        SimpleNamespace(
            record={
                "facility_id": "X1",
                "period": f"2026-{m:02d}",
                "region": "shaanxi",
                "sector": sector,
                **({"technology": technology} if technology else {}),
                **fields,
                "fuels": fuels,
            },
            version=1,
            status="verified",
        )
        for m in range(1, 13)
    ]


CASES = load_cases("cbam_package_see.yaml")


@pytest.mark.parametrize("case", CASES[:1], ids=lambda c: c.name)
def test_smelter_package(case, params):
    case.parameter_values(params)  # the cited values are those the arithmetic uses
    versions = _months("electrolytic_aluminium", case.inputs["per_month"], technology="PFPB_M")
    fuels = frozenset(case.inputs["electricity_fuels"])
    figures = compute(Sector.ELECTROLYTIC_ALUMINIUM, versions, params, year=2026, electricity_fuels=fuels, cn_code=None)
    embedded(figures, [])
    assert not figures.gaps
    streams = {s.name: s for s in figures.streams}
    assert streams["prebake anode consumption"].tco2 == case.approx("anode_tco2")
    assert streams["natural_gas"].tco2 == case.approx("gas_tco2")
    assert streams["bituminous_coal"].for_electricity and not streams["natural_gas"].for_electricity
    assert figures.pfc is not None and figures.pfc.tco2e == case.approx("pfc_tco2e")
    assert figures.attributed_tco2e == case.approx("attributed_tco2e")
    assert figures.activity_level_t == case.approx("activity_level_t")
    assert figures.see == case.approx("see_tco2e_per_t")
    assert figures.category == "Unwrought aluminium" and figures.cn_code == "7601"


@pytest.mark.parametrize("case", CASES[1:], ids=lambda c: c.name)
def test_products_package(case, params):
    p = case.parameter_values(params)
    versions = _months("aluminium_processing", case.inputs["per_month"])
    figures = compute(
        Sector.ALUMINIUM_PROCESSING, versions, params, year=2026, electricity_fuels=frozenset(), cn_code="7606"
    )
    pre = case.inputs["precursor"]
    embedded(
        figures, [Precursor("Unwrought aluminium", pre["country"], pre["mass_t"], p["precursor_see"], "default", True)]
    )
    assert not figures.gaps
    assert figures.attributed_tco2e == case.approx("attributed_tco2e")
    assert figures.see == case.approx("see_tco2e_per_t")
    assert figures.share_default == case.approx("share_default")
    assert figures.category == "Aluminium products"
