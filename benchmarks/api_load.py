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

Usage: .venv/bin/python benchmarks/api_load.py [--duration 20] [--clients 32]
       [--batches 5] [--tracking-uri URI]
The database server is GLS_BENCH_DATABASE_URL, else the one in the settings (`make up`).
"""

from __future__ import annotations

import argparse
import asyncio
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
from green_light_platform.db.embedded import free_port
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


async def drive(port: int, requests: list[bytes], clients: int, duration: float) -> None:
    """`clients` closed-loop clients for `duration` seconds after a warm-up."""
    latencies: list[float] = []
    errors = 0
    warm_until = time.perf_counter() + WARMUP_S
    stop_at = warm_until + duration

    async def client(offset: int) -> None:
        nonlocal errors
        connection = await Connection.open(port)
        i = offset
        try:
            while (now := time.perf_counter()) < stop_at:
                status = await connection.send(requests[i % len(requests)])
                if now >= warm_until:
                    latencies.append(time.perf_counter() - now)
                    errors += status != 200
                i += clients
        finally:
            connection.close()

    await asyncio.gather(*(client(n) for n in range(clients)))
    print(
        f"API    /predict, {clients} clients, {duration:.0f} s    {percentiles(latencies)}"
        f"  {len(latencies) / duration:.1f} req/s  errors {errors}"
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


def run(args: argparse.Namespace, database_url: str, folder: Path) -> None:
    tracking_uri = args.tracking_uri or f"sqlite:///{folder / 'mlflow.db'}"
    variables = {
        "GLS_DATABASE_URL": database_url,
        "GLS_VOLUMES_DIR": str(folder / "Volumes"),
        "ROAD_ACCIDENTS_DATA_DIRECTORIES": str(folder / "baac"),
        "GLS_DEMO_YEARS": f"{YEARS[0]}-{YEARS[-1]}",
        "GLS_DEMO_SCALE": str(args.scale),
        "GLS_MLFLOW_TRACKING_URI": tracking_uri,
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
        asyncio.run(drive(port, requests, args.clients, args.duration))
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
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s: %(message)s")
    server_url = os.environ.get("GLS_BENCH_DATABASE_URL") or DatabaseSettings().url
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start")
    with (
        tempfile.TemporaryDirectory() as folder,
        temporary_database(server_url, "gls_bench_api") as database_url,
    ):
        os.chdir(folder)  # MLflow writes nothing into the working copy
        run(args, database_url, Path(folder))


if __name__ == "__main__":
    main()
