"""A restart of the database while readings flow: a PostgreSQL of the test's own (initdb and pg_ctl in a temporary
directory, on a free port; the machine's server is never touched) holds the readings, a Mosquitto of the test's
own carries them. The restart breaks the ingest's connection: the batch in flight is not committed and not
acknowledged, the subscriber stops; started again with the same session on a new connection, it gets every
message the broker still holds. Afterwards every reading is stored once (counted)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from carbonpeak.monitoring.mqtt import Publisher, Subscriber
from carbonpeak.monitoring.simulate import Behaviour, events
from carbonpeak.monitoring.store import PostgresStore
from carbonpeak.services.monitoring_ingest import MeterIndex, mqtt_handler
from tests.faults.test_broker_restart import MOSQUITTO, free_port, start_broker
from tests.monitoring.test_ingest_mqtt import METERS

INITDB = shutil.which("initdb")
PG_CTL = shutil.which("pg_ctl")
pytestmark = [
    pytest.mark.skipif(not Path(MOSQUITTO).exists(), reason="mosquitto is not installed (apt-get install mosquitto)"),
    pytest.mark.skipif(
        INITDB is None or PG_CTL is None, reason="initdb/pg_ctl not found (Debian: apt-get install postgresql)"
    ),
]


def _as_server_user(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, the commands run as the ``postgres`` user."""
    if os.geteuid() != 0:
        return command
    runuser = shutil.which("runuser")
    if runuser is None:
        pytest.skip("running as root without runuser: cannot start a PostgreSQL of the test's own")
    return [runuser, "-u", "postgres", "--", *command]


class OwnPostgres:
    """A throw-away PostgreSQL cluster: its data and socket in a temporary directory, listening on ``port``."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="cp-pg-restart-"))
        self.data = self.dir / "data"
        self.port = free_port()
        if os.geteuid() == 0:  # the server's user must own its directory
            shutil.chown(self.dir, "postgres", "postgres")
        subprocess.run(
            _as_server_user([str(INITDB), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=on"
        command = [str(PG_CTL), "-D", str(self.data), "-o", options, "-w", "-l", str(self.dir / "log"), *extra]
        subprocess.run(_as_server_user([*command[:1], action, *command[1:]]), check=True, stdout=subprocess.DEVNULL)

    def remove(self) -> None:
        subprocess.run(
            _as_server_user([str(PG_CTL), "-D", str(self.data), "-m", "immediate", "stop"]),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def postgres() -> Iterator[OwnPostgres]:
    server = OwnPostgres()
    try:
        server.ctl("start")
        yield server
    finally:
        server.remove()


def test_database_restart_loses_nothing_and_counts_nothing_twice(postgres: OwnPostgres, tmp_path: Path) -> None:
    port = free_port()
    config = tmp_path / "mosquitto.conf"
    config.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence true\n"
        f"persistence_location {tmp_path}/\nmax_queued_messages 0\nautosave_interval 1\n"
    )
    broker = start_broker(config, port)
    published, truth = events(
        METERS,
        dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC),
        seed=9,
        behaviour=Behaviour(dropout=0, late=0.05, duplicate=0.05),
    )
    client_id = f"cp-dbrestart-{uuid.uuid4().hex[:8]}"
    index = MeterIndex.of(METERS)
    store = PostgresStore(postgres.url)
    subscriber = Subscriber(mqtt_handler(store, index), port=port, client_id=client_id)
    subscriber.start()

    def gateway() -> None:  # a steady flow, each message taken by the broker (its PUBACK) before the next
        publisher = Publisher(port=port, client_id=f"gw-{uuid.uuid4().hex[:6]}")
        for event in published:
            publisher.publish(event.topic, event.payload, wait=True)
            time.sleep(0.02)
        publisher.close()

    flow = threading.Thread(target=gateway)
    flow.start()
    stores = [store]
    try:
        time.sleep(0.8)
        before = store.count()
        postgres.ctl("restart", "-m", "fast")  # the server ends every connection and comes back
        deadline = time.monotonic() + 20
        while not subscriber.stopped and time.monotonic() < deadline:  # the next write fails: nothing acknowledged
            time.sleep(0.05)
        failed = subscriber.failures
        subscriber.stop()
        store = PostgresStore(postgres.url)  # the ingest started again: a new connection, the same MQTT session
        stores.append(store)
        subscriber = Subscriber(mqtt_handler(store, index), port=port, client_id=client_id)
        subscriber.start()
        flow.join(timeout=120)
        assert not flow.is_alive()
        deadline = time.monotonic() + 30
        while store.count() < len(truth.keys) and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)  # anything redelivered late would show now
        stored, arrivals = store.count(), store.arrivals()
    finally:
        subscriber.stop()
        broker.terminate()
        broker.wait(timeout=10)
        for each in stores:
            with contextlib.suppress(Exception):  # the connection the restart broke
                each.close()
    assert failed == 1  # the restart fell while readings flowed: one batch failed, not acknowledged
    assert 0 < before < len(truth.keys)
    assert subscriber.failures == 0
    assert stored == len(truth.keys)  # nothing lost, one version per key
    assert int(arrivals["new"].sum()) == len(truth.keys)  # each reading counted new once
    assert int(arrivals["corrections"].sum()) == 0
