"""``POST /api/v1/monitoring/readings``: gateways send batches with their enterprise's API token, through the
one ingest pipeline; all or nothing, every problem at once, idempotent, and a foreign meter is refused exactly
like a meter that does not exist."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from webhelpers import TOKENS, make_app

from carbonpeak.monitoring.store import DuckDBStore
from carbonpeak.services import access
from carbonpeak.services.monitoring import add_meter
from carbonpeak.store import db

URL = "/api/v1/monitoring/readings"


def _meter(code: str, facility: str) -> dict[str, Any]:
    return {
        "meter_code": code,
        "facility_code": facility,
        "name_zh": "测试电表",
        "energy_type": "electricity",
        "measuring_point": "process",
        "unit": "kWh",
        "reading_kind": "interval",
    }


@pytest.fixture
def gateway(fresh_url: str, tmp_path: Any) -> dict[str, Any]:
    with db.transaction(fresh_url) as session:
        who = access.operator("test:setup")
        add_meter(session, who, _meter("AL03-T1", "AL03"))  # E02's, the enterprise account's
        add_meter(session, who, _meter("AO01-T1", "AO01"))  # E05's: another enterprise
    readings = tmp_path / "gateway-readings.duckdb"
    app = make_app(fresh_url, readings_url=str(readings))
    return {"app": app, "client": TestClient(app), "readings": readings}


def _headers(role: str = "enterprise") -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[role]}", "Content-Type": "application/json"}


def _message(message_id: str, *readings: tuple[str, str, Any]) -> dict[str, Any]:
    return {
        "format": "carbonpeak.readings/1",
        "message_id": message_id,
        "gateway": "GW-AL03",
        "readings": [{"meter": m, "start": s, "value": v} for m, s, v in readings],
    }


def _count(gateway: dict[str, Any]) -> int:
    held = getattr(gateway["app"].state, "readings", None)
    if held is not None:  # the test reads the file itself: the app opens it again on its next request
        held.close()
        gateway["app"].state.readings = None
    store = DuckDBStore(gateway["readings"])
    try:
        return store.count()
    finally:
        store.close()


GOOD = _message(
    "GW-AL03-000001",
    ("AL03-T1", "2026-01-19T10:00:00+08:00", 120.5),
    ("AL03-T1", "2026-01-19T10:15:00+08:00", 118.0),
    ("AL03-T1", "2026-01-19T02:30:00Z", 119.25),
)


def test_a_batch_is_stored_and_a_resend_answers_the_same_and_changes_nothing(gateway: dict[str, Any]) -> None:
    first = gateway["client"].post(URL, content=json.dumps(GOOD), headers=_headers())
    assert first.status_code == 200, first.text
    assert first.json() == {
        "stored": True,
        "readings": 3,
        "messages": [{"message_id": "GW-AL03-000001", "readings": 3}],
    }
    assert _count(gateway) == 3
    again = gateway["client"].post(URL, content=json.dumps(GOOD), headers=_headers())
    assert again.status_code == 200
    assert again.json() == first.json()
    assert _count(gateway) == 3  # a duplicate adds no reading (and no version)


def test_an_array_of_messages_is_one_transaction(gateway: dict[str, Any]) -> None:
    second = _message("GW-AL03-000002", ("AL03-T1", "2026-01-19T11:00:00+08:00", 121.0))
    response = gateway["client"].post(URL, content=json.dumps([GOOD, second]), headers=_headers())
    assert response.status_code == 200, response.text
    assert [m["message_id"] for m in response.json()["messages"]] == ["GW-AL03-000001", "GW-AL03-000002"]
    assert _count(gateway) == 4


def test_a_bad_batch_lists_every_problem_and_writes_nothing(gateway: dict[str, Any]) -> None:
    bad = _message(
        "GW-AL03-000003",
        ("AL03-T1", "2026-01-19T10:00:00+08:00", 120.5),  # good, but the batch is refused as a whole
        ("AL03-T1", "2026-01-19T10:07:00+08:00", 1.0),  # not an interval start
        ("AL03-T1", "2026-01-19T10:30:00", 1.0),  # no offset
        ("AL03-T1", "2026-01-19T10:45:00+08:00", "many"),  # not a number
    )
    second = _message("GW-AL03-000004", ("NOPE-1", "2026-01-19T10:00:00+08:00", 1.0))
    response = gateway["client"].post(URL + "?lang=en", content=json.dumps([bad, second]), headers=_headers())
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "monitoring.http_refused"
    found = {(d["message"], d["reading"], d["field"], d["code"]) for d in body["details"]}
    assert found == {
        (0, 1, "start", "monitoring.not_aligned"),
        (0, 2, "start", "monitoring.payload_time"),
        (0, 3, "value", "monitoring.not_a_number"),
        (1, 0, "meter", "monitoring.unknown_meter"),
    }
    aligned = next(d for d in body["details"] if d["code"] == "monitoring.not_aligned")
    assert aligned["expected"] == "15 min" and aligned["message_id"] == "GW-AL03-000003"
    assert "interval" in aligned["text"]
    assert _count(gateway) == 0
    chinese = gateway["client"].post(URL + "?lang=zh", content=json.dumps(bad), headers=_headers())
    assert "采集周期" in " ".join(d["text"] for d in chinese.json()["details"])
    assert "均未保存" in chinese.json()["message"]


def test_a_foreign_meter_is_refused_like_one_that_does_not_exist(gateway: dict[str, Any]) -> None:
    def refusal(meter: str) -> list[dict[str, Any]]:
        message = _message(
            "GW-AL03-000005", ("AL03-T1", "2026-01-19T12:00:00+08:00", 3.0), (meter, "2026-01-19T12:00:00+08:00", 3.0)
        )
        response = gateway["client"].post(URL, content=json.dumps(message), headers=_headers())
        assert response.status_code == 422, response.text
        details = response.json()["details"]
        # the answer repeats what was sent (the code); apart from that it must say nothing more
        return [{k: (v.replace(meter, "?") if isinstance(v, str) else v) for k, v in d.items()} for d in details]

    foreign, missing = refusal("AO01-T1"), refusal("XX99-T1")  # E05's meter; no meter at all
    assert foreign == missing
    assert foreign[0]["code"] == "monitoring.unknown_meter"
    assert _count(gateway) == 0  # the enterprise's own reading of that batch was not stored either


def test_access_is_decided_before_the_body_is_read(gateway: dict[str, Any]) -> None:
    client = gateway["client"]
    assert client.post(URL, content=b"not json").status_code in (401, 403)  # no token: refused (CSRF, login)
    for role in ("city", "province", "verifier"):
        response = client.post(URL, content=b"{not json", headers=_headers(role))
        assert response.status_code == 403, (role, response.text)
    other = client.post(URL + "?enterprise=E05", content=json.dumps(GOOD), headers=_headers())
    assert other.status_code == 404  # not one's own enterprise
    assert client.post(URL, content=json.dumps(GOOD), headers=_headers("admin")).status_code == 422  # names none
    assert client.post(URL + "?enterprise=E02", content=json.dumps(GOOD), headers=_headers("admin")).status_code == 200
    assert _count(gateway) == 3


def test_hostile_bodies_are_coded_refusals_and_write_nothing(gateway: dict[str, Any]) -> None:
    """Not JSON, JSON nested thousands deep, a value that is no number, an empty array: each a 422 naming the
    message, field and what was expected, never a 500; nothing stored."""
    client = gateway["client"]
    for body in (b"{oops", b"[" * 50_000 + b"]" * 50_000, b'"just a string"', b"[]"):
        response = client.post(URL + "?lang=en", content=body, headers=_headers())
        assert response.status_code == 422, (body[:20], response.text[:300])
        details = response.json()["details"]
        assert details and all(d["code"].startswith("monitoring.") and d["text"] for d in details), details
    nan = json.dumps(_message("GW-AL03-000009", ("AL03-T1", "2026-01-19T10:00:00+08:00", "NaN"))).encode()
    response = client.post(URL, content=nan, headers=_headers())
    assert response.status_code == 422
    assert [(d["reading"], d["field"], d["code"]) for d in response.json()["details"]] == [
        (0, "value", "monitoring.not_a_number")
    ]
    assert _count(gateway) == 0


def test_an_oversized_body_is_refused_while_it_is_read(gateway: dict[str, Any]) -> None:
    """A body beyond the upload limit is 413 ``too_large``, whether or not it declares its length (streamed
    in chunks here, as a gateway sending ``Transfer-Encoding: chunked`` does); nothing stored."""
    import dataclasses

    app = gateway["app"]
    app.state.settings = dataclasses.replace(app.state.settings, max_upload_bytes=64 * 1024)
    good = json.dumps(GOOD).encode()
    filler = b" " * 16 * 1024  # JSON allows any whitespace: a valid message made large

    def chunks() -> Any:
        yield good[:-1]
        for _ in range(8):
            yield filler
        yield good[-1:]

    response = gateway["client"].post(URL, content=chunks(), headers=_headers())
    assert response.status_code == 413, response.text[:300]
    assert "too_large" in response.text
    assert _count(gateway) == 0
    small = gateway["client"].post(URL, content=good, headers=_headers())  # within the limit: stored
    assert small.status_code == 200 and _count(gateway) == 3
