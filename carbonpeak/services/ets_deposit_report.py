"""The monthly deposit receipt (kind ``ets_deposit_monthly``): the month's deposit as it stands, its
state and deadlines, every item with the report's and the deposited value, every evidence file with its
SHA-256, the cross-checks against the month's report and the metered month, and the configuration's
source with what was not found. Provisional until the city accepted the month."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from carbonpeak.errors import InputError
from carbonpeak.ets import deposit as rules
from carbonpeak.reports import state as report_state
from carbonpeak.reports.document import Document, Paragraph, Provenance, Section, Table
from carbonpeak.services import ets_deposit_reads as reads
from carbonpeak.services import ets_report_parts as p
from carbonpeak.services.reports_monitoring import Asked, Made
from carbonpeak.store.models import Region

KIND = "ets_deposit_monthly"


def gather(session: Session, who: Any, asked: Asked) -> Made:
    enterprise = reads.enterprise_for(session, who, asked.enterprise, "report.enterprise.view")
    if not rules.is_month(asked.period):
        raise InputError(code="reports.bad_period", field="period", value=asked.period, period=asked.period)
    as_of = asked.as_of or dt.date.today()
    lang = asked.lang if asked.lang in ("zh", "en") else "zh"
    v = reads.view_of(session, enterprise, asked.period, as_of)
    region = session.get(Region, enterprise.region_id) if enterprise.region_id else None
    files = [[f.item, f.name, f.version, f.sha256, f.size] for f in v.files]
    state: dict[str, Any] = {
        "kind": KIND,
        "enterprise": enterprise.code,
        "region": region.code if region else "",
        "period": asked.period,
        "lang": lang,
        "as_of": as_of.isoformat(),
        "edition": v.cfg.edition,
        "months": [[f, asked.period, ver, st] for f, (ver, st) in sorted(v.report_versions.items())],
        "deposit": {
            "status": v.status,
            "version": v.version,
            "values": report_state.sha256(v.deposit.values if v.deposit else {}),
            "files": report_state.sha256(files),
            "deposited_at": str(v.deposit.deposited_at) if v.deposit else None,
            "reviewed_at": str(v.deposit.reviewed_at) if v.deposit else None,
        },
        "meters": report_state.sha256([[c.key, c.other] for c in v.meter_checks]),
    }
    fingerprint = report_state.fingerprint(state)
    final = v.status == "accepted"
    reasons = [] if final else [p.t(f"st.{v.status}", lang)]
    document = Document(
        kind=KIND,
        lang=lang,
        title=p.t("title_deposit", lang),
        subtitle=p.t(
            "subtitle_deposit",
            lang,
            enterprise=p.name_of(enterprise, lang),
            year=asked.period[:4],
            month=asked.period[5:],
        ),
        made_on=as_of,
        labels=p.labels(lang),
        facts=[
            *p.enterprise_facts(enterprise, region, lang),
            (p.t("fact.format", lang), p.t("deposit_notice", lang)),  # in every format: the official one was not found
            (p.t("fact.month", lang), asked.period),
            (p.t("fact.status", lang), p.t("status.receipt_final" if final else "status.receipt_provisional", lang)),
            (p.t("fact.as_of", lang), as_of.isoformat()),
            (p.t("fact.state", lang), fingerprint),
        ],
        sections=_sections(v, lang),
        provenance=[
            Provenance(
                figure="F2",
                caption=p.t("t.d_items", lang),
                methods=[f"{v.cfg.source['document']}"],
                parameters=[f"ets.deposit ({v.cfg.edition})", "monitoring.month_tolerance"],
                months=asked.period,
                url=f"/ets/{enterprise.code}/deposits/{asked.period}",
            )
        ],
        data_state=[
            (
                p.t("ds.months", lang),
                p.sep(lang).join(f"{f} {m} v{ver} {s}" for f, m, ver, s in state["months"]) or p.t("none", lang),
            ),
            (
                p.t("ds.deposit", lang),
                f"{v.status} v{v.version} {state['deposit']['values'][:12]} {state['deposit']['files'][:12]}",
            ),
            (p.t("ds.as_of", lang), as_of.isoformat()),
            (p.t("ds.fingerprint", lang), fingerprint),
        ],
        provisional=not final,
        provisional_reasons=reasons,
        fingerprint=fingerprint,
        base_url=asked.base_url,
    )
    return Made(document, state)


def _due(deadline: rules.Deadline | None, lang: str) -> str:
    if deadline is None:
        return "—"
    status = p.t(f"dl.{deadline.status}", lang)
    if deadline.days_late:
        return p.t("f.days_late", lang, due=deadline.due.isoformat(), status=status, days=deadline.days_late)
    return p.t("f.due", lang, due=deadline.due.isoformat(), status=status)


def _checks(rows: list[rules.Check], lang: str, figure: str, caption: str, other: str, cfg: Any) -> Table:
    t, num, text = p.t, p.num, p.text
    return Table(
        figure,
        caption,
        [
            t("c.item", lang),
            t("c.deposited", lang),
            other,
            t("c.diff", lang),
            t("c.tolerance", lang),
            t("c.state", lang),
        ],
        [
            [
                text(p.key_label(c.key, cfg, lang)),
                num(c.deposited, 3),
                num(c.other, 3),
                text("—" if c.diff_pct is None else f"{c.diff_pct:+.2f}%"),
                text(f"±{c.tolerance_pct:g}%"),
                text(t(f"ck.{c.state}", lang)),
            ]
            for c in rows
        ],
    )


def _sections(v: reads.View, lang: str) -> list[Section]:
    t, num, text = p.t, p.num, p.text
    row = v.deposit
    status = [
        (t("f.status", lang), t(f"st.{v.status}", lang)),
        (t("f.version", lang), f"v{v.version}" if v.version else "—"),
        (t("f.deadline", lang, days=v.cfg.enterprise_days), _due(v.deadline, lang)),
        (t("f.review", lang, days=v.cfg.city_review_days), _due(v.review, lang)),
        (
            t("f.deposited", lang),
            f"{row.deposited_by} {row.deposited_at:%Y-%m-%d %H:%M}" if row and row.deposited_at else "—",
        ),
        (
            t("f.reviewed", lang),
            f"{row.reviewed_by} {row.reviewed_at:%Y-%m-%d %H:%M}" if row and row.reviewed_at else "—",
        ),
        (t("f.reason", lang), (row.review_reason or "—") if row else "—"),
        (
            t("f.reports", lang),
            p.sep(lang).join(f"{f} v{ver} ({s})" for f, (ver, s) in sorted(v.report_versions.items())) or "—",
        ),
    ]
    status_table = Table(
        "F1", t("t.d_status", lang), [t("c.item", lang), t("c.value", lang)], [[text(a), text(b)] for a, b in status]
    )
    items = Table(
        "F2",
        t("t.d_items", lang),
        [
            t("c.facility", lang),
            t("c.item", lang),
            t("c.unit", lang),
            t("c.reported", lang),
            t("c.deposited", lang),
            t("c.basis", lang),
        ],
        [
            [
                text(i.facility),
                text(p.key_label(i.key, v.cfg, lang).split(" · ", 1)[1]),
                text(p.unit_of(i.item, i.fuel, lang)),
                num(i.reported, 3),
                num(i.deposited, 3),
                text(t(f"basis.{i.item.basis}", lang)),
            ]
            for i in v.items
        ],
    )
    files = Table(
        "F3",
        t("t.d_files", lang),
        [
            t("c.item", lang),
            t("c.name", lang),
            t("c.version", lang),
            t("c.size", lang),
            "SHA-256",
            t("c.uploaded", lang),
        ],
        [
            [
                text(p.key_label(f.item, v.cfg, lang)),
                text(f.name + (t("demo_file", lang) if f.demo else "")),
                text(f"v{f.version}"),
                num(float(f.size), 0),
                text(f.sha256),
                text(f"{f.uploaded_by} {f.uploaded_at:%Y-%m-%d %H:%M}"),
            ]
            for f in v.files
        ],
    )
    checks: list[Any] = [_checks(v.report_checks, lang, "F4", t("t.d_report", lang), t("c.reported", lang), v.cfg)]
    if v.metered and v.meter_checks:
        checks.append(_checks(v.meter_checks, lang, "F5", t("t.d_meters", lang), t("c.metered", lang), v.cfg))
    else:
        checks.append(Paragraph(t("no_meters", lang)))
    source = v.cfg.source
    source_rows = [
        (t("src_edition", lang), f"{v.cfg.edition}（{v.cfg.valid_from.isoformat()}）"),
        (t("src_document", lang), source["document"]),
        (t("src_found", lang), source["found_in"]),
        (t("src_note", lang), source.get("note_zh" if lang == "zh" else "note", source["note"])),
    ]
    return [
        Section(t("s.d_status", lang), [status_table]),
        Section(t("s.d_items", lang), [items]),
        Section(t("s.d_files", lang), [files] if v.files else [files, Paragraph(t("no_files", lang))]),
        Section(t("s.d_checks", lang), checks),
        Section(
            t("s.d_source", lang),
            [
                Table(
                    "F6",
                    t("s.d_source", lang),
                    [t("c.item", lang), t("c.value", lang)],
                    [[text(a), text(b)] for a, b in source_rows],
                )
            ],
        ),
    ]
