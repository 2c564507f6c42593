"""A month's deposit as plain JSON values: the API's answer and the command line's ``--json``."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from carbonpeak.services.ets_deposit_reads import View


def as_dict(v: View) -> dict[str, Any]:
    """The view as plain JSON values (the API's answer, the command line's --json)."""

    def check(c: Any) -> dict[str, Any]:
        return {
            "key": c.key,
            "deposited": c.deposited,
            "other": c.other,
            "diff_pct": c.diff_pct,
            "tolerance_pct": c.tolerance_pct,
            "state": c.state,
        }

    def deadline(d: Any) -> dict[str, Any] | None:
        return None if d is None else {"due": d.due.isoformat(), "status": d.status, "days_late": d.days_late}

    row = v.deposit
    return {
        "enterprise": v.enterprise.code,
        "month": v.month,
        "status": v.status,
        "locked": v.locked,
        "version": v.version,
        "edition": v.cfg.edition,
        "deadline": deadline(v.deadline),
        "review": deadline(v.review),
        "deposited_by": row.deposited_by if row else None,
        "deposited_at": row.deposited_at.isoformat() if row and row.deposited_at else None,
        "reviewed_by": row.reviewed_by if row else None,
        "reviewed_at": row.reviewed_at.isoformat() if row and row.reviewed_at else None,
        "review_reason": row.review_reason if row else None,
        "items": [
            {
                "key": i.key,
                "facility": i.facility,
                "item": i.item.key,
                "fuel": i.fuel or None,
                "unit": i.item.unit,
                "basis": i.item.basis,
                "evidence_required": i.item.evidence,
                "reported": i.reported,
                "deposited": i.deposited,
            }
            for i in v.items
        ],
        "files": [
            {
                "id": f.id,
                "item": f.item,
                "name": f.name,
                "version": f.version,
                "current": f.current,
                "sha256": f.sha256,
                "size": f.size,
                "demo": f.demo,
                "uploaded_by": f.uploaded_by,
                "uploaded_at": f.uploaded_at.isoformat(),
                "url": f"/api/v1/enterprises/{v.enterprise.code}/ets/deposits/{v.month}/evidence/{quote(f.name)}"
                f"?version={f.version}",
            }
            for f in v.files
        ],
        "report_checks": [check(c) for c in v.report_checks],
        "meter_checks": [check(c) for c in v.meter_checks],
        "metered": v.metered,
        "report_versions": {k: {"version": a, "status": b} for k, (a, b) in v.report_versions.items()},
    }
