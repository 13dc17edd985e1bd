"""Training speed and memory of the gravity model on the whole history.

Generates 2005-2023 at scale 1.0 (about a million accidents) with the demo-data generator,
ingests it into a fresh database (both untimed), then measures in a fresh child process:
- the main model: training data by SQL, temporal split, HistGradientBoosting fit,
  calibration, threshold and holdout metrics (targets: under 5 minutes, under 4 GB);
- with `--full`, the whole `train()` of `gls train`: baseline and main model, temporal and
  random splits, MLflow logging and registration (a SQLite store in a temporary folder).
Peak memory is the child's maximum resident set size.

Usage: .venv/bin/python benchmarks/train.py [--scale 1.0] [--years 2005-2023] [--full]
       [--database-url URL]  (an already loaded database: skips generation and ingestion)
The database server is GLS_BENCH_DATABASE_URL, else the one in the settings (`make up`).
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import resource
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

from baac_demo_data import generate_demo_data
from gravity_model import evaluation
from gravity_model.cli import parse_years
from gravity_model.dataset import load_dataset
from gravity_model.pipelines import fit
from gravity_model.training import train
from green_light_platform.db.admin import temporary_database
from green_light_platform.settings import DatabaseSettings
from road_accidents_database_ingestion.pipeline import ingest

log = logging.getLogger("benchmarks.train")


def main_model(database_url: str, years: list[int], seed: int) -> str:
    """Train and score the main model as `train()` does, without MLflow."""
    data = load_dataset(database_url, years)
    split = evaluation.temporal_split(data.years, data.target, seed)
    train_part, validation, test = (
        data.subset(rows) for rows in (split.train, split.validation, split.test)
    )
    model = fit(
        "main", train_part.features, train_part.target, validation.features, validation.target, seed
    )
    threshold = evaluation.choose_threshold(
        validation.target, model.predict_proba(validation.features)[:, 1]
    )
    scores = evaluation.metrics(test.target, model.predict_proba(test.features)[:, 1], threshold)
    return (
        f"{len(data):,} accidents, {split.description}; holdout ROC AUC {scores['roc_auc']:.3f},"
        f" PR AUC {scores['pr_auc']:.3f}"
    )


def full_training(database_url: str, years: list[int], seed: int) -> str:
    """The whole `gls train`, into a throwaway MLflow store."""
    with tempfile.TemporaryDirectory() as folder:
        os.chdir(folder)
        report = train(database_url, f"sqlite:///{folder}/mlflow.db", years=years, seed=seed)
    main, baseline = report.primary["main"], report.primary["baseline"]
    return (
        f"version {report.version}; temporal ROC AUC main {main['roc_auc']:.3f} vs baseline "
        f"{baseline['roc_auc']:.3f}, PR AUC main {main['pr_auc']:.3f} vs baseline "
        f"{baseline['pr_auc']:.3f}"
    )


def _child(target: str, database_url: str, years: list[int], seed: int, queue: object) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    started = time.perf_counter()
    summary = {"main": main_model, "full": full_training}[target](database_url, years, seed)
    wall = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queue.put((summary, wall, peak_kib))


def measure(target: str, database_url: str, years: list[int], seed: int) -> None:
    """Run one measurement in a fresh process so that its peak memory is its own."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=_child, args=(target, database_url, years, seed, queue))
    child.start()
    summary, wall, peak_kib = queue.get()
    child.join()
    label = {"main": "main model (SQL + fit + score)", "full": "full gls train (+ MLflow)"}
    print(f"{label[target]:<34} wall {wall:7.1f} s   peak RSS {peak_kib / 1024**2:5.2f} GiB")
    print(f"  {summary}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--years", default="2005-2023")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--full", action="store_true", help="also time the whole gls train")
    parser.add_argument("--database-url", help="an already loaded database to train from")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    years = parse_years(args.years)

    server = os.environ.get("GLS_BENCH_DATABASE_URL") or DatabaseSettings().url
    database = (
        nullcontext(args.database_url)
        if args.database_url
        else temporary_database(server, "gls_bench_train")
    )
    with database as url:
        if not args.database_url:
            with tempfile.TemporaryDirectory() as folder:
                started = time.perf_counter()
                generate_demo_data(Path(folder), years, scale=args.scale, seed=args.seed)
                generated = time.perf_counter() - started
                ingest(url, Path(folder), years=years)
                print(
                    f"data: {args.years} at scale {args.scale}, generated in {generated:.0f} s, "
                    f"ingested in {time.perf_counter() - started - generated:.0f} s (untimed)"
                )
        measure("main", url, years, args.seed)
        if args.full:
            measure("full", url, years, args.seed)


if __name__ == "__main__":
    main()
