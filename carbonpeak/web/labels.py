"""Labels of the codes the platform shows (statuses, roles, kinds, sectors, result columns), by language."""

from __future__ import annotations

from typing import Any

from carbonpeak.indicators.definitions import INDICATORS
from carbonpeak.vocabulary import SECTOR_LABELS, BenchmarkClass, Sector
from carbonpeak.web.i18n import N_, current_lang, gettext

SUBMISSION_STATUS = {
    "draft": N_("draft"),
    "submitted": N_("submitted"),
    "returned": N_("returned for correction"),
    "verified": N_("verified"),
    "locked": N_("locked"),
}
ROLES = {
    "enterprise": N_("enterprise user"),
    "city_regulator": N_("city regulator"),
    "province_regulator": N_("provincial regulator"),
    "verifier": N_("verifier"),
    "admin": N_("administrator"),
}
WARNING_KIND = {
    "below_baseline": N_("below the baseline level"),
    "baseline_deadline_passed": N_("baseline deadline passed"),
    "late_submission": N_("late report"),
    "missing_submission": N_("missing report"),
    "held_month": N_("held out pending verification"),
    "implausible_jump": N_("implausible change"),
    "estimated_month": N_("estimated month"),
    "over_capacity": N_("output over capacity"),
    "target_off_track": N_("plan target off track"),
    "metered_month_differs": N_("metered month differs"),
}
WARNING_STATUS = {
    "open": N_("open"),
    "acknowledged": N_("acknowledged"),
    "assigned": N_("assigned"),
    "closed": N_("closed"),
}
WARNING_ACTION = {
    "raise": N_("raised"),
    "acknowledge": N_("acknowledged"),
    "assign": N_("assigned"),
    "close": N_("closed"),
    "reopen": N_("reopened"),
    "resolve": N_("cleared: no longer found in the data"),
}
FACILITY_STATUS = {"operating": N_("operating"), "idle": N_("idle"), "retired": N_("retired")}
SEVERITY = {"high": N_("high"), "medium": N_("medium"), "low": N_("low")}
TARGET_STATUS = {
    "met": N_("met"),
    "on_track": N_("on track"),
    "at_risk": N_("at risk"),
    "off_track": N_("off track"),
    "missed": N_("missed"),
    "no_data": N_("no data"),
    "not_measurable": N_("not measurable from enterprise data"),
}
CONFIDENCE = {
    "high": N_("high"),
    "medium-high": N_("medium-high"),
    "medium": N_("medium"),
    "medium-low": N_("medium-low"),
    "low": N_("low"),
}
AUDIT_ACTION = {
    "save": N_("saved a draft"),
    "correct": N_("added a correction"),
    "submit": N_("submitted"),
    "verify": N_("verified"),
    "return": N_("returned for correction"),
    "lock": N_("locked"),
    "upload": N_("uploaded"),
    "compute": N_("computed"),
    "create": N_("created"),
}
# Result columns shown on pages, with their unit.
RESULT_COLUMNS = {
    "output_t": (N_("output"), "t"),
    "energy_tce": (N_("comprehensive energy"), "tce"),
    "fuel_tce": (N_("fuel energy"), "tce"),
    "electricity_tce": (N_("electricity energy"), "tce"),
    "heat_tce": (N_("heat energy"), "tce"),
    "energy_tce_equal_value": (N_("energy, equal-value electricity"), "tce"),
    "fuel_tco2": (N_("fuel combustion CO2"), "tCO2"),
    "process_tco2": (N_("process CO2"), "tCO2"),
    "pfc_tco2e": (N_("PFC emissions"), "tCO2e"),
    "direct_tco2e": (N_("direct emissions"), "tCO2e"),
    "electricity_location_tco2": (N_("electricity CO2, location-based"), "tCO2"),
    "electricity_market_tco2": (N_("electricity CO2, market-based"), "tCO2"),
    "heat_tco2": (N_("heat CO2"), "tCO2"),
    "total_location_tco2e": (N_("total emissions, location-based"), "tCO2e"),
    "total_market_tco2e": (N_("total emissions, market-based"), "tCO2e"),
    "intensity_location_tco2e_per_t": (N_("emission intensity, location-based"), "tCO2e/t"),
    "ac_power_liquid_aluminium_kwh_per_t": (N_("AC power per tonne of liquid aluminium"), "kWh/t"),
    "comprehensive_ac_power_kwh_per_t": (N_("comprehensive AC power per tonne"), "kWh/t"),
    "comprehensive_energy_kgce_per_t": (N_("comprehensive energy per tonne"), "kgce/t"),
    "ch4_t": (N_("methane"), "t"),
}


def label(table: dict[str, str], code: str | None) -> str:
    if code is None:
        return "—"
    return gettext(table[code]) if code in table else code


def warning_text(warning: Any) -> str:
    """A stored warning's text in the current language, from the catalog by its code (the stored text for
    a warning raised before it had one)."""
    from carbonpeak.indicators.warning_texts import text

    lang = current_lang()
    return text(warning.details, lang, warning.message_zh if lang == "zh" else warning.message_en)


def sector(code: str | None) -> str:
    if not code or code == "all":
        return gettext("all sectors")
    try:
        zh, en = SECTOR_LABELS[Sector(code)]
    except ValueError:
        return code
    return zh if current_lang() == "zh" else en


def benchmark_class(code: str | None) -> str:
    if not code or code == "not_classified":
        return gettext("not classified (no output)")
    cls = BenchmarkClass(code)
    return cls.label_zh if current_lang() == "zh" else cls.label_en


def indicator(code: str | None) -> str:
    if code is None or code not in INDICATORS:
        return code or "—"
    item = INDICATORS[code]
    return item.name_zh if current_lang() == "zh" else item.name_en


def named(row: object) -> str:
    """The name of a registry row (region, enterprise, facility) in the current language."""
    zh, en = getattr(row, "name_zh", ""), getattr(row, "name_en", "")
    return (zh if current_lang() == "zh" else en) or zh or en


def result_column(code: str) -> str:
    name, _unit = RESULT_COLUMNS.get(code, (code, ""))
    return gettext(name)


def unit(text: str | None) -> str:
    """Units are shown in their international symbols in both languages, except a few words."""
    if text is None:
        return ""
    words = {
        "facilities": N_("facilities"),
        "year": N_("year"),
        "level": N_("level"),
        "yuan": N_("yuan"),
        "yuan/kWh": N_("yuan/kWh"),
        "factories": N_("factories"),
        "enterprises": N_("enterprises"),
        "parks": N_("parks"),
    }
    return gettext(words[text]) if text in words else text


def line_items(value: object) -> list[tuple[str, object, str]]:
    """Fuel, carbonate and reductant lines of a record as (name, amount, unit)."""
    from carbonpeak.vocabulary import FUELS

    out: list[tuple[str, object, str]] = []
    if not isinstance(value, list):
        return out
    for line in value:
        if not isinstance(line, dict):
            continue
        if "fuel" in line:
            fuel = FUELS.get(str(line["fuel"]))
            name = (fuel.zh if current_lang() == "zh" else fuel.en) if fuel else str(line["fuel"])
            unit_ = {"wan_Nm3": "10⁴ Nm3"}.get(fuel.unit, fuel.unit) if fuel else ""
            out.append((name, line.get("amount"), unit_))
        elif "carbonate" in line:
            out.append(
                (_named_code("emissions.carbonate", "carbonate", str(line["carbonate"])), line.get("amount_t"), "t")
            )
        elif "agent" in line:
            out.append((_named_code("emissions.ipcc2006", "technology", str(line["agent"])), line.get("amount_t"), "t"))
        else:
            out.append((", ".join(f"{k}={v}" for k, v in line.items()), None, ""))
    return out


def target_card(target: dict[str, Any]) -> Any:
    """A plan target's card texts in the current language (carbonpeak/web/target_texts.py)."""
    from carbonpeak.web.target_texts import card

    return card(target)


# Who did something, as an audit entry shows it: a person by their user name, the platform's own jobs by
# what they are (system:daily is the daily warnings check), never a technical actor id.
SYSTEM_ACTORS = {
    "system:daily": N_("system (daily check)"),
    "system:demo": N_("demonstration data"),
    "system:reports": N_("system (monthly reports)"),
}


def plan_title(plan_id: str | None) -> str:
    """A plan's title in the current language, never its id (carbonpeak/web/target_texts.py)."""
    from carbonpeak.web.target_texts import plan_title as title

    return title(plan_id)


# ---- zhparams (issue #14): who did it, as the audit log names them, in words (never "system:demo")
_ACTOR_KINDS = {
    "system": N_("system"),
    "enterprise": N_("enterprise"),
    "verifier": N_("verifier"),
    "cli": N_("command line"),
}


def actor(text: str | None) -> str:
    """An audit actor as a person reads it: web users by name (via the API marked), the demonstration
    loader as such, other ``kind:name`` actors as kind and name."""
    if not text:
        return "—"
    if text in SYSTEM_ACTORS:
        return gettext(SYSTEM_ACTORS[text])
    kind, sep, name = text.partition(":")
    if not sep:
        return text
    if kind == "web":
        return name.replace(" (api)", "（API）" if current_lang() == "zh" else " (API)")
    if kind in _ACTOR_KINDS:
        return f"{gettext(_ACTOR_KINDS[kind])} {name}"
    return text


def method(code: str | None) -> str:
    """An accounting method by its name (the method registry), not its id."""
    from carbonpeak.engine.methods import METHODS

    if not code or code not in METHODS:
        return code or "—"
    item = METHODS[code]
    return item.name_zh if current_lang() == "zh" else item.name_en


def record_value(key: str, value: object) -> object:
    """A coded value of an activity record by its name: technology, product, metering and the other codes
    (carbonpeak.io.choices), a province or grid region (carbonpeak.vocabulary.REGIONS)."""
    from carbonpeak.io.choices import CODED_FIELDS, choices
    from carbonpeak.vocabulary import REGIONS

    if not isinstance(value, str):
        return value
    if key in CODED_FIELDS:
        found = choices(key).get(value)
        if found:
            return found[0] if current_lang() == "zh" else found[1]
    if value in REGIONS and key in ("grid_province", "province", "grid_region", "region"):
        region = REGIONS[value]
        return region.zh if current_lang() == "zh" else region.en
    return value


def _named_code(family: str, key: str, code: str) -> str:
    """A carbonate or reducing agent by the name its parameter family gives it (zh pages), else a fuel's."""
    if current_lang() != "zh":
        return code
    from carbonpeak.parameters import load
    from carbonpeak.vocabulary import FUELS

    names = load().files[family].value_names or {}
    fuel = FUELS.get(code)
    return names.get(key, {}).get(code) or (fuel.zh if fuel else code)


def lines_text(value: object) -> object:
    """Record lines (fuels, carbonates, reductants) given as a list or as its JSON text, as one line of names
    and amounts (``兰炭煤气 2,383.537 万Nm3; 烟煤 3,393.657 t``); any other value as it is."""
    import json

    if isinstance(value, str) and value.startswith("[{"):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    if not isinstance(value, list):
        return value
    from carbonpeak.web.i18n import num

    return "; ".join(
        f"{name} {num(amount) if amount is not None else ''} {unit}".strip() for name, amount, unit in line_items(value)
    )
