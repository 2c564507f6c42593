"""A returned month (退回修改) is answered in the month form: the form shows the verifier's reason, asks for
the correction's reason, and saves a new version beside the returned one (submitted again when asked)."""

from __future__ import annotations

from typing import Any

from webhelpers import client, post

from carbonpeak.store import db
from carbonpeak.store import repository as repo

REASON = "十二月电解交流电量与结算单不符，请核对"
ANSWER = "已按供电结算单更正电解交流电量"


def test_the_month_form_answers_a_returned_month_with_a_correction(fresh_app: Any, fresh_url: str) -> None:
    verifier, enterprise = client(fresh_app, "verifier"), client(fresh_app, "enterprise")
    assert post(verifier, "/submissions/AL03/2025-12/return", {"reason": REASON}).status_code == 303
    form = enterprise.get("/reporting/form?facility=AL03&period=2025-12")
    assert form.status_code == 200
    returned = form.text.split('data-testid="form-returned"', 1)[1].split("</div>", 1)[0]
    assert "退回修改" in returned and REASON in returned
    with db.transaction(fresh_url) as session:
        before = repo.versions_of(session, "AL03", "2025-12")
        record = dict(before[-1].record)
    values = {
        "facility_id": "AL03",
        "period": "2025-12",
        "output_t": str(record["output_t"]),
        "grid_electricity_mwh": str(record["grid_electricity_mwh"]),
        "electrolysis_ac_mwh": str(round(record["electrolysis_ac_mwh"] * 0.99, 1)),
        "auxiliary_ac_mwh": str(record.get("auxiliary_ac_mwh") or ""),
    }
    # without a reason: refused, nothing written
    refused = post(enterprise, "/reporting/form", {**values, "submit": "1"})
    assert refused.status_code == 422 and "原因" in refused.text
    with db.transaction(fresh_url) as session:
        assert len(repo.versions_of(session, "AL03", "2025-12")) == len(before)
    saved = post(enterprise, "/reporting/form", {**values, "correction_reason": ANSWER, "submit": "1"})
    assert saved.status_code == 303, saved.text[:2000]
    with db.transaction(fresh_url) as session:
        after = repo.versions_of(session, "AL03", "2025-12")
    assert len(after) == len(before) + 1
    assert after[-2].status == "returned" and after[-2].returned_reason == REASON  # the returned one stays
    assert after[-1].status == "submitted" and after[-1].reason == ANSWER
    assert after[-1].record["electrolysis_ac_mwh"] == float(values["electrolysis_ac_mwh"])
