"""Loading a validated year into the harmonised tables: COPY into staging, then swap the year.

Everything happens in the caller's transaction: the rows are copied into temporary staging
tables, the year's previous rows are deleted and the staged rows inserted (accidents with
their current commune resolved from the reference). Readers of the database see the old year
or the new one, never a mix.
"""

from __future__ import annotations

import io
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from psycopg import sql
from pyarrow import csv

from road_accidents_database_ingestion.reference.loader import load_reference_tables
from road_accidents_database_ingestion.tables import ACCIDENTS, TABLES

if TYPE_CHECKING:
    import psycopg
    import pyarrow as pa

    from road_accidents_database_ingestion.tables import HarmonisedTable

log = logging.getLogger(__name__)

_CHILDREN_FIRST = tuple(reversed(TABLES))


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
    conn: psycopg.Connection, target: str, columns: tuple[str, ...], payload: bytes
) -> None:
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv)").format(
        sql.Identifier(target), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with conn.cursor().copy(statement) as copy:
        copy.write(payload)


def _read_columns(table: HarmonisedTable) -> tuple[str, ...]:
    return tuple(c.name for c in table.read_columns)


def _stage(conn: psycopg.Connection, table: HarmonisedTable, payload: bytes) -> str:
    stage = f"stage_{table.name}"
    conn.execute(
        sql.SQL("CREATE TEMP TABLE {} (LIKE {}) ON COMMIT DROP").format(
            sql.Identifier(stage), sql.Identifier(table.name)
        )
    )
    copy_csv(conn, stage, _read_columns(table), payload)
    if table is ACCIDENTS:
        # A fresh temp table has no statistics: without them the commune join plans badly.
        conn.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(stage)))
    return stage


def _insert_accidents(conn: psycopg.Connection, stage: str) -> None:
    columns = ACCIDENTS.column_names
    selected = [
        sql.SQL("coalesce(c.code, f.current_code)")
        if name == "com_current"
        else sql.SQL("s.{}").format(sql.Identifier(name))
        for name in columns
    ]
    conn.execute(
        sql.SQL(
            "INSERT INTO accidents ({}) SELECT {} FROM {} s"
            " LEFT JOIN communes c ON c.code = s.com"
            " LEFT JOIN commune_former_codes f ON f.former_code = s.com"
        ).format(
            sql.SQL(", ").join(map(sql.Identifier, columns)),
            sql.SQL(", ").join(selected),
            sql.Identifier(stage),
        )
    )


def replace_year(conn: psycopg.Connection, year: int, rows: dict[str, pa.Table]) -> dict[str, int]:
    """Swap the year's rows for `rows` (keyed by harmonised table name); returns row counts."""
    ensure_reference_data(conn)
    # Serialise the next table to CSV while the server ingests the current one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        payloads = [pool.submit(csv_bytes, rows[t.name], _read_columns(t)) for t in TABLES]
        stages = {
            t.name: _stage(conn, t, p.result()) for t, p in zip(TABLES, payloads, strict=True)
        }
    for table in _CHILDREN_FIRST:
        conn.execute(
            sql.SQL("DELETE FROM {} WHERE year = %s").format(sql.Identifier(table.name)), (year,)
        )
    _insert_accidents(conn, stages["accidents"])
    for table in TABLES[1:]:
        conn.execute(
            sql.SQL("INSERT INTO {} SELECT * FROM {}").format(
                sql.Identifier(table.name), sql.Identifier(stages[table.name])
            )
        )
    return {name: table.num_rows for name, table in rows.items()}


def analyze_tables(conn: psycopg.Connection) -> None:
    """Refresh the planner's statistics: without them the training's joins plan badly."""
    for table in TABLES:
        conn.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(table.name)))


def refresh_current_communes(conn: psycopg.Connection) -> int:
    """Re-resolve every accident's current commune (after a reference refresh)."""
    cursor = conn.execute(
        """
        UPDATE accidents a
        SET com_current = coalesce(c.code, f.current_code)
        FROM accidents x
        LEFT JOIN communes c ON c.code = x.com
        LEFT JOIN commune_former_codes f ON f.former_code = x.com
        WHERE a.num_acc = x.num_acc
          AND a.com_current IS DISTINCT FROM coalesce(c.code, f.current_code)
        """
    )
    return cursor.rowcount
