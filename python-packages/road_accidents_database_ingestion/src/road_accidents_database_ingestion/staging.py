"""A year's rows built in staging tables, then swapped in as that year's partitions.

The harmonised tables are partitioned by year (migration 0004). Copying into a plain table
with no index and building its indexes in bulk afterwards costs the server about two thirds
of copying into indexed tables, and two connections build two tables at once. The staged tables
get exactly the indexes of their parent, so ATTACH adopts them instead of building any, and
a `CHECK (year = Y)` spares it the validation scan: the swap is a short catalog change.

Staging names are fixed per year (`accidents_2021_staging`): the per-year advisory lock lets
one run at a time work on a year, and each run first drops what a killed run left behind.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

from psycopg import errors, sql

from road_accidents_database_ingestion.tables import TABLES

if TYPE_CHECKING:
    from collections.abc import Iterable

    import psycopg

    from road_accidents_database_ingestion.tables import HarmonisedTable

log = logging.getLogger(__name__)

SWAP_LOCK_TIMEOUT = 2.0
"""Seconds one swap attempt waits for the tables' locks before giving them back."""

SWAP_ATTEMPTS = 5

PARENT_INDEXES = """
    SELECT c.relname, x.indisprimary, pg_get_indexdef(x.indexrelid)
    FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
    WHERE x.indrelid = %s::regclass
    ORDER BY c.relname
"""


def partition_name(table: str, year: int) -> str:
    return f"{table}_{year}"


def staging_name(table: str, year: int) -> str:
    return f"{table}_{year}_staging"


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


def _build_indexes(conn: psycopg.Connection, table: str, staging: str) -> None:
    """Give `staging` the indexes of its parent `table`, as the migrations define them.

    Any index the staged table lacks, ATTACH would build itself inside the swap; the key is
    added as a constraint, which is what ATTACH matches the parent's key against.
    """
    for name, primary, definition in conn.execute(PARENT_INDEXES, (table,)).fetchall():
        index = sql.Identifier(staging + name.removeprefix(table))
        method = sql.SQL(definition.split(" USING ", 1)[1])
        unique = sql.SQL("UNIQUE " if primary else "")
        conn.execute(
            sql.SQL("CREATE {}INDEX {} ON {} USING {}").format(
                unique, index, sql.Identifier(staging), method
            )
        )
        if primary:
            conn.execute(
                sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} PRIMARY KEY USING INDEX {}").format(
                    sql.Identifier(staging), index, index
                )
            )


def drop_staging(conn: psycopg.Connection, year: int) -> None:
    """Drop the year's staging tables, if any (a failed or killed run's)."""
    for table in TABLES:
        conn.execute(
            sql.SQL("DROP TABLE IF EXISTS {}").format(
                sql.Identifier(staging_name(table.name, year))
            )
        )


@dataclass(frozen=True)
class Constants:
    """The columns of one value in a staged table: every row is of the year, from one file."""

    year: int
    source_file_id: int


CONSTANT_COLUMNS = tuple(f.name for f in fields(Constants))


def copied_columns(table: HarmonisedTable) -> tuple[str, ...]:
    """The columns a staging COPY sends: all but the CONSTANT_COLUMNS, which the staging
    table fills in as defaults (no text to write, nor for the server to parse, per row)."""
    return tuple(c for c in table.column_names if c not in CONSTANT_COLUMNS)


def stage_table(
    conn: psycopg.Connection,
    table: HarmonisedTable,
    constants: Constants,
    payloads: Iterable[bytes],
) -> None:
    """Create the table's staging table for the year, COPY the CSV `payloads` (the
    `copied_columns`) into it, then build its key and indexes; committed, so that the swapping
    connection sees it."""
    staging = staging_name(table.name, constants.year)
    name = sql.Identifier(staging)
    with conn.transaction():
        conn.execute(
            sql.SQL(
                "CREATE TABLE {} (LIKE {} INCLUDING DEFAULTS INCLUDING CONSTRAINTS,"
                " CONSTRAINT in_year CHECK (year = {}))"
            ).format(name, sql.Identifier(table.name), sql.Literal(constants.year))
        )
        _set_defaults(conn, name, {c: getattr(constants, c) for c in CONSTANT_COLUMNS})
        copy_csv(conn, staging, copied_columns(table), payloads)
        _set_defaults(conn, name, dict.fromkeys(CONSTANT_COLUMNS))
        _build_indexes(conn, table.name, staging)


def _set_defaults(
    conn: psycopg.Connection, table: sql.Identifier, values: dict[str, int | None]
) -> None:
    """Set (or, for None, drop) the columns' defaults: the partition ends up as its parent."""
    changes = [
        sql.SQL("ALTER COLUMN {} SET DEFAULT {}").format(sql.Identifier(c), sql.Literal(v))
        if v is not None
        else sql.SQL("ALTER COLUMN {} DROP DEFAULT").format(sql.Identifier(c))
        for c, v in values.items()
    ]
    conn.execute(sql.SQL("ALTER TABLE {} {}").format(table, sql.SQL(", ").join(changes)))


def swap_in(conn: psycopg.Connection, year: int) -> None:
    """Make the staged tables the year's partitions, in the caller's transaction.

    Dropping and attaching partitions needs an exclusive lock on the tables; a long query
    (a dashboard) holding them would make the swap wait, and every new reader queue behind
    it. So each attempt waits at most SWAP_LOCK_TIMEOUT, in a savepoint that gives its locks
    back, and the swap is tried again a little later; LockNotAvailable after SWAP_ATTEMPTS.
    """
    for attempt in range(1, SWAP_ATTEMPTS + 1):
        try:
            with conn.transaction():
                conn.execute(
                    sql.SQL("SET LOCAL lock_timeout = {}").format(
                        sql.Literal(f"{SWAP_LOCK_TIMEOUT * 1000:.0f}ms")
                    )
                )
                _swap_tables(conn, year)
            return
        except errors.LockNotAvailable:
            if attempt == SWAP_ATTEMPTS:
                raise
            log.warning("tables busy, swap retried", extra={"year": year, "attempt": attempt})
            time.sleep(SWAP_LOCK_TIMEOUT * attempt)


def _swap_tables(conn: psycopg.Connection, year: int) -> None:
    """Drop the year's old partitions, attach the staged tables and give them their names."""
    for table in TABLES:
        partition = partition_name(table.name, year)
        staging = staging_name(table.name, year)
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(partition)))
        conn.execute(
            sql.SQL("DELETE FROM {} WHERE year = %s").format(
                sql.Identifier(f"{table.name}_default")
            ),
            (year,),
        )
        conn.execute(
            sql.SQL("ALTER TABLE {} ATTACH PARTITION {} FOR VALUES IN ({})").format(
                sql.Identifier(table.name), sql.Identifier(staging), sql.Literal(year)
            )
        )
        conn.execute(
            sql.SQL("ALTER TABLE {} RENAME TO {}").format(
                sql.Identifier(staging), sql.Identifier(partition)
            )
        )
        for (index,) in conn.execute(
            "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = %s::regclass",
            (partition,),
        ).fetchall():
            conn.execute(
                sql.SQL("ALTER INDEX {} RENAME TO {}").format(
                    sql.Identifier(index), sql.Identifier(partition + index.removeprefix(staging))
                )
            )
