"""The demonstration province's scrap intake ledgers: the lots and products of its recycled aluminium and copper
casthouses (RA*, RC*) for the last year of the demo, generated to match each month's reported scrap input and
output. Synthetic demonstration data: suppliers, grades and notes say so (示范, 演示数据).

Per facility-month: 3 to 5 lots whose masses add up to the month's ``scrap_input_t``, a source category drawn
with fixed weights (its ISO 14021 status follows: a manufacturer's scrap and dross are pre-consumer, the
casthouse's own returns in-process rework, the rest post-consumer), one lot in ten imported conforming material
with a made-up declaration number; alloying additions of 1-3 % of output; a stock change within ±0.5 % of output
and losses of 0.2 %; the lots' yields (drawn around output ÷ scrap) are scaled so that the balance closes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from carbonpeak.demo.generate import DemoProvince

DEMO_NOTE = "演示数据（合成）"
_SOURCES = {
    "aluminium": (
        ("scrap_dealer", 0.35, "示范：废铝型材"),
        ("dismantling_shredding", 0.22, "示范：破碎废铝"),
        ("municipal_collection", 0.08, "示范：废铝易拉罐"),
        ("pre_consumer_manufacturer", 0.22, "示范：生产边角料"),
        ("casthouse", 0.05, "示范：厂内返回料"),
        ("dross_ash_processor", 0.08, "示范：铝灰回收料"),
    ),
    "copper": (
        ("scrap_dealer", 0.45, "示范：杂铜"),
        ("dismantling_shredding", 0.25, "示范：光亮铜线"),
        ("pre_consumer_manufacturer", 0.25, "示范：铜加工边角料"),
        ("casthouse", 0.05, "示范：厂内返回料"),
    ),
}
_STATUS = {
    "pre_consumer_manufacturer": "pre_consumer",
    "dross_ash_processor": "pre_consumer",
    "casthouse": "in_process_rework",
}
_PRODUCTS = {"aluminium": "recycled_aluminium_alloy_ingot", "copper": "recycled_copper_rod"}
_LIQUID = {"RA01", "RA04"}  # casthouses that also deliver part of their alloy as melt
_SUPPLIERS = ("示范回收公司甲", "示范回收公司乙", "示范拆解中心丙", "示范制造企业丁", "示范贸易公司戊")


def scrap_ledgers(province: DemoProvince, seed: int = 2026) -> list[dict[str, Any]]:
    """One entry per recycled-metal facility-month of the last year: facility, period, status, lots, outputs."""
    rng = np.random.default_rng(seed + 16)
    out = []
    year = str(province.last_year)
    for sub in province.submissions:
        latest = sub["versions"][-1]
        record = latest["record"]
        sector = record.get("sector")
        if sector not in ("recycled_aluminium", "recycled_copper") or not sub["period"].startswith(year):
            continue
        scrap, output = float(record.get("scrap_input_t") or 0), float(record.get("output_t") or 0)
        if scrap <= 0 or output <= 0:
            continue
        metal = "aluminium" if sector == "recycled_aluminium" else "copper"
        out.append(
            {
                "facility_code": sub["facility_code"],
                "period": sub["period"],
                "status": latest["status"],
                **_month(rng, sub["facility_code"], sub["period"], metal, scrap, output),
            }
        )
    return out


def _month(
    rng: np.random.Generator, facility: str, period: str, metal: str, scrap: float, output: float
) -> dict[str, Any]:
    sources = _SOURCES[metal]
    count = int(rng.integers(3, 6))
    shares = rng.dirichlet(np.ones(count) * 3)
    masses = np.round(np.asarray(shares, dtype=float) * scrap, 1)
    masses[-1] = round(scrap - masses[:-1].sum(), 1)
    picks = rng.choice(len(sources), size=count, p=[s[1] for s in sources])
    other = round(output * float(rng.uniform(0.01, 0.03)), 1)
    stock = round(output * float(rng.uniform(-0.005, 0.005)), 1)
    losses = round(output * 0.002, 1)
    yields: np.ndarray = np.clip(output / scrap * rng.uniform(0.97, 1.03, size=count), 0.5, 0.99)
    wanted = output + stock + losses - other  # the metal the lots must give for the balance to close
    yields = np.round(np.clip(yields * wanted / float((masses * yields).sum()), 0.3, 0.995), 4)
    product = _PRODUCTS[metal]
    liquid_share = 0.3 if facility in _LIQUID else 0.0
    # a casthouse that also delivers melt charges its last lot into it (so each product has its own lots)
    charged = [product] * (count - 1) + ["recycled_aluminium_liquid" if liquid_share else product]
    lots = []
    for i, (mass, pick, y, into) in enumerate(zip(masses, picks, yields, charged, strict=True), start=1):
        category, _weight, grade = sources[pick]
        imported = category in ("scrap_dealer", "dismantling_shredding") and rng.random() < 0.1
        lots.append(
            {
                "lot": f"{facility}-{period}-{i:02d}",
                "supplier": "本厂" if category == "casthouse" else _SUPPLIERS[int(rng.integers(len(_SUPPLIERS)))],
                "source_category": category,
                "grade_scheme": "trade",
                "grade": grade,
                "consumer_status": _STATUS.get(category, "post_consumer"),
                "origin": "imported_conforming" if imported else "domestic",
                "customs_declaration": f"DEMO{period.replace('-', '')}{i:02d}" if imported else "",
                "product": into,
                "mass_t": float(mass),
                "metal_yield": float(y),
                "note": DEMO_NOTE,
            }
        )
    metal_in = float((masses * yields).sum()) + other
    liquid = round(output * liquid_share, 1)
    outputs = [
        {
            "product": product,
            "output_t": round(output - liquid, 1),
            "other_metal_input_t": other,
            "stock_change_t": round(metal_in - output - losses, 3),  # what rounding the yields left, in stock
            "losses_t": losses,
        }
    ]
    if liquid:
        outputs.append(
            {
                "product": "recycled_aluminium_liquid",
                "output_t": liquid,
                "other_metal_input_t": 0.0,
                "stock_change_t": 0.0,
                "losses_t": 0.0,
            }
        )
    return {"lots": lots, "outputs": outputs}
