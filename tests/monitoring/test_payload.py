"""Our payload and the registry checks of the pipeline: every problem is a coded error naming the reading,
good readings of the same message are still stored, and local times with an offset land in UTC."""

from __future__ import annotations

import datetime as dt
import json

from carbonpeak.monitoring import payload as p
from carbonpeak.monitoring.store import DuckDBStore
from carbonpeak.services.monitoring_ingest import Message, MeterIndex, ingest

METERS = [
    {"meter_code": "M15", "enterprise_code": "E1", "interval_min": 15, "status": "active"},
    {"meter_code": "M60", "enterprise_code": "E1", "interval_min": 60, "status": "active"},
    {"meter_code": "OLD", "enterprise_code": "E1", "interval_min": 15, "status": "retired"},
    {"meter_code": "OTHER", "enterprise_code": "E2", "interval_min": 15, "status": "active"},
]
NOW = dt.datetime(2026, 3, 1, 6, 0, tzinfo=dt.UTC)


def body(readings: list[object], **extra: object) -> bytes:
    return json.dumps({"message_id": "m-1", "gateway": "GW1", "readings": readings, **extra}).encode()


def test_local_time_with_offset_lands_in_utc() -> None:
    store = DuckDBStore()
    data = body([{"meter": "M15", "start": "2026-03-01T10:15:00+08:00", "value": 5}])
    result = ingest(store, MeterIndex.of(METERS), [Message(data, "E1")], received_at=NOW)
    assert result.written.new == 1 and result.rejected == []
    assert store.current()["interval_start"].iloc[0] == dt.datetime(2026, 3, 1, 2, 15, tzinfo=dt.UTC)


def test_every_problem_coded_and_good_readings_kept() -> None:
    store = DuckDBStore()
    readings = [
        {"meter": "M15", "start": "2026-03-01T02:00:00Z", "value": 1.5},  # good
        {"meter": "M15", "start": "2026-03-01T02:00:00", "value": 1},  # no offset
        {"meter": "M60", "start": "2026-03-01T02:15:00Z", "value": 1},  # not on the hour grid
        {"meter": "NOPE", "start": "2026-03-01T02:00:00Z", "value": 1},  # unknown
        {"meter": "OTHER", "start": "2026-03-01T02:00:00Z", "value": 1},  # another enterprise's meter
        {"meter": "OLD", "start": "2026-03-01T02:00:00Z", "value": 1},  # retired
        {"meter": "M15", "start": "2026-03-02T02:00:00Z", "value": 1},  # in the future
        {"meter": "M15", "start": "2026-03-01T02:15:00Z", "value": "12"},  # not a number
        {"meter": "M15", "start": "2026-03-01T02:30:00Z", "value": 2, "source": "guess"},
        "not an object",
    ]
    result = ingest(store, MeterIndex.of(METERS), [Message(body(readings), "E1")], received_at=NOW)
    assert result.written.new == 1
    found = [(e.code, e.record) for _, e in result.rejected]
    assert found == [
        ("monitoring.payload_time", 1),
        ("monitoring.not_a_number", 7),
        ("monitoring.payload_source", 8),
        ("monitoring.payload_reading", 9),
        ("monitoring.not_aligned", 2),
        ("monitoring.unknown_meter", 3),
        ("monitoring.unknown_meter", 4),
        ("monitoring.meter_retired", 5),
        ("monitoring.future_reading", 6),
    ]
    texts = {e.code: e.text("zh") for _, e in result.rejected}
    assert "起始时间" in texts["monitoring.not_aligned"] and "60" in texts["monitoring.not_aligned"]


def test_a_message_that_is_not_ours() -> None:
    assert [e.code for e in p.decode(b"\xff\x00").errors] == ["monitoring.payload_not_json"]
    assert [e.code for e in p.decode(b'{"format": "gbt37947"}').errors] == ["monitoring.payload_format"]
    assert [e.field for e in p.decode(b"{}").errors] == ["message_id", "gateway", "readings"]


def test_a_decoder_can_be_added() -> None:
    def csv_like(data: bytes) -> p.Batch:
        meter, start, value = data.decode().split(",")
        batch = p.Batch(message_id="x", gateway="g")
        batch.items.append(p.Item(0, meter, dt.datetime.fromisoformat(start), float(value), "backfill"))
        return batch

    p.register_decoder("test.csv", csv_like)
    store = DuckDBStore()
    message = Message(b"M15,2026-03-01T02:00:00+00:00,3", "E1", format_name="test.csv")
    assert ingest(store, MeterIndex.of(METERS), [message], received_at=NOW).written.new == 1
    assert store.current()["source"].iloc[0] == "backfill"


def test_encode_and_decode_agree() -> None:
    start = dt.datetime(2026, 3, 1, 2, tzinfo=dt.UTC)
    batch = p.decode(p.encode_json("m", "g", [("M15", start, 4.0)], source="resend"))
    assert batch.errors == [] and batch.items == [p.Item(0, "M15", start, 4.0, "resend")]
