"""Ingestion of BAAC year folders: discover, fingerprint, read, validate, load, record.

`ingest` is what `gls ingest`, the Airflow DAG and the tests call. Each year is independent:
one failing year is recorded with its reason and the others go on. Reading and validation
happen before any write; the load of a year is one transaction under a per-year advisory
lock, so two runs on the same year queue up instead of interleaving.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import pyarrow as pa

from road_accidents_database_ingestion import loader, registry
from road_accidents_database_ingestion.db.engine import connect
from road_accidents_database_ingestion.discovery import (
    YearFolder,
    discover_year_folders,
    find_table_files,
)
from road_accidents_database_ingestion.problems import FileProblem
from road_accidents_database_ingestion.readers import ReadResult, read_table
from road_accidents_database_ingestion.settings import DEFAULT_MAX_REJECT_SHARE
from road_accidents_database_ingestion.tables import BY_BAAC_NAME, BaacTable
from road_accidents_database_ingestion.validation import CheckedYear, validate_year

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path

    import psycopg

log = logging.getLogger(__name__)

Status = Literal["loaded", "skipped", "failed"]


@dataclass
class YearOutcome:
    year: int
    folder: Path
    status: Status
    reason: str | None = None
    files: int = 0
    rows_loaded: dict[str, int] = field(default_factory=dict)
    rows_rejected: int = 0
    seconds: float = 0.0


@dataclass
class IngestReport:
    outcomes: list[YearOutcome] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(o.status != "failed" for o in self.outcomes)


def ingest(
    database_url: str,
    path: Path,
    years: Sequence[int] | None = None,
    *,
    force: bool = False,
    max_reject_share: float = DEFAULT_MAX_REJECT_SHARE,
    on_year: Callable[[YearFolder, YearOutcome | None], None] | None = None,
) -> IngestReport:
    """Ingest every year folder under `path` (or only `years`); never raises for bad data."""
    folders = [f for f in discover_year_folders(path) if years is None or f.year in years]
    report = IngestReport()
    for folder in folders:
        if on_year:
            on_year(folder, None)
        outcome = ingest_year(database_url, folder, force=force, max_reject_share=max_reject_share)
        report.outcomes.append(outcome)
        if on_year:
            on_year(folder, outcome)
    if any(o.status == "loaded" for o in report.outcomes):
        with connect(database_url) as conn:
            loader.analyze_tables(conn)
    return report


def ingest_year(
    database_url: str,
    folder: YearFolder,
    *,
    force: bool = False,
    max_reject_share: float = DEFAULT_MAX_REJECT_SHARE,
) -> YearOutcome:
    """Ingest one year folder: loaded, skipped (unchanged) or failed with a reason."""
    started = time.perf_counter()
    year = folder.year
    try:
        paths = find_table_files(folder.path)
    except FileProblem as problem:
        with connect(database_url) as conn:
            registry.lock_year(conn, year)
            registry.record_year(
                conn, registry.YearRecord(year, folder.path, "", "failed", str(problem))
            )
        return _done(YearOutcome(year, folder.path, "failed", str(problem)), started)

    prints = {table: registry.fingerprint(p) for table, p in paths.items()}
    year_print = registry.year_fingerprint(prints.values())
    if not force:
        with connect(database_url) as conn:
            if registry.year_is_current(conn, year, year_print):
                return _done(
                    YearOutcome(year, folder.path, "skipped", "unchanged", len(paths)), started
                )

    reads, problems = _read_all(paths)
    checked = validate_year(year, reads, max_reject_share) if not problems else None
    if checked is not None:
        problems = {t: f"{paths[t]}: {reason}" for t, reason in checked.failures.items()}

    with connect(database_url) as conn:
        registry.lock_year(conn, year)
        if problems or checked is None:
            outcome = _record_failure(conn, folder, year_print, prints, reads, checked, problems)
        elif not force and registry.year_is_current(conn, year, year_print):
            outcome = YearOutcome(year, folder.path, "skipped", "loaded meanwhile", len(paths))
        else:
            outcome = _load(conn, folder, year_print, prints, checked)
    return _done(outcome, started)


def _read_all(
    paths: dict[BaacTable, Path],
) -> tuple[dict[BaacTable, ReadResult], dict[BaacTable, str]]:
    """Read the four files side by side (Arrow releases the GIL while parsing)."""
    reads: dict[BaacTable, ReadResult] = {}
    problems: dict[BaacTable, str] = {}
    with ThreadPoolExecutor(max_workers=len(paths)) as pool:
        futures = {table: pool.submit(read_table, path, table) for table, path in paths.items()}
    for table, future in futures.items():
        try:
            reads[table] = future.result()
        except FileProblem as problem:
            problems[table] = str(problem)
    return reads, problems


def _done(outcome: YearOutcome, started: float) -> YearOutcome:
    outcome.seconds = time.perf_counter() - started
    log.info(
        "year %s",
        outcome.status,
        extra={
            "year": outcome.year,
            "reason": outcome.reason,
            "rows_loaded": sum(outcome.rows_loaded.values()),
            "rows_rejected": outcome.rows_rejected,
            "seconds": round(outcome.seconds, 2),
        },
    )
    return outcome


def _record_failure(
    conn: psycopg.Connection,
    folder: YearFolder,
    year_print: str,
    prints: dict[BaacTable, registry.Fingerprint],
    reads: dict[BaacTable, ReadResult],
    checked: CheckedYear | None,
    problems: dict[BaacTable, str],
) -> YearOutcome:
    """Record why the year failed; the harmonised tables are not touched."""
    reason = "; ".join(problems[t] for t in sorted(problems))
    for table, fp in prints.items():
        own = problems.get(table)
        read = reads.get(table)
        checked_file = checked.files[table] if checked else None
        file_id = registry.record_file(
            conn,
            folder.year,
            registry.FileRecord(
                table,
                fp,
                "failed",
                layout=read.layout if read else None,
                reason=own or "not loaded: another file of the year failed",
                rows_read=read.rows_read if read else None,
                rows_rejected=checked_file.rows_rejected if checked_file else None,
            ),
        )
        rejects = checked_file.rejects if checked_file else (read.rejects if read else [])
        registry.record_rejects(conn, file_id, rejects)
    registry.record_year(
        conn, registry.YearRecord(folder.year, folder.path, year_print, "failed", reason)
    )
    return YearOutcome(folder.year, folder.path, "failed", reason, len(prints))


def _load(
    conn: psycopg.Connection,
    folder: YearFolder,
    year_print: str,
    prints: dict[BaacTable, registry.Fingerprint],
    checked: CheckedYear,
) -> YearOutcome:
    rows: dict[str, pa.Table] = {}
    file_ids = []
    rejected = 0
    for table, checked_file in checked.files.items():
        file_id = registry.record_file(
            conn,
            folder.year,
            registry.FileRecord(
                table,
                prints[table],
                "loaded",
                layout=checked_file.read.layout,
                rows_read=checked_file.read.rows_read,
                rows_loaded=checked_file.rows.num_rows,
                rows_rejected=checked_file.rows_rejected,
            ),
        )
        file_ids.append(file_id)
        registry.record_rejects(conn, file_id, checked_file.rejects)
        rejected += checked_file.rows_rejected
        ids = pa.array([file_id] * checked_file.rows.num_rows, type=pa.int64())
        rows[BY_BAAC_NAME[table].name] = checked_file.rows.append_column("source_file_id", ids)
    counts = loader.replace_year(conn, folder.year, rows)
    registry.mark_replaced(conn, folder.year, file_ids)
    registry.record_year(
        conn,
        registry.YearRecord(
            folder.year,
            folder.path,
            year_print,
            "loaded",
            None,
            counts,
            rejected,
        ),
    )
    return YearOutcome(folder.year, folder.path, "loaded", None, len(prints), counts, rejected)
