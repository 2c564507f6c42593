"""Hostile payloads on the MQTT path (the decoder every transport shares): an infinite value and JSON nested
thousands deep are coded refusals, not a stored infinity or a crash."""

from __future__ import annotations

from carbonpeak.monitoring import payload

HEAD = b'{"format": "carbonpeak.readings/1", "message_id": "m-1", "gateway": "gw", "readings": ['


def test_a_value_written_1e999_is_refused_as_not_a_number() -> None:
    data = HEAD + b'{"meter": "AL03-E0", "start": "2026-01-20T00:00:00+08:00", "value": 1e999}]}'
    assert payload.decode_columns(data) is None  # the fast path declines; the decoder names the reading
    batch = payload.decode(data)
    assert batch.items == []
    assert [(e.code, e.record) for e in batch.errors] == [("monitoring.not_a_number", 0)]


def test_json_nested_thousands_deep_is_not_a_message() -> None:
    for data in (b"[" * 5000 + b"]" * 5000, b'{"a":' * 3000 + b"1" + b"}" * 3000):
        batch = payload.decode(data)
        assert batch.items == []
        assert [e.code for e in batch.errors] == ["monitoring.payload_not_json"]
        assert [e.code for e in payload.decode_json(data).errors] == ["monitoring.payload_not_json"]
