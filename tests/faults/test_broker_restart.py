"""A restart of the MQTT broker while messages flow (a Mosquitto of the test's own on a free port, its
persistence in tmp_path; the machine's broker is never touched): gateways resend until their message is
acknowledged, the subscriber reconnects and resubscribes by itself, and afterwards every reading is stored
once (counted)."""

from __future__ import annotations

import datetime as dt
import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from carbonpeak.monitoring.mqtt import Subscriber
from carbonpeak.monitoring.simulate import Behaviour, events
from carbonpeak.monitoring.store import DuckDBStore
from carbonpeak.services.monitoring_ingest import MeterIndex, mqtt_handler
from tests.monitoring.test_ingest_mqtt import METERS

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
pytestmark = pytest.mark.skipif(
    not Path(MOSQUITTO).exists(), reason="mosquitto is not installed (apt-get install mosquitto)"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_broker(config: Path, port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen([MOSQUITTO, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise AssertionError("the test's broker did not start")


def test_broker_restart_loses_nothing_and_counts_nothing_twice(tmp_path: Path) -> None:
    port = free_port()
    config = tmp_path / "mosquitto.conf"
    config.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence true\n"
        f"persistence_location {tmp_path}/\nmax_queued_messages 0\nautosave_interval 1\n"
    )
    broker = start_broker(config, port)
    store = DuckDBStore(tmp_path / "r.duckdb")
    client_id = f"cp-restart-{uuid.uuid4().hex[:8]}"
    published, truth = events(
        METERS,
        dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC),
        seed=5,
        behaviour=Behaviour(dropout=0, late=0.05, duplicate=0.05),
    )
    subscriber = Subscriber(mqtt_handler(store, MeterIndex.of(METERS)), port=port, client_id=client_id)
    subscriber.start()
    resends = {"n": 0}

    def gateway() -> None:  # resend until acknowledged by the broker, as the end-device rule asks
        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"gw-{uuid.uuid4().hex[:6]}")
        client.connect("127.0.0.1", port)
        client.loop_start()
        for event in published:
            while True:
                info = client.publish(event.topic, event.payload, qos=1)
                try:
                    info.wait_for_publish(timeout=2)
                    if info.is_published():
                        break
                except (RuntimeError, ValueError):  # not connected: the broker is restarting
                    pass
                resends["n"] += 1
                time.sleep(0.2)
            time.sleep(0.03)
        client.disconnect()
        client.loop_stop()

    flow = threading.Thread(target=gateway)
    flow.start()
    try:
        time.sleep(0.8)
        before = store.count()
        broker.send_signal(signal.SIGTERM)  # a restart: the broker saves its state and stops
        broker.wait(timeout=10)
        time.sleep(1.0)
        broker = start_broker(config, port)
        flow.join(timeout=120)
        assert not flow.is_alive()
        deadline = time.monotonic() + 30
        while store.count() < len(truth.keys) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        subscriber.stop()
        broker.terminate()
        broker.wait(timeout=10)
    assert subscriber.failures == 0
    assert 0 < before < len(truth.keys) and resends["n"] > 0  # the restart fell while messages flowed
    assert store.count() == len(truth.keys)  # nothing lost, one version per key
    arrivals = store.arrivals()
    assert int(arrivals["new"].sum()) == len(truth.keys) and int(arrivals["corrections"].sum()) == 0
