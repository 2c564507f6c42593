"""Ingest of meter readings with de-duplication, over MQTT and HTTP, against PostgreSQL COPY without it.

Usage: ``python benchmarks/bench_monitoring_ingest.py [--readings 1000000] [--batch 100000]
[--per-message 1000] [--messages 20000] [--postgres postgresql://postgres@127.0.0.1:5432/postgres]
[--only duckdb-store,mqtt-singles,...] [--out var/bench/monitoring_ingest.md]``

Side by side in one run, each path in a process of its own (so that its peak memory is its own):

* ``duckdb-store``: the DuckDB store (a file) given ``--readings`` readings of 1,000 meters at 15 minutes as
  column batches of ``--batch`` (``write_batch``): every batch new, then the same again (all duplicates);
* ``pipeline-duckdb``: the ingest every transport calls (decode the JSON payloads, check each reading against
  the meter registry, store in one transaction), messages of ``--per-message`` readings, ``--batch``
  readings per commit; then single-reading messages (``--messages``), 1,000 per commit; no transport;
* ``mqtt-batched`` / ``mqtt-singles``: the same messages through a Mosquitto of the run's own (a free port,
  ``max_inflight_messages 1000``, no queue limit), published at QoS 1 by a gateway process and taken by
  ``carbonpeak monitor serve``'s subscriber (acknowledged after commit, carbonpeak's acknowledgement
  published per message), on a DuckDB store: the time from the first publish to the last commit;
* ``http-batched``: ``POST /api/v1/monitoring/readings`` to the web application served by uvicorn (a
  process of its own, a SQLite registry with the demonstration and 1,000 meters, an enterprise API token),
  each body a JSON array of 100 messages, on a DuckDB store; peak memory is the server's;
* ``pg-store`` / ``pipeline-pg``: the PostgreSQL store (binary ``COPY`` to staging + merge), as columns and
  through the pipeline, in a database made for the run and dropped after;
* ``pg-copy``: PostgreSQL ``COPY`` of the same readings into a table without a key (no de-duplication, no
  versions: what the issue compares with), row by row from Python (``write_row``) and as the binary
  ``COPY`` of codes the store itself sends (the server's share of the floor).

Building the inputs is not timed. Peak memory: the process's largest resident size (``ru_maxrss``), and its
resident size just before the timed part (the inputs). The load average is recorded before and after.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import psycopg

from carbonpeak.monitoring.batch import PG_INCOMING_COLUMNS, ReadingBatch, columns, pg_binary_copy
from carbonpeak.monitoring.payload import encode_json
from carbonpeak.monitoring.store import DuckDBStore, PostgresStore, conninfo
from carbonpeak.services.monitoring_ingest import Message, MeterIndex, ingest

METERS = 1000
NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
PATHS = ("duckdb-store", "pipeline-duckdb", "mqtt-batched", "mqtt-singles", "http-batched", "pg-store", "pipeline-pg")
PATHS += ("pg-copy",)


def rss_mb() -> float:
    return status_mb("self", "VmRSS")


def status_mb(pid: int | str, field: str) -> float:
    """A process's resident size now (``VmRSS``) or at its peak (``VmHWM``), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def batches(count: int, batch: int) -> list[ReadingBatch]:
    """``count`` readings of 1,000 meters at 15-minute intervals as column batches (NumPy, no object each)."""
    per_meter = max(1, count // METERS)
    step = np.arange(per_meter, dtype=np.int64).repeat(METERS)
    meter = np.tile(np.array([f"M{m:04d}" for m in range(METERS)], dtype=object), per_meter)
    start = np.datetime64("2026-01-01T00:00:00", "us") + step * np.timedelta64(15, "m")
    value = (step % 97).astype(float)
    message = np.array([f"msg-{i}" for i in range(per_meter)], dtype=object).repeat(METERS)
    return [
        columns(meter[i : i + batch], start[i : i + batch], value[i : i + batch], NOW, message[i : i + batch])
        for i in range(0, len(meter), batch)
    ]


def payloads(count: int, per_message: int, first_step: int = 0) -> list[bytes]:
    """carbonpeak.readings/1 messages of ``per_message`` readings, times in local time with their offset."""
    start = dt.datetime(2026, 1, 1, 8, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    quarter = dt.timedelta(minutes=15)
    out, items = [], []
    for i in range(count):
        step, m = divmod(i, METERS)
        items.append((f"M{m:04d}", start + (first_step + step) * quarter, float(step % 97)))
        if len(items) == per_message:
            out.append(encode_json(f"gw-{first_step}-{len(out)}", "GW", items))
            items = []
    if items:
        out.append(encode_json(f"gw-{first_step}-{len(out)}", "GW", items))
    return out


def meter_index() -> MeterIndex:
    return MeterIndex.of(
        [
            {"meter_code": f"M{m:04d}", "enterprise_code": "E1", "interval_min": 15, "status": "active"}
            for m in range(METERS)
        ]
    )


def row(label: str, readings: int, seconds: float, base: float, **extra: Any) -> dict[str, Any]:
    return {"label": label, "readings": readings, "seconds": seconds, "base_mb": base, **extra}


def timed_batches(store: DuckDBStore | PostgresStore, work: list[ReadingBatch]) -> float:
    began = time.perf_counter()
    for batch in work:
        store.write_batch(batch)
    return time.perf_counter() - began


def timed_ingest(store: DuckDBStore | PostgresStore, messages: list[bytes], per_call: int) -> float:
    meters = meter_index()
    began = time.perf_counter()
    for i in range(0, len(messages), per_call):
        result = ingest(store, meters, [Message(p, "E1") for p in messages[i : i + per_call]], received_at=NOW)
        assert not result.rejected, result.rejected[:3]
    return time.perf_counter() - began


# ---------------------------------------------------------------- the paths (each run in a child process)


def run_duckdb_store(args: argparse.Namespace, folder: Path) -> list[dict[str, Any]]:
    work = batches(args.readings, args.batch)
    n, base = sum(map(len, work)), rss_mb()
    store = DuckDBStore(folder / "store.duckdb")
    rows = [row("DuckDB store, column batches, new readings", n, timed_batches(store, work), base)]
    rows.append(row("DuckDB store, the same again (all duplicates)", n, timed_batches(store, work), base))
    assert store.count() == n
    store.close()
    return rows


def run_pipeline(args: argparse.Namespace, folder: Path, postgres: str | None) -> list[dict[str, Any]]:
    batched = payloads(args.readings, args.per_message)
    singles = payloads(args.messages, 1, first_step=args.readings // METERS + 10)
    base = rss_mb()
    store = PostgresStore(postgres) if postgres else DuckDBStore(folder / "pipeline.duckdb")
    where = "PostgreSQL" if postgres else "DuckDB"
    per_call = max(1, args.batch // args.per_message)
    label = f"pipeline on {where}, messages of {args.per_message:,} readings, {args.batch:,} readings per commit"
    rows = [row(label, args.readings, timed_ingest(store, batched, per_call), base)]
    if postgres:
        store.close()
        return rows
    rows.append(
        row("the same messages again (all duplicates)", args.readings, timed_ingest(store, batched, per_call), base)
    )
    rows.append(
        row(
            f"pipeline on {where}, single-reading messages, 1,000 per commit",
            len(singles),
            timed_ingest(store, singles, 1000),
            base,
        )
    )
    assert store.count() == args.readings + len(singles)  # type: ignore[union-attr]
    store.close()
    return rows


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_port(port: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listens on {port}")


def run_mqtt(args: argparse.Namespace, folder: Path, singles: bool) -> list[dict[str, Any]]:
    from carbonpeak.monitoring.mqtt import Subscriber
    from carbonpeak.services.monitoring_ingest import mqtt_handler

    port = free_port()
    conf = folder / "mosquitto.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
        "max_inflight_messages 1000\nmax_queued_messages 0\n"
    )
    broker = subprocess.Popen(
        [shutil.which("mosquitto") or "/usr/sbin/mosquitto", "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_port(port)
        count = args.messages if singles else args.readings
        per_message = 1 if singles else args.per_message
        root = f"bench/{uuid.uuid4().hex[:8]}/readings"
        gateway_args = ["--readings", str(count), "--per-message", str(per_message)]
        gateway = subprocess.Popen(
            [sys.executable, __file__, "--child", "publish", "--port", str(port), "--root", root, *gateway_args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert gateway.stdout is not None and gateway.stdin is not None
        messages = int(gateway.stdout.readline())  # the gateway has built its payloads
        store = DuckDBStore(folder / "mqtt.duckdb")
        subscriber = Subscriber(
            mqtt_handler(store, meter_index(), root, root.replace("/readings", "/acks")),
            port=port,
            client_id=f"bench-{uuid.uuid4().hex[:8]}",
            root=root,
            batch_max=1000,
        )
        subscriber.start()
        base = rss_mb()
        began = time.perf_counter()
        gateway.stdin.write("go\n")
        gateway.stdin.flush()
        while subscriber.handled < messages:
            if subscriber.stopped or gateway.poll() not in (None, 0):
                raise RuntimeError("the subscriber stopped or the gateway failed")
            time.sleep(0.005)
        seconds = time.perf_counter() - began
        published = float(gateway.stdout.readline())
        gateway.wait(timeout=60)
        subscriber.stop()
        assert store.count() == count, (store.count(), count)
        store.close()
    finally:
        broker.terminate()
        broker.wait(timeout=10)
    label = (
        f"MQTT, single-reading messages ({messages:,}), subscriber batches of at most 1,000 or 50 ms"
        if singles
        else f"MQTT, messages of {per_message:,} readings ({messages:,} messages)"
    )
    return [row(label, count, seconds, base, note=f"the gateway published them in {published:.2f} s")]


def child_publish(args: argparse.Namespace) -> None:
    """A gateway: builds its messages, says how many, waits for ``go``, publishes at QoS 1 and waits for the
    broker's acknowledgements; prints how long publishing took."""
    from carbonpeak.monitoring.mqtt import Publisher, topic_for

    work = payloads(args.readings, args.per_message, first_step=0)
    topic = topic_for("E1", "GW", args.root)
    print(len(work), flush=True)
    sys.stdin.readline()
    publisher = Publisher(port=args.port)
    began = time.perf_counter()
    pending = [publisher.publish(topic, payload) for payload in work]
    publisher.close(pending)
    print(time.perf_counter() - began, flush=True)


def http_registry(folder: Path) -> tuple[str, str]:
    """A SQLite registry with the demonstration, its accounts, 1,000 meters of E02's facility AL03 and an API
    token of E02's account."""
    from sqlalchemy import select

    from carbonpeak.services import demo as demo_service
    from carbonpeak.store import db
    from carbonpeak.store.models import Facility
    from carbonpeak.store.monitoring.models import Meter
    from carbonpeak.web import users
    from carbonpeak.web.users import create_demo_users

    url = f"sqlite:///{folder / 'registry.db'}"
    db.upgrade(url)
    with db.transaction(url) as session:
        demo_service.load_demo(session)
        create_demo_users(session, http_settings(url, folder))
        token = users.create_token(session, "enterprise", "bench", "bench:setup")
        facility = session.scalar(select(Facility).where(Facility.code == "AL03"))
        assert facility is not None
        session.add_all(
            Meter(
                code=f"M{m:04d}",
                facility_id=facility.id,
                name_zh="基准测试电表",
                energy_type="electricity",
                measuring_point="process",
                unit="kWh",
                reading_kind="interval",
                interval_min=15,
                status="active",
            )
            for m in range(METERS)
        )
    db.engine_for(url).dispose()
    return url, token


def http_settings(url: str, folder: Path) -> Any:
    from carbonpeak.web.settings import Settings

    return Settings(
        database_url=url,
        secret_key="bench-secret-key-" + "x" * 32,
        argon2_time_cost=1,
        argon2_memory_kib=8192,
        argon2_parallelism=1,
        import_processes=0,
        warnings_daily_hour=-1,
        readings_url=str(folder / "http.duckdb"),
    )


def child_serve(args: argparse.Namespace) -> None:
    """The web application under uvicorn until terminated (its memory is read from /proc by the client)."""
    import uvicorn

    from carbonpeak.web.app import create_app

    app = create_app(settings=http_settings(args.registry, Path(args.folder)))
    uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=args.port, log_level="warning")).run()


def run_http(args: argparse.Namespace, folder: Path) -> list[dict[str, Any]]:
    url, token = http_registry(folder)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, __file__, "--child", "serve", "--port", str(port), "--registry", url, "--folder", str(folder)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        wait_port(port)
        work = payloads(args.readings, args.per_message)
        per_post = 100
        bodies = [b"[" + b",".join(work[i : i + per_post]) + b"]" for i in range(0, len(work), per_post)]
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        connection.request("POST", "/api/v1/monitoring/readings", body=b"[]", headers=headers)
        connection.getresponse().read()  # the first request opens the store (not timed; refused: no message)
        base = status_mb(server.pid, "VmRSS")
        began = time.perf_counter()
        for body in bodies:
            connection.request("POST", "/api/v1/monitoring/readings", body=body, headers=headers)
            answer = connection.getresponse()
            text = answer.read()
            assert answer.status == 200, (answer.status, text[:500])
        seconds = time.perf_counter() - began
        connection.close()
        peak = status_mb(server.pid, "VmHWM")
    finally:
        server.terminate()
        server.communicate(timeout=60)
    label = f"HTTP POST, bodies of {per_post} messages of {args.per_message:,} readings (uvicorn, one client)"
    return [row(label, args.readings, seconds, base, peak_mb=peak, note="memory: the server's")]


def run_pg_store(args: argparse.Namespace, url: str) -> list[dict[str, Any]]:
    work = batches(args.readings, args.batch)
    n, base = sum(map(len, work)), rss_mb()
    store = PostgresStore(url)
    rows = [row("PostgreSQL store, column batches, new readings (binary COPY to staging + merge)", n, 0.0, base)]
    rows[0]["seconds"] = timed_batches(store, work)
    rows.append(row("PostgreSQL store, the same again (all duplicates)", n, timed_batches(store, work), base))
    assert store.count() == n
    store.close()
    return rows


def run_pg_copy(args: argparse.Namespace, url: str) -> list[dict[str, Any]]:
    work = batches(args.readings, args.batch)
    n = sum(map(len, work))
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    received = NOW
    tuples = [
        (b.meters[m], epoch + dt.timedelta(microseconds=int(s)), float(v), received, b.message_ids[g], "live")
        for b in work
        for m, s, v, g in zip(b.meter_code, b.interval_start, b.value, b.message_code, strict=True)
    ]
    base = rss_mb()
    rows = []
    with psycopg.connect(conninfo(url)) as con:
        con.execute(
            "CREATE TABLE plain_copy (meter varchar(60), interval_start timestamptz, value double precision,"
            " received_at timestamptz, message_id varchar(200), source varchar(20))"
        )
        con.commit()
        began = time.perf_counter()
        with con.cursor().copy("COPY plain_copy FROM STDIN") as copy:
            for t in tuples:
                copy.write_row(t)
        con.commit()
        rows.append(row("PostgreSQL COPY without a key, row by row from Python (write_row)", n, 0.0, base))
        rows[-1]["seconds"] = time.perf_counter() - began
        con.execute(
            "CREATE TABLE plain_codes (seq bigint, meter_code integer, interval_start timestamptz,"
            " value double precision, received_at timestamptz, message_code integer, source_code integer)"
        )
        con.commit()
        began = time.perf_counter()
        for batch in work:
            with con.cursor().copy(f"COPY plain_codes ({PG_INCOMING_COLUMNS}) FROM STDIN (FORMAT binary)") as copy:
                copy.write(pg_binary_copy(batch))
        con.commit()
        rows.append(row("PostgreSQL COPY without a key, the store's binary COPY of codes (its floor)", n, 0.0, base))
        rows[-1]["seconds"] = time.perf_counter() - began
    return rows


def child(args: argparse.Namespace) -> None:
    if args.child == "publish":
        child_publish(args)
        return
    if args.child == "serve":
        child_serve(args)
        return
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        if args.child == "duckdb-store":
            rows = run_duckdb_store(args, folder)
        elif args.child == "pipeline-duckdb":
            rows = run_pipeline(args, folder, None)
        elif args.child in ("mqtt-batched", "mqtt-singles"):
            rows = run_mqtt(args, folder, args.child == "mqtt-singles")
        elif args.child == "http-batched":
            rows = run_http(args, folder)
        elif args.child == "pg-store":
            rows = run_pg_store(args, args.postgres)
        elif args.child == "pipeline-pg":
            rows = run_pipeline(args, folder, args.postgres)
        else:
            rows = run_pg_copy(args, args.postgres)
    for found in rows:
        found.setdefault("peak_mb", peak_mb())
    print("ROWS " + json.dumps(rows), flush=True)


# ---------------------------------------------------------------- the run


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--readings", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=100_000)
    parser.add_argument("--per-message", type=int, default=1000, help="readings per batched message")
    parser.add_argument("--messages", type=int, default=20_000, help="single-reading messages")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--only", default=",".join(PATHS), help="the paths to run, comma-separated")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--root", help=argparse.SUPPRESS)
    parser.add_argument("--registry", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    started = dt.datetime.now(dt.UTC)
    load_before = load()
    name = f"cp_bench_monitoring_{int(time.time())}"
    with psycopg.connect(conninfo(args.postgres), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    pg_url = args.postgres.rsplit("/", 1)[0] + f"/{name}"
    rows: list[dict[str, Any]] = []
    try:
        for path in args.only.split(","):
            command = [sys.executable, __file__, "--child", path, "--readings", str(args.readings)]
            command += ["--batch", str(args.batch), "--per-message", str(args.per_message)]
            command += ["--messages", str(args.messages), "--postgres", pg_url]
            if path in ("pg-store", "pipeline-pg", "pg-copy"):
                with psycopg.connect(conninfo(pg_url), autocommit=True) as con:
                    con.execute("DROP TABLE IF EXISTS meter_reading, reading_arrival, plain_copy, plain_codes")
            sys.stderr.write(f"{path} (load {load()})\n")
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            found = [line for line in done.stdout.splitlines() if line.startswith("ROWS ")]
            if done.returncode != 0 or not found:  # reported, and the other paths still run
                sys.stderr.write(f"{path} failed:\n" + done.stdout[-2000:] + done.stderr[-4000:])
                continue
            rows += [dict(r, path=path) for r in json.loads(found[-1][5:])]
    finally:
        with psycopg.connect(conninfo(args.postgres), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    write_report(args, rows, started, load_before, load())


def write_report(
    args: argparse.Namespace, rows: list[dict[str, Any]], started: dt.datetime, before: str, after: str
) -> None:
    copies = {r["label"]: r["readings"] / r["seconds"] for r in rows if r["path"] == "pg-copy"}
    plain = next((v for k, v in copies.items() if "row by row" in k), None)
    floor = next((v for k, v in copies.items() if "binary" in k), None)
    lines = [
        f"Run {started:%Y-%m-%d %H:%M} UTC to {dt.datetime.now(dt.UTC):%H:%M} UTC; load average (1, 5, 15 min)"
        f" before: {before}; after: {after}; {os.cpu_count()} CPUs seen.",
        "",
        "| path | readings | time | readings per second | vs COPY row by row | vs binary COPY | peak memory"
        " (before the timed part) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        rate = r["readings"] / r["seconds"]
        ratio = f"{rate / plain:.2f}" if plain else ""
        ratio_floor = f"{rate / floor:.2f}" if floor else ""
        base = "" if r["base_mb"] != r["base_mb"] else f" ({r['base_mb']:,.0f} MB)"
        note = f" ({r['note']})" if r.get("note") else ""
        lines.append(
            f"| {r['label']}{note} | {r['readings']:,} | {r['seconds']:.2f} s | {rate:,.0f} | {ratio} | {ratio_floor}"
            f" | {r['peak_mb']:,.0f} MB{base} |"
        )
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
