"""Loading a validated year into the harmonised tables: delete the year, COPY its rows.

Everything happens in the caller's transaction and goes straight into the final tables: no
staging table, so every row is written once. Readers of the database see the old year or the
new one, never a mix. Accidents get their current commune before the COPY, looked up in the
reference mapping (`CURRENT_COMMUNES`, also what `refresh_current_communes` applies).
"""

from __future__ import annotations

import io
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc
from psycopg import sql
from pyarrow import csv

from road_accidents_database_ingestion.reference.loader import load_reference_tables
from road_accidents_database_ingestion.tables import ACCIDENTS, TABLES
from road_accidents_database_ingestion.validation import NUM_ACC_YEAR_DIVISOR

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

    import psycopg

    from road_accidents_database_ingestion.tables import HarmonisedTable

log = logging.getLogger(__name__)

COPY_BATCH_ROWS = 16_384
"""Rows per CSV batch of a COPY: small enough that the server starts at once, large enough
that per-batch overhead stays negligible."""

CURRENT_COMMUNES = """
    SELECT code, code AS current_code FROM communes
    UNION ALL
    SELECT f.former_code, f.current_code FROM commune_former_codes f
    WHERE NOT EXISTS (SELECT 1 FROM communes c WHERE c.code = f.former_code)
"""
"""Every INSEE code that has a commune today, with that commune (itself, or the commune a
merged commune joined)."""


def ensure_reference_data(conn: psycopg.Connection) -> None:
    """Load the communes reference once, so every accident gets its current commune."""
    if conn.execute("SELECT NOT EXISTS (SELECT 1 FROM communes)").fetchone() == (True,):
        counts = load_reference_tables(conn)
        log.info("loaded reference data", extra=counts)


def csv_bytes(rows: pa.Table, columns: tuple[str, ...]) -> bytes:
    """The rows as headerless CSV in the given column order (NULL = empty, unquoted)."""
    buffer = io.BytesIO()
    csv.write_csv(
        rows.select(list(columns)),
        buffer,
        write_options=csv.WriteOptions(include_header=False, quoting_style="needed"),
    )
    return buffer.getvalue()


def copy_csv(
    conn: psycopg.Connection, target: str, columns: tuple[str, ...], payloads: Iterable[bytes]
) -> None:
    """One COPY of the CSV `payloads`, written in turn as they come."""
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv)").format(
        sql.Identifier(target), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with conn.cursor().copy(statement) as copy:
        for payload in payloads:
            copy.write(payload)


class YearLoad:
    """Writes one year into the harmonised tables, in the caller's transaction.

    `begin` deletes the year's old rows and fetches the current-commune mapping: cheap work
    the pipeline does while the accidents file is still being read. `copy` then writes tables
    straight into place.
    """

    def __init__(self, conn: psycopg.Connection, codes: pa.Array, current: pa.Array) -> None:
        self._conn = conn
        self._codes = codes
        self._current = current

    @classmethod
    def begin(cls, conn: psycopg.Connection, year: int) -> YearLoad:
        """Delete the year's rows (every table) and fetch the current-commune mapping.

        Every loaded `num_acc` starts with its year (validation enforces it), so the range lets
        the primary key find the year's rows: places, vehicles and persons have no index on
        `year`, and `year = %s` alone would scan every year.
        """
        first = year * NUM_ACC_YEAR_DIVISOR
        for table in reversed(TABLES):
            conn.execute(
                sql.SQL("DELETE FROM {} WHERE num_acc BETWEEN %s AND %s AND year = %s").format(
                    sql.Identifier(table.name)
                ),
                (first, first + NUM_ACC_YEAR_DIVISOR - 1, year),
            )
        ensure_reference_data(conn)
        mapping = conn.execute(CURRENT_COMMUNES).fetchall()
        codes = pa.array([code for code, _ in mapping], pa.string())
        current = pa.array([current for _, current in mapping], pa.string())
        return cls(conn, codes, current)

    def copy(self, rows: Mapping[str, pa.Table]) -> None:
        """COPY each table's rows (keyed by harmonised table name) into it, in table order.

        A worker thread serialises the rows to CSV in batches, which are written as they come:
        the server starts on a table's first rows while the rest are being serialised.
        """
        tables = [t for t in TABLES if t.name in rows]
        with ThreadPoolExecutor(max_workers=1) as pool:
            serialised = [
                [
                    pool.submit(csv_bytes, batch, table.column_names)
                    for batch in self._batches(table, rows[table.name])
                ]
                for table in tables
            ]
            for table, batches in zip(tables, serialised, strict=True):
                payloads = (batch.result() for batch in batches)
                copy_csv(self._conn, table.name, table.column_names, payloads)

    def _batches(self, table: HarmonisedTable, rows: pa.Table) -> Iterator[pa.Table]:
        """The rows in slices of COPY_BATCH_ROWS, accidents with their current commune
        (NULL where `com` has no commune today)."""
        if table is ACCIDENTS:
            positions = pc.index_in(rows.column("com"), value_set=self._codes)
            rows = rows.append_column("com_current", self._current.take(positions))
        for start in range(0, rows.num_rows, COPY_BATCH_ROWS):
            yield rows.slice(start, COPY_BATCH_ROWS)


def analyze_tables(conn: psycopg.Connection) -> None:
    """Refresh the planner's statistics: without them the training's joins plan badly."""
    for table in TABLES:
        conn.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(table.name)))


def refresh_current_communes(conn: psycopg.Connection) -> int:
    """Re-resolve every accident's current commune (after a reference refresh)."""
    cursor = conn.execute(
        sql.SQL(
            """
            UPDATE accidents a
            SET com_current = m.current_code
            FROM accidents x
            LEFT JOIN ({}) m ON m.code = x.com
            WHERE a.num_acc = x.num_acc
              AND a.com_current IS DISTINCT FROM m.current_code
            """
        ).format(sql.SQL(CURRENT_COMMUNES))
    )
    return cursor.rowcount
