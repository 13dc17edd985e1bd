"""The UI's connection to RoadAccidents: its read-only login, short timeouts, and one way to
run a named query into a DataFrame."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd
from sqlalchemy import Engine, text

from green_light_platform.db.engine import make_engine

if TYPE_CHECKING:
    from green_light_ui.queries import Query
    from green_light_ui.settings import UiDatabaseSettings


def reader_engine(settings: UiDatabaseSettings) -> Engine:
    """An engine logged in as the reader, in read-only transactions that time out: a fault
    answers in seconds instead of hanging the page."""
    timeout_ms = int(settings.statement_timeout_s * 1000)
    return make_engine(
        settings.url,
        pool_size=4,
        connect_args={
            "connect_timeout": 5,
            "options": f"-c default_transaction_read_only=on -c statement_timeout={timeout_ms}",
            "application_name": "green_light_ui",
        },
    )


def frame(engine: Engine, query: Query, **params: Any) -> pd.DataFrame:
    """The rows of `query` with `params`, as a DataFrame with the query's columns."""
    with engine.connect() as connection:
        result = connection.execute(text(query.sql), params)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))
