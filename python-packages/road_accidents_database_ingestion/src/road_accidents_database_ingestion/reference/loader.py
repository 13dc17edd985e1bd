"""Copy the shipped reference files into PostgreSQL's reference tables.

The tables are emptied and refilled inside the caller's transaction, so a failed load leaves
the previous contents in place once the caller rolls back.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from psycopg import sql

from road_accidents_database_ingestion.reference.catalog import (
    load_communes,
    load_departements,
    load_former_codes,
    load_former_names,
    load_regions,
)

if TYPE_CHECKING:
    import pandas as pd
    import psycopg

logger = logging.getLogger(__name__)


def _tables() -> dict[str, pd.DataFrame]:
    """Tables in an order that satisfies the foreign keys (departements -> regions)."""
    return {
        "regions": load_regions(),
        "departements": load_departements(),
        "communes": load_communes(),
        "commune_former_codes": load_former_codes(),
        "commune_former_names": load_former_names(),
    }


def load_reference_tables(conn: psycopg.Connection) -> dict[str, int]:
    """TRUNCATE and COPY the reference tables; returns the rows loaded per table.

    No CASCADE: a table referencing these ones makes the TRUNCATE fail rather than be emptied.
    """
    tables = _tables()
    counts: dict[str, int] = {}
    with conn.cursor() as cursor:
        cursor.execute(
            sql.SQL("TRUNCATE {}").format(sql.SQL(", ").join(map(sql.Identifier, tables)))
        )
        for name, frame in tables.items():
            statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv)").format(
                sql.Identifier(name), sql.SQL(", ").join(map(sql.Identifier, frame.columns))
            )
            with cursor.copy(statement) as copy:
                copy.write(frame.to_csv(index=False, header=False, lineterminator="\n"))
            counts[name] = cursor.rowcount
    logger.info("reference tables loaded", extra={"rows": counts})
    return counts
