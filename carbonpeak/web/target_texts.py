"""How a plan target's card reads, in the page's language: the target as its plan words it, the figure now,
the target's figure, the reason and the page where it is followed.

In Chinese a card shows the plan's own wording (quoted from the Chinese original, or our translation of an
English-only seed, marked 译文), the target as the plans write it (≥24%, 2030年前达峰, 较2020年下降≥17%),
and never a parameter key, a command or an English fragment; in English it shows the targets as quoted.
The figures come from :mod:`carbonpeak.indicators.targets` (``Evaluation.as_dict``); this module only words
them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from carbonpeak.indicators.targets import target_map
from carbonpeak.parameters import load
from carbonpeak.web import display, labels
from carbonpeak.web.i18n import N_, current_lang, gettext, num, reason

# The mark of a target's Chinese wording that is ours, not the plan's (zh pages only; a title's: Plan.shown_title).
QUOTE_MARK = "（译文）"
# The pages a target's card links to (target_indicators.yaml ``see``), named as the navigation names them.
PAGES = {"/pathways": N_("Pathways"), "/projects": N_("Projects")}


def plans() -> dict[str, Any]:
    return load().plans  # the shipped plans (load() is cached)


def plan_title(plan_id: str | None) -> str:
    """A plan's title in the current language (the official Chinese one, or ours marked 译名); its id if
    it is not a shipped plan."""
    plan = plans().get(str(plan_id))
    return plan.shown_title(current_lang()) if plan is not None else str(plan_id or "")


@dataclass(frozen=True)
class Card:
    what: str  # the target in the plan's words (zh) or its indicator (en)
    measure: str  # the indicator that measures it, with its sectors ("" where it is the headline)
    now: str
    goal: str
    reason: str
    see: str | None  # a page of this site where the target is followed
    see_label: str


def card(t: dict[str, Any]) -> Card:
    """The texts of one target's card (``t``: an evaluation's ``as_dict``, or a pathway's target row: the
    Chinese wording and figure missing from it are read from target_indicators.yaml by the target's id)."""
    zh = current_lang() == "zh"
    entry = target_map().get(str(t.get("id")), {})
    t = {"indicator_text_zh": entry.get("zh"), "quote_zh": entry.get("quote_zh"), "goal_zh": entry.get("goal_zh"), **t}
    if "quote_zh_status" not in t and t.get("plan") in plans():
        t["quote_zh_status"] = plans()[t["plan"]].quote_zh_status
    measure = _measure(t)
    if zh and t.get("quote_zh"):
        mark = QUOTE_MARK if t.get("quote_zh_status") != "original" else ""
        what = t["quote_zh"] + mark
    else:
        what, measure = measure or t.get("indicator_text") or "", ""
    see = t.get("see")
    return Card(
        what=what,
        measure=measure,
        now=_now(t),
        goal=_goal(t, zh),
        reason=_reason(t, zh),
        see=see,
        see_label=gettext(PAGES[see]) if see in PAGES else "",
    )


def _measure(t: dict[str, Any]) -> str:
    if not t.get("indicator"):
        return t.get("indicator_text_zh") or "" if current_lang() == "zh" else ""
    sectors = "、".join(labels.sector(s) for s in t.get("sectors") or [])
    return labels.indicator(t["indicator"]) + (f" · {sectors}" if sectors else "")


def _now(t: dict[str, Any]) -> str:
    if t.get("value") is None:
        return "—"
    if display.shown(t.get("unit"), "total") is not None:
        return display.qty_text(t["value"], t["unit"], "total")
    shown_unit = labels.unit(t.get("unit"))
    return f"{num(t['value'])}{shown_unit}" if current_lang() == "zh" else f"{num(t['value'])} {shown_unit}"


def _goal(t: dict[str, Any], zh: bool) -> str:
    target, unit, comparator = t.get("target"), t.get("unit"), t.get("comparator") or ""
    if zh and t.get("goal_zh"):
        return str(t["goal_zh"])
    if isinstance(target, (int, float)) and unit == "year":
        return f"{comparator} {int(target)}"
    if isinstance(target, (int, float)) and unit == "%":
        return display.target(comparator, target, "%")
    if isinstance(target, (int, float)):
        return display.target(comparator, target, (" " if not zh else "") + labels.unit(unit))
    return f"{comparator} {target if target is not None else ''} {labels.unit(unit)}".strip()


def _reason(t: dict[str, Any], zh: bool) -> str:
    if not zh:
        return str(t.get("reason") or "")
    if t.get("reason_zh"):
        return str(t["reason_zh"])
    if t.get("status") in ("not_measurable", "no_data"):
        return reason(t.get("reason"))
    if t.get("margin") is not None:
        return gettext("%(year)s value; margin to the target %(margin)s", year=t.get("year"), margin=_margin(t))
    return ""


def _margin(t: dict[str, Any]) -> str:
    """The distance to the target in the sector's style: a share's in 百分点, a quantity's in its display unit."""
    margin, unit = t["margin"], t.get("unit")
    if unit == "%":
        return display.points(margin, 2)
    if display.shown(unit, "total") is not None:
        return display.qty_text(margin, unit, "total")
    return f"{num(margin)}{labels.unit(unit)}"
