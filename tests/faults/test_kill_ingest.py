"""kill -9 of the ingest service while messages flow, on the real broker: after a restart with the same
session every reading is stored and none twice (counted: one version per key, arrivals' new = keys)."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import threading
import time

import pytest

from carbonpeak.monitoring.mqtt import Publisher
from carbonpeak.monitoring.simulate import Behaviour, events
from carbonpeak.monitoring.store import DuckDBStore
from carbonpeak.services import monitoring as svc
from carbonpeak.services import registry as reg
from carbonpeak.store import db
from tests.monitoring.conftest import IngestService, ingest_service  # noqa: F401
from tests.monitoring.test_ingest_mqtt import HOST, PORT, broker_up
from tests.services.conftest import ADMIN
from tests.store.conftest import uscc

pytestmark = pytest.mark.skipif(not broker_up(), reason="no MQTT broker on 127.0.0.1:1883 (apt-get install mosquitto)")


def test_kill_9_while_messages_flow_loses_nothing_and_counts_nothing_twice(
    ingest_service: IngestService,  # noqa: F811
) -> None:
    url, readings = ingest_service.url, ingest_service.readings
    with db.transaction(url) as session:
        reg.add_region(session, ADMIN, {"region_code": "SX", "name_zh": "测试省", "level": "province"})
        reg.add_enterprise(
            session, ADMIN, {"enterprise_code": "E1", "name_zh": "甲", "uscc": uscc("E1"), "region_code": "SX"}
        )
        for f in range(8):
            reg.add_facility(
                session,
                ADMIN,
                {"facility_code": f"F{f}", "enterprise_code": "E1", "name_zh": f"厂{f}", "sector": "copper"},
            )
            for k in range(3):
                svc.add_meter(
                    session,
                    ADMIN,
                    {
                        "meter_code": f"F{f}-M{k}",
                        "facility_code": f"F{f}",
                        "name_zh": "表",
                        "energy_type": "electricity",
                        "measuring_point": "process",
                        "unit": "kWh",
                        "reading_kind": "interval",
                    },
                )
        meters = svc.meter_table(session)
    start = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    published, truth = events(
        meters,
        start,
        start + dt.timedelta(hours=24),
        seed=9,
        root=ingest_service.topic_root,
        behaviour=Behaviour(dropout=0, late=0.05, duplicate=0.05),
    )
    assert len(published) > 700

    def publish_paced() -> None:  # about 6 s of traffic
        publisher = Publisher(HOST, PORT)
        pending = []
        for number, event in enumerate(published):
            pending.append(publisher.publish(event.topic, event.payload))
            if number % 20 == 0:
                time.sleep(0.15)
        publisher.close(pending)

    first = ingest_service.start(60)
    flow = threading.Thread(target=publish_paced)
    flow.start()
    time.sleep(2.0)  # messages are flowing and being committed
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    assert first.returncode == -signal.SIGKILL
    second = ingest_service.start(12)  # the restart, same session
    flow.join(timeout=60)
    output, _ = second.communicate(timeout=60)
    assert second.returncode == 0, output
    after_restart = int(re.search(r"new=(\d+)", output).group(1))  # type: ignore[union-attr]
    assert 0 < after_restart < len(truth.keys)  # the kill fell while messages flowed: both processes stored some
    store = DuckDBStore(readings)
    try:
        current = store.current()
        got = set(zip(current["meter"], current["interval_start"].dt.to_pydatetime(), strict=True))
        lost = truth.keys - got
        where = [(i, e.kind, e.message_id) for i, e in enumerate(published) if set(e.readings) & lost]
        assert not lost, (sorted(lost), where, len(published), output)
        assert store.count() == len(truth.keys)  # one version per key: nothing counted twice
        current = store.current()
        assert set(zip(current["meter"], current["interval_start"].dt.to_pydatetime(), strict=True)) == truth.keys
        arrivals = store.arrivals()
        assert int(arrivals["new"].sum()) == len(truth.keys) and int(arrivals["corrections"].sum()) == 0
    finally:
        store.close()
