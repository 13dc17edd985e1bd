"""Demo BAAC data: year folders in each year's official layout, with realistic figures.

`generate_demo_data` writes `OUT/<year>/` folders that the platform ingests like real ones, so
readers meet every quirk of both layouts, dashboards show plausible figures and the gravity
model finds the links real data has. `write_broken_variant` copies a year with one defect,
for tests of the ingestion's error messages.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from baac_demo_data.broken import (
    BrokenKind,
    BrokenReport,
    write_broken_variant,
)
from baac_demo_data.generator import generate_year
from baac_demo_data.layouts import WrittenFile, write_year

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path

    from road_accidents_database_ingestion.tables import BaacTable

__all__ = [
    "BrokenKind",
    "BrokenReport",
    "DemoReport",
    "YearReport",
    "generate_demo_data",
    "write_broken_variant",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class YearReport:
    year: int
    folder: Path
    files: tuple[WrittenFile, ...]

    def rows(self, table: BaacTable) -> int:
        return next(f.rows for f in self.files if f.table == table)

    @property
    def accidents(self) -> int:
        return self.rows("caracteristiques")


@dataclass(frozen=True)
class DemoReport:
    out_dir: Path
    scale: float
    seed: int
    years: tuple[YearReport, ...]

    @property
    def accidents(self) -> int:
        return sum(y.accidents for y in self.years)

    def counts(self) -> dict[int, dict[BaacTable, int]]:
        """Rows per table per year."""
        return {y.year: {f.table: f.rows for f in y.files} for y in self.years}


def generate_demo_data(
    out_dir: Path,
    years: Sequence[int],
    scale: float = 0.05,
    seed: int = 42,
    progress: Callable[[int], None] | None = None,
) -> DemoReport:
    """Write `out_dir/<year>/` for each year; `progress(year)` is called as each is done.

    A year's files depend only on (seed, year, scale): the same arguments give byte-identical
    files, and generating one year alone gives the same files as within a longer history.
    """
    if scale <= 0:
        raise ValueError(f"scale must be positive, not {scale}")
    reports = []
    for year in sorted(set(years)):
        folder = out_dir / str(year)
        files = write_year(generate_year(year, scale, seed), folder)
        report = YearReport(year, folder, files)
        log.info(
            "demo year written",
            extra={"year": year, "folder": str(folder), "accidents": report.accidents},
        )
        reports.append(report)
        if progress is not None:
            progress(year)
    return DemoReport(out_dir, scale, seed, tuple(reports))
