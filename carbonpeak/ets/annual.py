"""The annual ETS report's figures from the accounting of an enterprise's aluminium facility-months
(CETS—AG—04.01—V01—2024 §6 aluminium electrolysis, §7 enterprise level): tonnes by emission source per
facility, the PFC gases (CF4, C2F6) apart with their mass and CO2e, the methods with their clauses and the
cited parameters behind them. Nothing is computed here but sums of the accounting's own terms."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from carbonpeak.accounting import AccountingResult

# the accounting's terms (carbonpeak.accounting.emissions) by the report's emission source
SOURCES: dict[str, str] = {
    "fuel": "fuel",  # 化石燃料燃烧
    "anode": "anode",  # 能源作为原材料用途（炭阳极消耗）
    "pfc": "pfc",  # 阳极效应 PFCs (CF4, C2F6 in CO2e)
    "carbonates": "process_other",  # 碳酸盐分解 (and limestone of the 2013 edition)
    "limestone": "process_other",
    "electricity_location": "electricity",  # 净购入电力（间接）
    "heat": "heat",  # 净购入热力（间接）
}
DIRECT = ("fuel", "anode", "pfc", "process_other")
INDIRECT = ("electricity", "heat")
ORDER = (*DIRECT, *INDIRECT)


@dataclass(frozen=True)
class Figures:
    by_facility: dict[str, dict[str, float]]  # facility -> source -> tCO2e
    gases: dict[str, dict[str, tuple[float, float]]]  # facility -> gas -> (mass t, tCO2e)
    methods: list[tuple[str, str, str]]  # (term, method, reference), each once
    parameters: list[tuple[str, str, str, str]]  # (label, value unit, citation, confidence), each once

    def total(self, sources: tuple[str, ...], facility: str | None = None) -> float:
        rows = [self.by_facility[facility]] if facility else list(self.by_facility.values())
        return sum(row.get(s, 0.0) for row in rows for s in sources)


def figures(result: AccountingResult) -> Figures:
    """Sums of the accounting's terms per facility and source; the PFC gases from its breakdown."""
    facilities = result.table["facility_id"].astype(str).to_numpy()
    by_facility: dict[str, dict[str, float]] = defaultdict(lambda: dict.fromkeys(ORDER, 0.0))
    for facility in sorted(set(facilities)):
        by_facility[facility]  # every facility listed, also one without a term
    methods: dict[tuple[str, str, str], None] = {}
    cited: dict[str, tuple[str, str, str, str]] = {}
    for term in result.terms:
        source = SOURCES.get(term.name)
        if source is None:
            continue
        for position, value in zip(term.index, term.values, strict=True):
            by_facility[str(facilities[int(position)])][source] += float(value)
        methods[(term.name, term.method, term.reference)] = None
        for used in term.parameters:
            c = used.cited
            cited[c.label] = (c.label, f"{c.value} {c.unit}", c.citation(), c.confidence.value)
    gases: dict[str, dict[str, tuple[float, float]]] = defaultdict(dict)
    ids = dict(zip(result.table["record_id"].astype(str), facilities, strict=True))
    for item in result.breakdown():
        if item["term"] != "pfc":
            continue
        facility, gas = str(ids[str(item["record_id"])]), str(item["gas"])
        mass, co2e = gases[facility].get(gas, (0.0, 0.0))
        gases[facility][gas] = (mass + float(item["mass_t"] or 0.0), co2e + float(item["tco2e"] or 0.0))
    return Figures(
        by_facility={k: dict(v) for k, v in sorted(by_facility.items())},
        gases={k: dict(sorted(v.items())) for k, v in sorted(gases.items())},
        methods=list(methods),
        parameters=[cited[k] for k in sorted(cited)],
    )
