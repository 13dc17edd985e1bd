"""Ingestion of BAAC year folders: discover, fingerprint, read, validate, load, record.

`ingest` is what `gls ingest`, the Airflow DAG and the tests call. Each year is independent:
one failing year is recorded with its reason and the others go on. A year is read, checked
and staged under a per-year advisory lock, so two runs on the same year queue up instead of
interleaving, then swapped in with its registry rows in one transaction; a bad file drops
the staging tables, so nothing of a failed year reaches the tables.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import psycopg
from psycopg import Rollback

from green_light_platform.db.engine import connect
from road_accidents_database_ingestion import loader, registry
from road_accidents_database_ingestion.analytics_refresh import refresh_analytics
from road_accidents_database_ingestion.discovery import (
    YearFolder,
    discover_year_folders,
    find_table_files,
)
from road_accidents_database_ingestion.problems import FileProblem
from road_accidents_database_ingestion.quality import FileProfile, file_profile
from road_accidents_database_ingestion.readers import ReadResult, read_table
from road_accidents_database_ingestion.settings import (
    DEFAULT_MAX_REJECT_SHARE,
    DEFAULT_MAX_UNKNOWN_SHARE,
)
from road_accidents_database_ingestion.tables import BY_BAAC_NAME, BaacTable
from road_accidents_database_ingestion.validation import (
    CheckedFile,
    CheckedYear,
    Limits,
    check_accidents,
    check_persons,
    check_places,
    check_vehicles,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path


log = logging.getLogger(__name__)

Status = Literal["loaded", "skipped", "failed"]

_DEPENDENTS: tuple[BaacTable, ...] = ("lieux", "vehicules", "usagers")
_READ_ORDER: tuple[BaacTable, ...] = ("caracteristiques", "vehicules", "usagers", "lieux")
"""Each file after those it is checked against; persons, the largest, early, so that their
copy (the longest) starts early."""


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
    profile: dict[BaacTable, FileProfile] = field(default_factory=dict)
    """Per file of a loaded year: its layout, rows read and rejected, and per column the
    cells "not given" and unknown."""

    @property
    def unknown_values(self) -> int:
        return sum(p.unknown for f in self.profile.values() for p in f.columns.values())


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
    max_unknown_share: float = DEFAULT_MAX_UNKNOWN_SHARE,
    on_year: Callable[[YearFolder, YearOutcome | None], None] | None = None,
) -> IngestReport:
    """Ingest every year folder under `path` (or only `years`); never raises for bad data."""
    folders = [f for f in discover_year_folders(path) if years is None or f.year in years]
    report = IngestReport()
    for folder in folders:
        if on_year:
            on_year(folder, None)
        outcome = ingest_year(
            database_url,
            folder,
            force=force,
            max_reject_share=max_reject_share,
            max_unknown_share=max_unknown_share,
        )
        report.outcomes.append(outcome)
        if on_year:
            on_year(folder, outcome)
    if any(o.status == "loaded" for o in report.outcomes):
        with connect(database_url) as conn:
            loader.analyze_tables(conn)
        refresh_analytics(database_url)
    return report


def ingest_year(
    database_url: str,
    folder: YearFolder,
    *,
    force: bool = False,
    max_reject_share: float = DEFAULT_MAX_REJECT_SHARE,
    max_unknown_share: float = DEFAULT_MAX_UNKNOWN_SHARE,
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

    with connect(database_url) as conn:
        registry.lock_year(conn, year)
        if not force and registry.year_is_current(conn, year, year_print):
            outcome = YearOutcome(year, folder.path, "skipped", "loaded meanwhile", len(paths))
        else:
            outcome = _read_check_load(
                conn,
                database_url,
                folder,
                paths,
                prints,
                year_print,
                limits=(max_reject_share, max_unknown_share),
            )
    return _done(outcome, started)


def _read_check_load(
    conn: psycopg.Connection,
    database_url: str,
    folder: YearFolder,
    paths: dict[BaacTable, Path],
    prints: dict[BaacTable, registry.Fingerprint],
    year_print: str,
    *,
    limits: tuple[float, float],
) -> YearOutcome:
    """Read, check and load the year's files, or record why the year failed.

    A worker thread reads the files one after the other (in _READ_ORDER); each is checked
    here as soon as it is read and, while nothing has failed, staged in the background at
    once: the server copies one file while the next is parsed. Only the swap writes the
    harmonised tables; the registry writes run in a savepoint, so a file that turns out bad
    afterwards rolls them back, the staging tables are dropped, and only the failure is
    recorded.
    """
    year = folder.year
    reads: dict[BaacTable, ReadResult] = {}
    problems: dict[BaacTable, str] = {}
    files: dict[BaacTable, CheckedFile] = {}
    checked: CheckedYear | None = None
    file_ids: list[int] = []
    try:
        with ThreadPoolExecutor(max_workers=1) as pool, conn.transaction() as savepoint:
            pending = {t: pool.submit(read_table, paths[t], t) for t in _READ_ORDER}
            with loader.YearLoad(conn, database_url, year) as load:
                for table in _READ_ORDER:
                    _collect(pending, table, reads, problems)
                    if problems:
                        continue  # a file that cannot be read fails the year: nothing to check
                    files[table] = _check(year, table, reads[table], files, Limits(*limits))
                    if not any(f.failure for f in files.values()):
                        file_id = _record_loaded(conn, year, prints[table], table, files[table])
                        file_ids.append(file_id)
                        name = BY_BAAC_NAME[table].name
                        load.copy({name: files[table].rows}, {name: file_id})
                if not problems:
                    checked = CheckedYear(
                        year, {t: files[t] for t in ("caracteristiques", *_DEPENDENTS)}
                    )
                    problems = {
                        t: f"{paths[t]}: {reason}" for t, reason in checked.failures.items()
                    }
                if checked is None or problems:
                    raise Rollback(savepoint)
                registry.mark_replaced(conn, year, file_ids)
                counts = {BY_BAAC_NAME[t].name: f.rows.num_rows for t, f in checked.files.items()}
                rejected = sum(f.rows_rejected for f in checked.files.values())
                registry.record_year(
                    conn,
                    registry.YearRecord(
                        year, folder.path, year_print, "loaded", None, counts, rejected
                    ),
                )
                load.swap()
                profile = {
                    t: file_profile(year, f.read, f.rows_rejected) for t, f in checked.files.items()
                }
                return YearOutcome(
                    year,
                    folder.path,
                    "loaded",
                    None,
                    len(prints),
                    counts,
                    rejected,
                    profile=profile,
                )
    except psycopg.DataError as error:
        # The readers bound every value to its column; a value PostgreSQL still refuses
        # fails this year with the server's own words, and the run goes on.
        problems = _refused(error, paths)
        checked = None
    return _record_failure(conn, folder, year_print, prints, reads, checked, problems)


def _collect(
    pending: dict[BaacTable, Future[ReadResult]],
    table: BaacTable,
    reads: dict[BaacTable, ReadResult],
    problems: dict[BaacTable, str],
) -> None:
    """Wait for the read of `table`: its rows, or the reason the file cannot be used."""
    try:
        reads[table] = pending[table].result()
    except FileProblem as problem:
        problems[table] = str(problem)


def _check(
    year: int,
    table: BaacTable,
    read: ReadResult,
    checked: dict[BaacTable, CheckedFile],
    limits: Limits,
) -> CheckedFile:
    """Check one file against the files before it in _READ_ORDER."""
    if table == "caracteristiques":
        return check_accidents(year, read, limits.max_reject_share, limits.max_unknown_share)
    accidents = checked["caracteristiques"]
    if table == "lieux":
        return check_places(year, read, accidents, limits)
    if table == "vehicules":
        return check_vehicles(year, read, accidents, limits)
    return check_persons(year, read, accidents, checked["vehicules"], limits)


def _record_loaded(
    conn: psycopg.Connection,
    year: int,
    fingerprint: registry.Fingerprint,
    table: BaacTable,
    checked_file: CheckedFile,
) -> int:
    """Register the file as loaded, with its rejects and profile; returns its id."""
    file_id = registry.record_file(
        conn,
        year,
        registry.FileRecord(
            table,
            fingerprint,
            "loaded",
            layout=checked_file.read.layout,
            rows_read=checked_file.read.rows_read,
            rows_loaded=checked_file.rows.num_rows,
            rows_rejected=checked_file.rows_rejected,
        ),
    )
    registry.record_rejects(conn, file_id, checked_file.rejects)
    registry.record_profile(conn, file_id, checked_file.read)
    return file_id


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
            "unknown_values": outcome.unknown_values,
            "seconds": round(outcome.seconds, 2),
        },
    )
    return outcome


def _refused(error: psycopg.DataError, paths: dict[BaacTable, Path]) -> dict[BaacTable, str]:
    """The year's problem when COPY or the swap refused a value: the file whose table the
    server names in its context (the accidents file when it names none)."""
    context = (error.diag.context or "").strip()
    table = next(
        (t for t in _READ_ORDER if f"{BY_BAAC_NAME[t].name}_" in context),
        "caracteristiques",
    )
    where = f" ({context})" if context else ""
    return {
        table: f"{paths[table]}: the database refused a value: {error.diag.message_primary}{where}"
    }


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
        if read is not None:
            registry.record_profile(conn, file_id, read)
    registry.record_year(
        conn, registry.YearRecord(folder.year, folder.path, year_print, "failed", reason)
    )
    return YearOutcome(folder.year, folder.path, "failed", reason, len(prints))
