"""Words of the energy-utilisation report (its catalog ``energy_report.doc.*``): the deadline's state, the
data state in words, and the provenance of its figures (:mod:`carbonpeak.services.energy_report_doc`)."""

from __future__ import annotations

from typing import Any

from carbonpeak import messages
from carbonpeak.energy_report import config
from carbonpeak.reports.document import Provenance
from carbonpeak.services import energy_report as use


def t(key: str, lang: str, **params: Any) -> str:
    return messages.render(f"energy_report.doc.{key}", lang, params)


def state_words(state: dict[str, Any], lang: str, fingerprint: str) -> list[tuple[str, str]]:
    """The data state in words: the months read per state, the coefficients, the entries, the fingerprint."""
    cp = "reports.cp."
    sep = "；" if lang == "zh" else "; "
    months = state["months"]
    counts: dict[str, int] = {}
    for _facility, _period, _version, month_state in months:
        counts[month_state] = counts.get(month_state, 0) + 1
    window = f"{min(m[1] for m in months)} — {max(m[1] for m in months)}" if months else "—"
    return [
        (messages.render(cp + "ds.window", lang), window),
        (
            messages.render(cp + "ds.months", lang),
            sep.join(f"{messages.render(cp + 'state.' + s, lang)} {n}" for s, n in sorted(counts.items())),
        ),
        (messages.render(cp + "ds.parameters", lang), sep.join(f"{k} = {v}" for k, v in state["parameters"].items())),
        (t("fact.version", lang), f"v{state['entries_version']} {state['entries_status']} · {state['entries'][:12]}"),
        (t("fact.form_set", lang), state["form_set"]),
        (messages.render(cp + "ds.as_of", lang), state["as_of"]),
        (messages.render(cp + "ds.fingerprint", lang), fingerprint),
    ]


def provenance(o: use.Opened, lang: str) -> list[Provenance]:
    f = o.figures
    params = sorted({f"{k.parameter}: {k.citation}" for r in f.carriers for k in r.coefficients})
    months = t("months_words", lang, year=o.year, n=f.months.get("counted", 0))
    url = f"/enterprises/{o.basic.code}/energy-report?year={o.year}"
    methods = ["GB/T 2589-2020 §3, Annex A (gbt2589-2020)"]
    return [
        Provenance("T2", o.forms.table("t2").heading(lang), methods, params, months, url),
        Provenance("T3", o.forms.table("t3").heading(lang), [t("physical", lang)], [], months, url),
        Provenance(
            "T4", o.forms.table("t4").heading(lang), [*methods, "comprehensive_energy_kgce_per_t"], params, months, url
        ),
    ]


def deadline_words(status: config.DeadlineStatus, lang: str) -> str:
    day = status.day.isoformat() if status.day else ""
    return t(f"deadline.{status.state}", lang, day=day)
