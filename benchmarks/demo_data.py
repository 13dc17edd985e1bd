"""Demo-data generation speed: one full-scale year, the default history, the full history.

Measures, in one process (reference communes loaded once, before timing):
- one year at scale 1.0 (about 55,000 accidents), split into drawing and writing;
- `gls demo-data` defaults: 2005-2023 at scale 0.05;
- with `--history`, 2005-2023 at scale 1.0 (about 1.2 million accidents).

Usage: .venv/bin/python benchmarks/demo_data.py [--year 2021] [--history]
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from baac_demo_data import generate_demo_data
from baac_demo_data.generator import generate_year
from baac_demo_data.geography import communes
from baac_demo_data.layouts import write_year

if TYPE_CHECKING:
    from collections.abc import Callable

log = logging.getLogger("benchmarks.demo_data")
HISTORY = range(2005, 2024)


def timed(action: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=2021)
    parser.add_argument("--history", action="store_true", help="also 2005-2023 at scale 1.0")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    communes()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        drawing, records = timed(lambda: generate_year(args.year, 1.0, 42))
        writing, _ = timed(lambda: write_year(records, out / "one" / str(args.year)))
        log.info(
            "%d at scale 1.0: %d accidents, drawn in %.2f s, written in %.2f s",
            args.year,
            len(records.accidents),
            drawing,
            writing,
        )
        seconds, report = timed(lambda: generate_demo_data(out / "default", HISTORY, 0.05, 42))
        log.info("2005-2023 at scale 0.05: %d accidents in %.1f s", report.accidents, seconds)
        if args.history:
            seconds, report = timed(lambda: generate_demo_data(out / "full", HISTORY, 1.0, 42))
            log.info("2005-2023 at scale 1.0: %d accidents in %.1f s", report.accidents, seconds)


if __name__ == "__main__":
    main()
