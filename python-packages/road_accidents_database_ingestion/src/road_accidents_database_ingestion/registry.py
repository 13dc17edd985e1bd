"""Bookkeeping of what was ingested: files (with checksums), years and rejected rows.

The registry is what makes re-ingestion cheap and honest: a year whose files have the same
checksums as at its last successful load is skipped; a failure leaves its reason here. Each
file's column profile ("not given" and unknown cells per column) and its unknown values, as
written, are kept beside it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

    import psycopg

    from road_accidents_database_ingestion.problems import Reject
    from road_accidents_database_ingestion.readers import ReadResult
    from road_accidents_database_ingestion.tables import BaacTable

INGEST_LOCK_CLASS = 7351
"""First key of the per-year advisory lock (the second is the year)."""


@dataclass(frozen=True)
class Fingerprint:
    path: Path
    size: int
    sha256: str


def fingerprint(path: Path) -> Fingerprint:
    """The file's checksum, read again only when its size or modification time changed:
    the Airflow watcher asks for every year's files at each look, and hashing a whole
    history takes seconds."""
    resolved = path.resolve()
    stat = resolved.stat()
    return Fingerprint(resolved, stat.st_size, _sha256(resolved, stat.st_size, stat.st_mtime_ns))


@lru_cache(maxsize=4096)
def _sha256(path: Path, size: int, mtime_ns: int) -> str:
    """Keyed by size and mtime so that a rewritten file misses the cache."""
    del size, mtime_ns
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def year_fingerprint(files: Iterable[Fingerprint]) -> str:
    """One checksum for a year folder: its files' paths and contents."""
    joined = "\n".join(sorted(f"{f.path}:{f.sha256}" for f in files))
    return hashlib.sha256(joined.encode()).hexdigest()


def lock_year(conn: psycopg.Connection, year: int) -> None:
    """Serialise work on one year until the end of the current transaction."""
    conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (INGEST_LOCK_CLASS, year))


def year_is_current(conn: psycopg.Connection, year: int, year_print: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM ingested_years WHERE year = %s AND status = 'loaded' AND fingerprint = %s",
        (year, year_print),
    ).fetchone()
    return row is not None


@dataclass(frozen=True)
class FileRecord:
    table: BaacTable
    fingerprint: Fingerprint
    status: str
    layout: str | None = None
    reason: str | None = None
    rows_read: int | None = None
    rows_loaded: int | None = None
    rows_rejected: int | None = None


def record_file(conn: psycopg.Connection, year: int, record: FileRecord) -> int:
    """Insert or update the registry row of this version of the file; returns its id."""
    fp = record.fingerprint
    row = conn.execute(
        """
        INSERT INTO source_files (path, year, table_name, layout, size_bytes, sha256, rows_read,
                                  rows_loaded, rows_rejected, status, reason, loaded_at)
        VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,
                CASE WHEN %s = 'loaded' THEN now() END)
        ON CONFLICT (path, sha256) DO UPDATE SET
            year = EXCLUDED.year, table_name = EXCLUDED.table_name, layout = EXCLUDED.layout,
            rows_read = EXCLUDED.rows_read, rows_loaded = EXCLUDED.rows_loaded,
            rows_rejected = EXCLUDED.rows_rejected, status = EXCLUDED.status,
            reason = EXCLUDED.reason, loaded_at = EXCLUDED.loaded_at, updated_at = now()
        RETURNING id
        """,
        (
            str(fp.path),
            year,
            record.table,
            record.layout,
            fp.size,
            fp.sha256,
            record.rows_read,
            record.rows_loaded,
            record.rows_rejected,
            record.status,
            record.reason,
            record.status,
        ),
    ).fetchone()
    assert row is not None
    return int(row[0])


def mark_replaced(conn: psycopg.Connection, year: int, keep_ids: Iterable[int]) -> None:
    """Earlier loaded versions of this year's files are replaced by the new load."""
    conn.execute(
        "UPDATE source_files SET status = 'replaced', updated_at = now()"
        " WHERE year = %s AND status = 'loaded' AND NOT (id = ANY(%s))",
        (year, list(keep_ids)),
    )


def storable(text: str | None) -> str | None:
    """Text as PostgreSQL can hold it: a NUL byte, which no text column takes, written `\\x00`."""
    return None if text is None else text.replace("\x00", "\\x00")


def record_rejects(conn: psycopg.Connection, file_id: int, rejects: list[Reject]) -> None:
    """Replace the file's rejects with these (COPY: there can be thousands)."""
    conn.execute("DELETE FROM rejects WHERE source_file_id = %s", (file_id,))
    if not rejects:
        return
    with conn.cursor().copy(
        "COPY rejects (source_file_id, line, column_name, value, rule, message) FROM STDIN"
    ) as copy:
        for reject in rejects:
            copy.write_row(
                (
                    file_id,
                    reject.line,
                    reject.column,
                    storable(reject.value),
                    reject.rule,
                    storable(reject.message),
                )
            )


@dataclass(frozen=True)
class YearRecord:
    year: int
    folder: Path
    fingerprint: str
    status: str
    reason: str | None = None
    counts: dict[str, int] | None = None
    rejected: int | None = None
    duration_s: float | None = None


def record_year(conn: psycopg.Connection, record: YearRecord) -> None:
    counts = record.counts or {}
    conn.execute(
        """
        INSERT INTO ingested_years (year, folder, fingerprint, status, reason, accidents, places,
                                    vehicles, persons, rejected, duration_s, updated_at)
        VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, now())
        ON CONFLICT (year) DO UPDATE SET
            folder = EXCLUDED.folder, fingerprint = EXCLUDED.fingerprint,
            status = EXCLUDED.status, reason = EXCLUDED.reason,
            accidents = COALESCE(EXCLUDED.accidents, ingested_years.accidents),
            places = COALESCE(EXCLUDED.places, ingested_years.places),
            vehicles = COALESCE(EXCLUDED.vehicles, ingested_years.vehicles),
            persons = COALESCE(EXCLUDED.persons, ingested_years.persons),
            rejected = EXCLUDED.rejected, duration_s = EXCLUDED.duration_s, updated_at = now()
        """,
        (
            record.year,
            str(record.folder),
            record.fingerprint,
            record.status,
            record.reason,
            counts.get("accidents"),
            counts.get("places"),
            counts.get("vehicles"),
            counts.get("persons"),
            record.rejected,
            record.duration_s,
        ),
    )


def record_profile(conn: psycopg.Connection, file_id: int, read: ReadResult) -> None:
    """Replace the file's column profile and unknown values with those of this read."""
    conn.execute("DELETE FROM column_profiles WHERE source_file_id = %s", (file_id,))
    conn.execute("DELETE FROM unknown_values WHERE source_file_id = %s", (file_id,))
    with conn.cursor().copy(
        "COPY column_profiles (source_file_id, column_name, rows, not_given, unknown) FROM STDIN"
    ) as copy:
        for column, profile in read.profile.items():
            copy.write_row((file_id, column, profile.rows, profile.not_given, profile.unknown))
    if not read.unknowns:
        return
    with conn.cursor().copy(
        "COPY unknown_values (source_file_id, line, column_name, raw_value) FROM STDIN"
    ) as copy:
        for unknown in read.unknowns:
            copy.write_row((file_id, unknown.line, unknown.column, storable(unknown.raw)))
