"""model_api under load: throughput and latency against the in-process floor, from one run.

Builds what `make up` builds, in throwaway places: demo BAAC files for a few years ingested
into a fresh database, and the champion trained by `gravity_model.training.train` into a
SQLite MLflow store in a temporary folder (or `--tracking-uri` to serve an existing one).
Then starts `gls serve api` (uvicorn, one process, as deployed) and measures, on records of
that database:
- the floor: `ServedModel.predict_records([record])` (what the API calls) in this process,
  one record at a time, and the same for one batch of 10,000 records;
- `POST /predict` with 1 client (the API's overhead over the floor) and with 32 concurrent
  clients, each for `--duration` seconds: requests per second, p50/p95/p99 latency, errors;
- `POST /predict/batch` with 10,000 records, `--batches` times.
Targets on the 2-core machine: 32 clients p99 <= 25 ms with no errors; a 10,000-record
batch <= 1 s; p50 overhead over the floor <= 3 ms.

The load generator is a minimal asyncio HTTP/1.1 client on keep-alive connections: a full
client library costs more CPU per request than the API itself, on the same two cores.

A soak run (`--minutes 5`) runs the concurrent phase that long and reports the server's
resident memory after the first minute and at the end (flat: within 10%). With
`--restart-database` the benchmark runs its own embedded PostgreSQL and stops it for
`--outage-seconds` in the middle of that phase: it reports what clients got before, during
and after the outage (only 200 and 503 are expected during it) and when answers were all 200
again.

Usage: .venv/bin/python benchmarks/api_load.py [--duration 20] [--clients 32]
       [--batches 5] [--tracking-uri URI] [--minutes N] [--restart-database]
       [--outage-seconds 10]
The database server is GLS_BENCH_DATABASE_URL, else the one in the settings (`make up`);
with `--restart-database`, an embedded one in a temporary folder.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import gc
import json
import logging
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import httpx
import numpy as np
import pandas as pd
from pydantic import TypeAdapter, ValidationError

from gravity_model.dataset import load_dataset
from gravity_model.features import FEATURES
from gravity_model.registry import ServedModel, load_served_model
from green_light_platform.bringup import bring_up_with
from green_light_platform.db.admin import temporary_database
from green_light_platform.db.embedded import EmbeddedPostgres, free_port
from green_light_platform.db.engine import connect
from green_light_platform.settings import DatabaseSettings
from model_api.schemas import AccidentRecord

log = logging.getLogger("benchmarks.api_load")

YEARS = [2021, 2022, 2023]
BATCH = 10_000
WARMUP_S = 2.0


def api_records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Rows of the training frame as the API takes them (codes, numbers, booleans, null)."""
    columns = []
    for feature in FEATURES:
        values = frame[feature.name].astype(object).tolist()
        convert = {"numeric": float, "boolean": bool}.get(feature.kind, lambda v: v)
        columns.append([None if pd.isna(v) else convert(v) for v in values])
    names = [feature.name for feature in FEATURES]
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def valid_only(records: list[dict[str, object]]) -> list[dict[str, object]]:
    """The records the API accepts (a demo value outside a feature's domain is dropped)."""
    adapter = TypeAdapter(AccidentRecord)
    kept = []
    for record in records:
        try:
            adapter.validate_python(record)
        except ValidationError:
            continue
        kept.append(record)
    return kept


def percentiles(seconds: list[float]) -> str:
    ms = np.asarray(seconds) * 1000
    p50, p95, p99 = np.percentile(ms, [50, 95, 99])
    return f"p50 {p50:6.2f} ms  p95 {p95:6.2f} ms  p99 {p99:6.2f} ms"


def floor_call(model: ServedModel, records: list[dict[str, object]]) -> float:
    """Seconds of one in-process prediction: what the API cannot go below."""
    started = time.perf_counter()
    model.predict_records(records)
    return time.perf_counter() - started


class Connection:
    """One keep-alive HTTP/1.1 connection sending prebuilt requests."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> Connection:
        return cls(*await asyncio.open_connection("127.0.0.1", port))

    async def send(self, request: bytes) -> int:
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        await self.reader.readexactly(length)
        return int(head[9:12])

    def close(self) -> None:
        self.writer.close()


def prebuilt(port: int, token: str, records: list[dict[str, object]]) -> list[bytes]:
    requests = []
    for record in records:
        body = json.dumps(record).encode()
        head = (
            f"POST /predict HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        requests.append(head.encode() + body)
    return requests


async def paired(
    port: int, requests: list[bytes], records: list[dict], model: ServedModel, duration: float
) -> None:
    """One client: each record predicted in process, then through the API, alternately.

    Pairing the two on the same record at the same moment keeps the machine's other load
    out of the overhead figure.
    """
    connection = await Connection.open(port)
    floor_s, api_s, errors = [], [], 0
    stop_at = time.perf_counter() + WARMUP_S + duration
    i = 0
    try:
        while time.perf_counter() < stop_at:
            floor_s.append(floor_call(model, [records[i % len(records)]]))
            started = time.perf_counter()
            errors += await connection.send(requests[i % len(requests)]) != 200
            api_s.append(time.perf_counter() - started)
            i += 1
    finally:
        connection.close()
    skip = len(api_s) * WARMUP_S // (WARMUP_S + duration)
    floor_s, api_s = floor_s[int(skip) :], api_s[int(skip) :]
    overhead = np.asarray(api_s) - np.asarray(floor_s)
    print(f"floor  predict_records, 1 record          {percentiles(floor_s)}  n={len(floor_s)}")
    print(f"API    /predict, 1 client, paired       {percentiles(api_s)}  errors {errors}")
    print(f"       API overhead over the floor: p50 {np.median(overhead) * 1000:.2f} ms")


def resident_bytes(pid: int) -> int:
    """Resident memory of a process (Linux /proc), in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


class Outage:
    """Stops the benchmark's own PostgreSQL for `seconds` at `at` seconds into the load."""

    def __init__(self, database: EmbeddedPostgres, at: float, seconds: float) -> None:
        self.database, self.at, self.seconds = database, at, seconds
        self.began = self.ended = 0.0

    async def run(self, started: float) -> None:
        await asyncio.sleep(self.at)
        self.began = time.perf_counter() - started
        await asyncio.to_thread(self.database.stop)
        await asyncio.sleep(self.seconds)
        await asyncio.to_thread(self.database.start)
        self.ended = time.perf_counter() - started


async def drive(
    port: int,
    requests: list[bytes],
    clients: int,
    duration: float,
    server_pid: int,
    outage: Outage | None = None,
) -> int:
    """`clients` closed-loop clients for `duration` seconds after a warm-up; the server's
    resident memory sampled every second; with `outage`, the database stopped in between.
    Returns how many predictions were answered 200, warm-up included."""
    latencies: list[float] = []
    warm_ok = 0
    statuses: collections.Counter[tuple[int, int]] = collections.Counter()  # (second, status)
    memory: list[tuple[float, int]] = []
    warm_until = time.perf_counter() + WARMUP_S
    stop_at = warm_until + duration

    async def client(offset: int) -> None:
        nonlocal warm_ok
        connection = await Connection.open(port)
        i = offset
        try:
            while (now := time.perf_counter()) < stop_at:
                status = await connection.send(requests[i % len(requests)])
                if now >= warm_until:
                    latencies.append(time.perf_counter() - now)
                    statuses[int(now - warm_until), status] += 1
                else:
                    warm_ok += status == 200
                i += clients
        finally:
            connection.close()

    async def sample() -> None:
        await asyncio.sleep(WARMUP_S)
        while (now := time.perf_counter()) < stop_at:
            memory.append((now - warm_until, resident_bytes(server_pid)))
            await asyncio.sleep(1)

    background = [asyncio.create_task(sample())]
    if outage is not None:
        background.append(asyncio.create_task(outage.run(warm_until)))
    await asyncio.gather(*(client(n) for n in range(clients)))
    for task in background:
        await task
    by_status = collections.Counter()
    for (_, status), count in statuses.items():
        by_status[status] += count
    errors = sum(by_status.values()) - by_status[200]
    print(
        f"API    /predict, {clients} clients, {duration:.0f} s    {percentiles(latencies)}"
        f"  {len(latencies) / duration:.1f} req/s  errors {errors}"
        f"  answers {dict(sorted(by_status.items()))}"
    )
    report_memory(memory)
    if outage is not None:
        report_outage(statuses, outage, int(duration))
    return sum(count for (_, status), count in statuses.items() if status == 200) + warm_ok


def logged_predictions(database_url: str) -> int:
    """Rows of `/predict` in the prediction log, once their count stops moving (the log is
    written in the background, every few seconds)."""
    count, deadline = -1, time.monotonic() + 60
    while time.monotonic() < deadline:
        with connect(database_url, autocommit=True) as conn:
            row = conn.execute("SELECT count(*) FROM prediction_log WHERE endpoint = 'predict'")
            now = int(row.fetchone()[0])
        if now == count:
            break
        count = now
        time.sleep(3)
    return count


def report_log(database_url: str, before: int, answered: int) -> None:
    """Whether every prediction answered 200 reached the prediction log."""
    count = logged_predictions(database_url) - before
    print(
        f"prediction log: {count:,} rows for {answered:,} predictions answered 200"
        f" (missing {answered - count:,})"
    )


def report_memory(memory: list[tuple[float, int]]) -> None:
    """RSS after the first minute (or the first sample of a shorter run) and at the end."""
    first = next(((t, rss) for t, rss in memory if t >= 60), memory[0])
    last = memory[-1]
    ratio = last[1] / first[1]
    print(
        f"server RSS  at {first[0]:5.0f} s {first[1] / 2**20:7.1f} MiB   at {last[0]:5.0f} s"
        f" {last[1] / 2**20:7.1f} MiB   end/first {ratio:.3f}"
        f"  ({'flat: within 10%' if abs(ratio - 1) <= 0.10 else 'NOT flat: over 10%'})"
    )


def report_outage(
    statuses: collections.Counter[tuple[int, int]], outage: Outage, seconds: int
) -> None:
    """What clients got before, during and after the database outage, and when every answer
    was a 200 again."""
    began, ended = int(outage.began), int(outage.ended) + 1

    def answers(low: int, high: int) -> dict[int, int]:
        found: collections.Counter[int] = collections.Counter()
        for (second, status), count in statuses.items():
            if low <= second < high:
                found[status] += count
        return dict(sorted(found.items()))

    recovered = next(
        (
            second
            for second in range(ended, seconds)
            if all(
                status == 200 for (s, status), count in statuses.items() if s >= second and count
            )
        ),
        None,
    )
    print(
        f"outage: database stopped at {outage.began:.1f} s, running again at {outage.ended:.1f} s"
    )
    print(f"  before  {answers(0, began)}")
    print(f"  during  {answers(began, ended)}")
    print(f"  after   {answers(ended, seconds + 1)}")
    print(
        "  only 200 from "
        + (
            f"{recovered} s ({recovered - outage.ended:.1f} s after restart)"
            if recovered
            else "never: NOT recovered"
        )
    )


def serve(env: dict[str, str], port: int, workdir: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "green_light_platform.cli", "serve", "api"]
    server = subprocess.Popen(
        [*command, "--port", str(port)], env=env, cwd=workdir, stdout=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gls serve api exited with {server.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    server.terminate()
    raise SystemExit("gls serve api did not get ready within 120 s")


def run(
    args: argparse.Namespace,
    database_url: str,
    folder: Path,
    database: EmbeddedPostgres | None = None,
) -> None:
    tracking_uri = args.tracking_uri or f"sqlite:///{folder / 'mlflow.db'}"
    variables = {
        "GLS_DATABASE_URL": database_url,
        "GLS_VOLUMES_DIR": str(folder / "Volumes"),
        "ROAD_ACCIDENTS_DATA_DIRECTORIES": str(folder / "baac"),
        "GLS_DEMO_YEARS": f"{YEARS[0]}-{YEARS[-1]}",
        "GLS_DEMO_SCALE": str(args.scale),
        "GLS_MLFLOW_TRACKING_URI": tracking_uri,
        "ADMIN_PASSWORD": os.environ.get("ADMIN_PASSWORD") or secrets.token_urlsafe(16),
    }
    targets = ["ingest"] if args.tracking_uri else ["first-champion"]
    for outcome in bring_up_with(variables, targets):
        print(f"{outcome.step.name}: {outcome.outcome}")
    records = valid_only(api_records(load_dataset(database_url).features))
    rng = np.random.default_rng(0)
    records = [records[i] for i in rng.permutation(len(records))]
    batch = [records[i % len(records)] for i in range(BATCH)]
    print(f"records: {len(records):,} accidents of {YEARS[0]}-{YEARS[-1]} (demo data)\n")
    model = load_served_model(tracking_uri)
    for record in records[:50]:  # as the API's warm-up does
        floor_call(model, [record])
    batch_floor = min(floor_call(model, batch) for _ in range(args.batches))

    port = free_port()
    admin, password = "bench", secrets.token_urlsafe(16)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")} | {
        "ADMIN_USERNAME": admin,
        "ADMIN_PASSWORD": password,
        "GLS_DATABASE_URL": database_url,
        "GLS_MLFLOW_TRACKING_URI": tracking_uri,
        "GLS_JWT_SECRET": secrets.token_urlsafe(32),
        "GLS_LOG_LEVEL": "WARNING",
        "GLS_MODEL_POLL_SECONDS": "0",
        "GLS_ENV_FILE": str(folder / "none.env"),
        "GLS_VOLUMES_DIR": str(folder / "Volumes"),
        # One benchmark user stands for 32 clients: the per-user limit would measure itself.
        "GLS_API_PREDICT_RATE_PER_SECOND": "0",
    }
    server = serve(env, port, folder)
    try:
        base = f"http://127.0.0.1:{port}"
        token = httpx.post(f"{base}/token", data={"username": admin, "password": password}).json()[
            "access_token"
        ]
        requests = prebuilt(port, token, records)
        # This process holds pandas, scikit-learn and the model: a full collection here would
        # pause the clients for a fifth of a second and count as API latency.
        gc.collect()
        gc.freeze()
        asyncio.run(paired(port, requests, records, model, args.duration))
        load_seconds = args.minutes * 60 if args.minutes else args.duration
        outage = (
            Outage(database, at=load_seconds / 2, seconds=args.outage_seconds)
            if database is not None
            else None
        )
        logged_before = logged_predictions(database_url)
        answered = asyncio.run(
            drive(port, requests, args.clients, load_seconds, server.pid, outage)
        )
        report_log(database_url, logged_before, answered)
        timings = []
        batch_body = json.dumps({"records": batch}).encode()  # encoded once, outside the timing
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        with httpx.Client(base_url=base, timeout=60) as client:
            for _ in range(args.batches):
                started = time.perf_counter()
                response = client.post("/predict/batch", content=batch_body, headers=headers)
                timings.append(time.perf_counter() - started)
                response.raise_for_status()
        print(f"floor  predict_records, {BATCH:,} records   best {batch_floor * 1000:7.1f} ms")
        p50, worst = statistics.median(timings) * 1000, max(timings) * 1000
        print(
            f"API    /predict/batch, {BATCH:,} records   p50 {p50:7.1f} ms  max {worst:7.1f} ms"
            f"  ({args.batches} calls)"
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=20, help="seconds per load phase")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--batches", type=int, default=5)
    parser.add_argument("--scale", type=float, default=0.02, help="demo-data scale per year")
    parser.add_argument("--tracking-uri", help="serve this registry's champion instead")
    parser.add_argument(
        "--minutes", type=float, help="length of the concurrent-clients phase (a soak run)"
    )
    parser.add_argument(
        "--restart-database",
        action="store_true",
        help="run on a PostgreSQL of the benchmark's own and stop it mid-way for a while",
    )
    parser.add_argument("--outage-seconds", type=float, default=10)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s: %(message)s")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start")
    with tempfile.TemporaryDirectory() as folder, ExitStack() as stack:
        database = None
        if args.restart_database:  # never a shared server: this one is stopped mid-run
            database = EmbeddedPostgres(
                data_dir=Path(folder) / "postgres", port=free_port(), host_auth="trust"
            )
            database.start()
            stack.callback(database.destroy)
            server_url = database.url()
        else:
            server_url = os.environ.get("GLS_BENCH_DATABASE_URL") or DatabaseSettings().url
        database_url = stack.enter_context(temporary_database(server_url, "gls_bench_api"))
        os.chdir(folder)  # MLflow writes nothing into the working copy
        run(args, database_url, Path(folder), database)


if __name__ == "__main__":
    main()
