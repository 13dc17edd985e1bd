"""The UI's connection to RoadAccidents: its read-only login, short timeouts, and one way to
run a named query into a DataFrame."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd
from sqlalchemy import Connection, Engine, text

from green_light_platform.db.engine import make_engine

if TYPE_CHECKING:
    from green_light_ui.queries import Query
    from green_light_ui.settings import UiDatabaseSettings


WORK_MEM = "64MB"
"""Enough for a page's aggregations to stay in memory (the server's default spills to disk)."""


def reader_engine(settings: UiDatabaseSettings) -> Engine:
    """An engine logged in as the reader, in read-only transactions that time out: a fault
    answers in seconds instead of hanging the page."""
    timeout_ms = int(settings.statement_timeout_s * 1000)
    return make_engine(
        settings.url,
        pool_size=4,
        connect_args={
            "connect_timeout": 5,
            "options": f"-c default_transaction_read_only=on -c statement_timeout={timeout_ms}"
            f" -c work_mem={WORK_MEM}",
            "application_name": "green_light_ui",
        },
    )


def frame(db: Engine | Connection, query: Query, **params: Any) -> pd.DataFrame:
    """The rows of `query` with `params`, as a DataFrame with the query's columns; on a
    connection, to run a page's queries on one connection checked out once."""
    if isinstance(db, Engine):
        with db.connect() as connection:
            return frame(connection, query, **params)
    result = db.execute(text(query.sql), params)
    return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def frames_by(
    db: Engine | Connection, query: Query, column: str, **params: Any
) -> dict[str, pd.DataFrame]:
    """The rows of `query` split by the value of its first `column`, one frame each (without
    that column): one query answering several tables."""
    if isinstance(db, Engine):
        with db.connect() as connection:
            return frames_by(connection, query, column, **params)
    result = db.execute(text(query.sql), params)
    names = list(result.keys())
    at = names.index(column)
    rest = names[:at] + names[at + 1 :]
    parts: dict[str, list[tuple]] = {}
    for row in result.fetchall():
        parts.setdefault(row[at], []).append(row[:at] + row[at + 1 :])
    return {str(key): pd.DataFrame(rows, columns=rest) for key, rows in parts.items()}
