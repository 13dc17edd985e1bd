"""Loading a validated year into the harmonised tables: stage its rows, swap them in.

The year's rows are copied into staging tables on two connections at once, then swapped in
as the year's partitions in the caller's transaction (`staging`): readers see the old year or
the new one, never a mix. Accidents get their current commune before the COPY, looked up in
the reference mapping (`CURRENT_COMMUNES`, also what `refresh_current_communes` applies).
"""

from __future__ import annotations

import io
import logging
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import ExitStack
from queue import SimpleQueue
from typing import TYPE_CHECKING, Self

import pyarrow as pa
import pyarrow.compute as pc
from psycopg import sql
from pyarrow import csv

from green_light_platform.db.engine import connect
from road_accidents_database_ingestion import staging
from road_accidents_database_ingestion.reference.loader import load_reference_tables
from road_accidents_database_ingestion.tables import ACCIDENTS, TABLES

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

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
    """Load the communes reference once, so every accident gets its current commune (and
    again into a database migrated from before a reference table existed: it is empty)."""
    empty = conn.execute(
        "SELECT NOT EXISTS (SELECT 1 FROM communes)"
        " OR NOT EXISTS (SELECT 1 FROM commune_former_names)"
    ).fetchone()
    if empty == (True,):
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


STAGING_CONNECTIONS = 2
"""Tables staged at once, one connection each: the server builds two tables on two cores."""


class YearLoad:
    """Loads one year: stages its tables on connections of its own, then swaps them in on the
    caller's connection, in the caller's transaction.

    A context manager: entering drops what a killed run left and fetches the current-commune
    mapping, `copy` stages tables in the background, `swap` waits for them and swaps them in.
    Leaving without a swap drops the staging tables, so a failed year changes nothing.
    """

    def __init__(self, conn: psycopg.Connection, database_url: str, year: int) -> None:
        self._conn = conn
        self._database_url = database_url
        self._year = year
        self._stack = ExitStack()
        self._idle: SimpleQueue[psycopg.Connection] = SimpleQueue()
        self._jobs: list[Future[None]] = []
        self._swapped = False  # once the swap began, the staging tables are no longer ours

    def __enter__(self) -> Self:
        with ExitStack() as stack:
            for _ in range(STAGING_CONNECTIONS):
                self._idle.put(stack.enter_context(connect(self._database_url, autocommit=True)))
            self._stagers = stack.enter_context(ThreadPoolExecutor(max_workers=STAGING_CONNECTIONS))
            self._serialiser = stack.enter_context(ThreadPoolExecutor(max_workers=1))
            self._with_connection(staging.drop_staging, self._year)
            ensure_reference_data(self._conn)
            mapping = self._conn.execute(CURRENT_COMMUNES).fetchall()
            self._codes = pa.array([code for code, _ in mapping], pa.string())
            self._current = pa.array([current for _, current in mapping], pa.string())
            self._stack = stack.pop_all()
        return self

    def __exit__(self, *exc: object) -> None:
        wait(self._jobs)
        try:
            if not self._swapped:
                self._with_connection(staging.drop_staging, self._year)
        finally:
            self._stack.close()

    def copy(self, rows: Mapping[str, pa.Table], file_ids: Mapping[str, int]) -> None:
        """Stage each table's rows (keyed by harmonised table name), from the file of
        `file_ids[name]`, in the background.

        Largest table first, each on the first free connection, so that both finish about
        together. The serialiser thread turns the rows into CSV batches, copied as they come:
        the server starts on a table's first rows while the rest are serialised. The columns
        of one value per table (staging.CONSTANT_COLUMNS) are not sent: the staging table
        fills them in.
        """
        tables = sorted((t for t in TABLES if t.name in rows), key=lambda t: -len(rows[t.name]))
        for table in tables:
            columns = staging.copied_columns(table)
            batches = [
                self._serialiser.submit(csv_bytes, batch, columns)
                for batch in self._batches(table, rows[table.name])
            ]
            payloads = (batch.result() for batch in batches)
            self._jobs.append(
                self._stagers.submit(
                    self._with_connection,
                    staging.stage_table,
                    table,
                    staging.Constants(self._year, file_ids[table.name]),
                    payloads,
                )
            )

    def _with_connection(self, action: Callable[..., None], *args: object) -> None:
        """Run `action(connection, *args)` on a staging connection no other job is using."""
        conn = self._idle.get()
        try:
            action(conn, *args)
        finally:
            self._idle.put(conn)

    def swap(self) -> None:
        """Wait for the staged tables (raising a staging error) and swap them in.

        From here on the staging tables are the caller's transaction's: dropping them from
        another connection would wait for it forever. If it fails, they stay behind for the
        next run of the year to drop.
        """
        for job in self._jobs:
            job.result()
        self._swapped = True
        staging.swap_in(self._conn, self._year)

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
            WHERE a.num_acc = x.num_acc AND a.year = x.year
              AND a.com_current IS DISTINCT FROM m.current_code
            """
        ).format(sql.SQL(CURRENT_COMMUNES))
    )
    return cursor.rowcount
