"""MQTT transport of meter readings (paho-mqtt against a broker such as Mosquitto).

**Topics.** A gateway publishes its batches to ``carbonpeak/v1/readings/{enterprise}/{gateway}``; the
subscriber listens on ``carbonpeak/v1/readings/+/+`` and takes the enterprise from the topic (the meters of
a message must be that enterprise's). That a gateway may publish only under its own enterprise is the
broker's access control (one user per enterprise, an ACL pattern ``carbonpeak/v1/readings/%u/#``): that
configuration is not shipped yet.

**Acknowledged after commit.** The subscriber uses QoS 1 with a persistent session (a fixed client id,
``clean_session=False``) and *manual* acknowledgement: paho sends a message's PUBACK only when
:meth:`Subscriber` calls ``ack`` for it, which it does after the handler returned, i.e. after the readings
were committed. A message whose handler failed (the database down) is not acknowledged; the broker delivers
it again when the subscriber reconnects. QoS 1 is "at least once": duplicates are normal, and the reading
store's idempotent key makes them count once (anchors-next §1.6: the DUP flag cannot be trusted to drop
them, and QoS 2 does not help end to end).

**The gateway's acknowledgement.** Under MQTT the gateway's PUBACK comes from the broker, when the broker has
taken the message, not from carbonpeak. End to end, nothing is lost only if the broker keeps what it took:
its persistence, and its queue limits for the subscriber's session. Mosquitto by default keeps at most 1000
queued messages per client (``max_queued_messages``) and drops the rest for a subscriber that falls behind,
and writes its persistence file only every 30 minutes (``autosave_interval``). A deployment sets
``max_queued_messages 0`` (no limit) or a large value and a short ``autosave_interval``. A gateway that must
"resend until acknowledged" (the end-device rule, anchors-next §1.2) waits instead for carbonpeak's own
acknowledgement: after commit the service publishes ``{"message_id": ..., "stored": true, ...}`` to
``carbonpeak/v1/acks/{enterprise}/{gateway}`` (QoS 1).

Messages are handed to the handler in batches (up to ``batch_max`` messages, 1,000 by default, or
``batch_wait_s`` seconds, 50 ms, after the first, whichever comes first), so that one transaction commits
many messages: a commit's fixed cost (its synced write-ahead log) is what limits single-reading messages.
**The latency bound**: a message is acknowledged at most ``batch_wait_s`` plus one commit after it arrived.
The broker limits how many QoS 1 messages may wait unacknowledged per client (Mosquitto's
``max_inflight_messages``, 20 by default), which bounds a batch: a deployment sets it to at least
``batch_max`` (the benchmark's broker: 1000).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

TOPIC_ROOT = "carbonpeak/v1/readings"
ACK_ROOT = "carbonpeak/v1/acks"
log = logging.getLogger(__name__)


def topic_for(enterprise: str, gateway: str, root: str = TOPIC_ROOT) -> str:
    return f"{root}/{enterprise}/{gateway}"


def ack_topic(topic: str, root: str = TOPIC_ROOT, ack_root: str = ACK_ROOT) -> str:
    """Where the acknowledgement of a message on ``topic`` goes: the same enterprise and gateway under
    ``ack_root``."""
    return ack_root + topic[len(root) :]


def enterprise_of(topic: str, root: str = TOPIC_ROOT) -> str | None:
    """The enterprise a topic names (None for a topic outside ``root``)."""
    if not topic.startswith(root + "/"):
        return None
    parts = topic[len(root) + 1 :].split("/")
    return parts[0] if len(parts) == 2 and parts[0] else None


@dataclass(frozen=True)
class Received:
    topic: str
    payload: bytes
    mid: int
    qos: int


# A handler stores a batch (returning only after commit) and may return what to publish then: (topic,
# payload) pairs, e.g. the application acknowledgements of the messages it stored.
Handler = Callable[[Sequence[Received]], Sequence[tuple[str, bytes]] | None]


class Subscriber:
    """Receives readings messages and hands them to ``handler`` in batches; acknowledges each message only
    after the handler returned (committed). Run with :meth:`run` (blocking) or :meth:`start` / :meth:`stop`."""

    def __init__(
        self,
        handler: Handler,
        *,
        host: str = "127.0.0.1",
        port: int = 1883,
        client_id: str = "carbonpeak-ingest",
        root: str = TOPIC_ROOT,
        batch_max: int = 1000,
        batch_wait_s: float = 0.05,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        self.handler, self.root = handler, root
        self.batch_max, self.batch_wait_s = batch_max, batch_wait_s
        self.on_error = on_error
        self.host, self.port = host, port
        self._queue: queue.Queue[Received] = queue.Queue()
        self._stop = threading.Event()
        self._connected = threading.Event()
        self._subscribed = threading.Event()
        self._worker: threading.Thread | None = None
        self.handled = 0
        self.failures = 0
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=False, manual_ack=True
        )
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.on_subscribe = lambda *_: self._subscribed.set()

    def _on_connect(self, client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any) -> None:
        if getattr(reason, "is_failure", False):
            log.error("MQTT connection refused: %s", reason)
            return
        client.subscribe(f"{self.root}/+/+", qos=1)
        self._connected.set()

    def _on_message(self, _client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        self._queue.put(Received(message.topic, bytes(message.payload), message.mid, message.qos))

    def start(self, timeout_s: float = 10.0) -> None:
        """Connect, subscribe and start handling in the background; returns once subscribed."""
        self.client.connect(self.host, self.port, keepalive=30)
        self.client.loop_start()
        if not self._connected.wait(timeout_s) or not self._subscribed.wait(timeout_s):
            raise TimeoutError(f"no MQTT subscription at {self.host}:{self.port} within {timeout_s} s")
        self._worker = threading.Thread(target=self._work, name="carbonpeak-ingest", daemon=True)
        self._worker.start()

    def _take(self) -> list[Received]:
        try:
            first = self._queue.get(timeout=0.2)
        except queue.Empty:
            return []
        batch, deadline = [first], time.monotonic() + self.batch_wait_s
        while len(batch) < self.batch_max:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                batch.append(self._queue.get(timeout=left))
            except queue.Empty:
                break
        return batch

    def _work(self) -> None:
        while not self._stop.is_set():
            batch = self._take()
            if not batch:
                continue
            try:
                replies = self.handler(batch)
            except BaseException as exc:  # a store fault: acknowledge nothing; the broker redelivers later
                self.failures += 1
                log.exception("ingest failed; %d message(s) not acknowledged", len(batch))
                if self.on_error is not None:
                    self.on_error(exc)
                self._stop.set()  # stop taking messages: a reconnect (restart) gets the unacknowledged ones
                break
            for message in batch:
                if message.qos > 0:
                    self.client.ack(message.mid, message.qos)
            for topic, payload in replies or ():
                self.client.publish(topic, payload, qos=1)
            self.handled += len(batch)

    def stop(self) -> None:
        """Stop handling and disconnect (unacknowledged messages stay with the broker's session)."""
        self._stop.set()
        if self._worker is not None:
            self._worker.join(timeout=5)
        self.client.disconnect()
        self.client.loop_stop()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def run(self, max_seconds: float | None = None, on_ready: Callable[[], None] | None = None) -> None:
        """Handle messages until interrupted (or ``max_seconds`` passed, or the handler failed); ``on_ready``
        is called once subscribed."""
        self.start()
        if on_ready is not None:
            on_ready()
        started = time.monotonic()
        try:
            while not self._stop.is_set():
                if max_seconds is not None and time.monotonic() - started >= max_seconds:
                    break
                time.sleep(0.2)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()


class Publisher:
    """Publishes payloads at QoS 1 and waits for each PUBACK (a gateway's behaviour: resend until acked)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 1883, client_id: str = "") -> None:
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id)
        self.client.max_inflight_messages_set(100)
        self.client.connect(host, port, keepalive=30)
        self.client.loop_start()

    def publish(self, topic: str, payload: bytes, *, wait: bool = False) -> mqtt.MQTTMessageInfo:
        info = self.client.publish(topic, payload, qos=1)
        if wait:
            info.wait_for_publish(timeout=30)
        return info

    def close(self, pending: Sequence[mqtt.MQTTMessageInfo] = ()) -> None:
        for info in pending:
            info.wait_for_publish(timeout=30)
        self.client.disconnect()
        self.client.loop_stop()
