"""The ingest pipeline on the real Mosquitto broker (127.0.0.1:1883; each test on topics and a client id of
its own): the simulator's duplicates and late resends count once, resends land in their real intervals,
and a message whose commit failed is not acknowledged and is delivered again."""

from __future__ import annotations

import datetime as dt
import socket
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from carbonpeak.monitoring.mqtt import Publisher, Received, Subscriber
from carbonpeak.monitoring.simulate import Behaviour, events
from carbonpeak.monitoring.store import DuckDBStore
from carbonpeak.services.monitoring_ingest import MeterIndex, mqtt_handler

HOST, PORT = "127.0.0.1", 1883
START = dt.datetime(2026, 3, 1, 0, 0, tzinfo=dt.UTC)
METERS = [
    {
        "meter_code": "F1-E",
        "facility_code": "F1",
        "enterprise_code": "E1",
        "energy_type": "electricity",
        "reading_kind": "register",
        "interval_min": 15,
        "multiplier": 10,
        "status": "active",
    },
    {
        "meter_code": "F1-P",
        "facility_code": "F1",
        "enterprise_code": "E1",
        "energy_type": "electricity",
        "reading_kind": "interval",
        "interval_min": 15,
        "multiplier": 1,
        "status": "active",
    },
    {
        "meter_code": "F2-G",
        "facility_code": "F2",
        "enterprise_code": "E2",
        "energy_type": "natural_gas",
        "reading_kind": "interval",
        "interval_min": 30,
        "multiplier": 1,
        "status": "active",
    },
]


def broker_up() -> bool:
    try:
        with socket.create_connection((HOST, PORT), timeout=1):
            return True
    except OSError:
        return False


pytestmark = pytest.mark.skipif(
    not broker_up(), reason="no MQTT broker on 127.0.0.1:1883: install and start Mosquitto (apt-get install mosquitto)"
)


def until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def forget_session(client_id: str) -> None:
    """Drop the broker's persistent session of ``client_id`` (connect once with a clean session)."""
    import paho.mqtt.client as mqtt

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=True)
    client.connect(HOST, PORT)
    client.loop_start()
    time.sleep(0.2)
    client.disconnect()
    client.loop_stop()


class AckListener:
    """A gateway's view: the acknowledgements carbonpeak publishes after commit."""

    def __init__(self, ack_root: str) -> None:
        import json

        import paho.mqtt.client as mqtt

        self.received: list[dict[str, object]] = []
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        self.client.on_message = lambda _c, _u, m: self.received.append(json.loads(m.payload))
        self.client.connect(HOST, PORT)
        self.client.subscribe(f"{ack_root}/#", qos=1)
        self.client.loop_start()
        time.sleep(0.2)

    def count(self) -> int:
        return len(self.received)

    def message_ids(self) -> set[object]:
        return {r["message_id"] for r in self.received if r["stored"] is True}

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def handler_for(store: DuckDBStore, root: str) -> Callable[[Sequence[Received]], object]:
    return mqtt_handler(store, MeterIndex.of(METERS), root, root.replace("/readings", "/acks"))


def test_duplicates_and_late_resends_count_once(tmp_path: Path) -> None:
    root = f"cp-test-{uuid.uuid4().hex[:8]}/v1/readings"
    client_id = f"cp-test-{uuid.uuid4().hex[:8]}"
    store = DuckDBStore(tmp_path / "r.duckdb")
    published, truth = events(
        METERS,
        START,
        START + dt.timedelta(hours=6),
        seed=7,
        root=root,
        behaviour=Behaviour(dropout=0.05, late=0.1, duplicate=0.15, late_after=5, stuck="F1-P"),
    )
    kinds = {e.kind for e in published}
    assert kinds == {"live", "duplicate", "resend"} and truth.duplicate_readings > 0 and truth.resent_readings > 0
    subscriber = Subscriber(handler_for(store, root), host=HOST, port=PORT, client_id=client_id, root=root)
    acks = AckListener(root.replace("/readings", "/acks"))
    subscriber.start()
    try:
        publisher = Publisher(HOST, PORT)
        publisher.close([publisher.publish(e.topic, e.payload) for e in published])
        until(lambda: subscriber.handled == len(published))
        until(lambda: acks.count() == len(published))  # one acknowledgement per message received, after commit
    finally:
        subscriber.stop()
        acks.close()
        forget_session(client_id)
    assert acks.message_ids() == {e.message_id for e in published}
    current = store.current()
    assert store.count() == len(truth.keys)  # one version per key: every duplicate changed nothing
    assert set(zip(current["meter"], current["interval_start"].dt.to_pydatetime(), strict=True)) == truth.keys
    arrivals = store.arrivals()
    assert int(arrivals["duplicates"].sum()) == truth.duplicate_readings
    assert int(arrivals["new"].sum()) == len(truth.keys)
    resent = {k for e in published if e.kind == "resend" for k in e.readings}
    stored = current.set_index(["meter", "interval_start"])
    for meter, start in resent:  # a late resend lands in its own interval, marked as resent
        assert stored.loc[(meter, start), "source"] == "resend"
    assert len(truth.keys) < 3 * 24 + 12  # dropouts left gaps (6 h: 24 + 24 + 12 points without loss)


def test_a_message_not_committed_is_not_acknowledged(tmp_path: Path) -> None:
    root = f"cp-test-{uuid.uuid4().hex[:8]}/v1/readings"
    client_id = f"cp-test-{uuid.uuid4().hex[:8]}"
    store = DuckDBStore(tmp_path / "r.duckdb")
    published, truth = events(
        METERS,
        START,
        START + dt.timedelta(hours=1),
        seed=3,
        root=root,
        behaviour=Behaviour(dropout=0, late=0, duplicate=0),
    )
    working = handler_for(store, root)
    calls = {"n": 0}

    def failing(batch: Sequence[Received]) -> object:
        calls["n"] += 1
        raise ConnectionError("database down")

    first = Subscriber(failing, host=HOST, port=PORT, client_id=client_id, root=root, batch_max=1)
    first.start()
    try:
        publisher = Publisher(HOST, PORT)
        publisher.close([publisher.publish(e.topic, e.payload) for e in published])
        until(lambda: first.stopped)
    finally:
        first.stop()
    assert calls["n"] == 1 and store.count() == 0
    second = Subscriber(working, host=HOST, port=PORT, client_id=client_id, root=root)  # the restarted service
    second.start()
    try:
        until(lambda: store.count() == len(truth.keys))
    finally:
        second.stop()
        forget_session(client_id)
    assert store.count() == len(truth.keys)
