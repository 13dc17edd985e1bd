"""Reader throughput on the real 2018 files beside a generated year of the same layout.

Reads the whole real 2018 `lieux` and `vehicules` (../shared/data/baac-2018-places-vehicles)
and the same two tables of a generated 2018 at full scale (scale 1.0, about 58,000
accidents), each the best of REPEATS runs, and prints rows/s, MB/s and the real/generated
ratio: real files hold more "not given" cells and padded codes than the generator used to
write, so a reader that handles them slowly shows here. No database is needed.

Usage: .venv/bin/python benchmarks/readers.py [--scale 1.0]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from baac_demo_data import generate_demo_data
from road_accidents_database_ingestion.discovery import find_table_files
from road_accidents_database_ingestion.readers import ReadResult, read_table

if TYPE_CHECKING:
    from road_accidents_database_ingestion.tables import BaacTable

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "baac-2018-places-vehicles"
TABLES: tuple[BaacTable, ...] = ("lieux", "vehicules")
REPEATS = 5


def best_read(path: Path, table: BaacTable) -> tuple[float, ReadResult]:
    timings, result = [], None
    for _ in range(REPEATS):
        started = time.perf_counter()
        result = read_table(path, table)
        timings.append(time.perf_counter() - started)
    assert result is not None
    return min(timings), result


def line(label: str, path: Path, seconds: float, result: ReadResult) -> float:
    rate = result.rows_read / seconds
    megabytes = path.stat().st_size / 1e6
    unknown = len(result.unknowns)
    print(
        f"{label:<34}{result.rows_read:>9,} rows {seconds:7.3f} s {rate:>11,.0f} rows/s"
        f" {megabytes / seconds:6.1f} MB/s  rejects {len(result.rejects)}, unknown {unknown}"
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    if not REAL.is_dir():
        raise SystemExit(f"real 2018 files not found in {REAL}")
    with tempfile.TemporaryDirectory() as tmp:
        generate_demo_data(Path(tmp), [2018], scale=args.scale, seed=7)
        generated = find_table_files(Path(tmp) / "2018")
        real = find_table_files(REAL, require_all=False)
        real_rows = generated_rows = 0
        real_time = generated_time = 0.0
        for table in TABLES:
            seconds, result = best_read(real[table], table)
            line(f"real 2018 {table}", real[table], seconds, result)
            real_rows, real_time = real_rows + result.rows_read, real_time + seconds
            seconds, result = best_read(generated[table], table)
            line(f"generated 2018 {table} (x{args.scale:g})", generated[table], seconds, result)
            generated_rows, generated_time = (
                generated_rows + result.rows_read,
                generated_time + seconds,
            )
        real_rate, generated_rate = real_rows / real_time, generated_rows / generated_time
        print(
            f"both tables: real {real_rate:,.0f} rows/s, generated {generated_rate:,.0f} rows/s;"
            f" real / generated = {real_rate / generated_rate:.2f}x"
        )


if __name__ == "__main__":
    main()
