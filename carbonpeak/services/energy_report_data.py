"""The platform's figures behind an enterprise's energy-utilisation report of a year: its facilities'
months of the year and of the year before read from the store, the cited coefficients in force each
month and the key-unit thresholds, handed to the pure :func:`carbonpeak.energy_report.prefill.prefill`.

Per facility-month the version read is the one that counts, or the latest submitted one
(:func:`carbonpeak.store.repository.counted_versions` with submitted versions): verified or locked with a
result is *counted*, verified without one *waiting*, submitted *unverified* (the report is then
provisional). Its result is the latest one (the accounting engine's ``energy_tce``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.energy_report import prefill as pf
from carbonpeak.engine.energy import GJ_PER_TCE
from carbonpeak.parameters import Cited, ParameterSet
from carbonpeak.reports import state as report_state
from carbonpeak.store import repository as repo
from carbonpeak.store.models import Enterprise, Facility, Result, Submission
from carbonpeak.units import conversion_factor
from carbonpeak.vocabulary import FUELS

COUNTED_STATUSES = ("verified", "locked")


def _num(record: dict[str, Any], name: str) -> float:
    value = record.get(name)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def months_of(session: Session, enterprise: Enterprise, year: int) -> list[pf.Month]:
    """The enterprise's facility-months of ``year`` and ``year - 1`` that count or wait to count."""
    facilities = {f.id: f for f in session.scalars(select(Facility).where(Facility.enterprise_id == enterprise.id))}
    if not facilities:
        return []
    versions = repo.counted_versions(
        session, include_submitted=True, facility_codes=[f.code for f in facilities.values()]
    )
    submissions = {
        s.id: s
        for s in session.scalars(select(Submission).where(Submission.id.in_([v.submission_id for v in versions])))
    }
    wanted = [v for v in versions if submissions[v.submission_id].period[:4] in (str(year), str(year - 1))]
    results: dict[int, Result] = {}
    for result in session.scalars(
        select(Result).where(Result.version_id.in_([v.id for v in wanted])).order_by(Result.id)
    ):
        results[result.version_id] = result  # the latest result of each version
    out = []
    for v in wanted:
        submission = submissions[v.submission_id]
        facility = facilities[submission.facility_id]
        result = results.get(v.id)
        waits = "waiting" if result is None else pf.COUNTED
        state = waits if v.status in COUNTED_STATUSES else "unverified"
        record = v.record or {}
        fuels = tuple(
            pf.FuelLine(str(line["fuel"]), float(line["amount"]), _ncv(line))
            for line in record.get("fuels") or []
            if isinstance(line, dict) and isinstance(line.get("amount"), int | float) and line.get("fuel") in FUELS
        )
        out.append(
            pf.Month(
                facility=facility.code,
                facility_name=facility.name_zh,
                product=facility.product or facility.sector,
                period=submission.period,
                state=state,
                output_t=_num(record, "output_t") or None,
                energy_tce=float(result.energy_tce) if result is not None else None,
                net_electricity_mwh=_num(record, "grid_electricity_mwh") - _num(record, "exported_electricity_mwh"),
                net_heat_gj=_num(record, "purchased_heat_gj") - _num(record, "exported_heat_gj"),
                fuels=fuels,
                captive_electricity_mwh=_num(record, "captive_electricity_mwh"),
                exported_electricity_mwh=_num(record, "exported_electricity_mwh"),
                exported_heat_gj=_num(record, "exported_heat_gj"),
                version=v.version,
            )
        )
    return sorted(out, key=lambda m: (m.facility, m.period))


def _ncv(line: dict[str, Any]) -> float | None:
    ncv = line.get("ncv")
    return float(ncv) if isinstance(ncv, int | float) and not isinstance(ncv, bool) else None


def _coefficient(cited: Cited, tce_per_unit: float, unit: str) -> pf.Coefficient:
    return pf.Coefficient(tce_per_unit, unit, cited.citation(), cited.label)


def coefficients(params: ParameterSet, months: list[pf.Month]) -> dict[tuple[str, str], pf.Coefficient]:
    """The cited coefficient in force each month for each carrier the months use, as the engine picks it
    (:mod:`carbonpeak.accounting.emissions.fuel_energy`): Annex A where it lists the fuel, else the fuel's
    default NCV / 29.3076; electricity and heat at their equivalent values."""
    out: dict[tuple[str, str], pf.Coefficient] = {}
    for m in months:
        carriers = {line.fuel for line in m.fuels if line.ncv_gj_per_unit is None}
        for code in carriers:
            if (code, m.period) in out:
                continue
            fuel = FUELS[code]
            if fuel.gbt2589_carrier is not None:
                cited = params.at("energy.coefficient", period=m.period, carrier=fuel.gbt2589_carrier)
                factor = float(cited.value) * conversion_factor(cited.unit, f"tce/{fuel.unit}")
            else:
                cited = params.at("emissions.fuel", period=m.period, fuel=code, quantity="ncv")
                factor = float(cited.value) * conversion_factor(cited.unit, f"GJ/{fuel.unit}") / GJ_PER_TCE
            out[(code, m.period)] = _coefficient(cited, factor, fuel.unit)
        for carrier, key, unit, quantity in (
            (pf.ELECTRICITY, "electricity_equivalent", "MWh", m.net_electricity_mwh),
            (pf.HEAT, "heat", "GJ", m.net_heat_gj),
        ):
            if quantity and (carrier, m.period) not in out:
                cited = params.at("energy.coefficient", period=m.period, carrier=key)
                out[(carrier, m.period)] = _coefficient(
                    cited, float(cited.value) * conversion_factor(cited.unit, f"tce/{unit}"), unit
                )
    return out


def figures(session: Session, params: ParameterSet, enterprise: Enterprise, year: int) -> pf.Prefill:
    months = months_of(session, enterprise, year)
    day = f"{year}-12"
    mandatory = params.at("energy.key_unit_threshold", period=day, kind="mandatory")
    designated = params.at("energy.key_unit_threshold", period=day, kind="designated")
    return pf.prefill(
        year,
        months,
        coefficients(params, [m for m in months if m.state == pf.COUNTED]),
        mandatory_tce=float(mandatory.value) * conversion_factor(mandatory.unit, "tce"),
        designated_tce=float(designated.value) * conversion_factor(designated.unit, "tce"),
        threshold_citation=_zh_citation(mandatory),
    )


def _zh_citation(cited: Cited) -> str:
    """The source as a Chinese reader cites it (the law's own title and article), else as recorded."""
    zh = cited.source.zh
    if zh is None:
        return cited.citation()
    return "".join(x for x in (zh.document, zh.clause) if x)


def figures_sha256(figures: pf.Prefill) -> str:
    """A fingerprint of the figures a version was filed with (what changes it: a month, a result, a factor)."""
    return report_state.sha256(
        {
            "year": figures.year,
            "total": round(figures.total_tce, 6),
            "carriers": [(c.carrier, round(c.amount, 6), round(c.tce, 6)) for c in figures.carriers],
            "products": [(p.product, round(p.output_t, 6), round(p.energy_tce, 6)) for p in figures.products],
            "months": sorted(figures.months.items()),
            "previous": None if figures.previous_total_tce is None else round(figures.previous_total_tce, 6),
        }
    )
