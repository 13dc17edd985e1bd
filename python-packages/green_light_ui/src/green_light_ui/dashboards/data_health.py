"""The data behind the dashboards, from the ingestion's file registry: how fresh it is, the
last ingestion of each year and the data-quality profile of the loaded files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import pandas as pd

from green_light_ui import queries
from green_light_ui.database import frame

if TYPE_CHECKING:
    from sqlalchemy import Engine


@dataclass(frozen=True)
class Freshness:
    latest_year: int | None
    latest_loaded_at: datetime | None
    last_ingestion: datetime | None
    loaded_years: int
    failed_years: int
    aggregates_at: datetime | None


@dataclass(frozen=True)
class DataHealth:
    freshness: Freshness
    outcomes: pd.DataFrame
    """One row per year folder: its last ingestion's status, reason, counts, when; latest
    first."""
    quality: pd.DataFrame
    """Per year, table and column: rows, not_given, unknown and their shares."""

    @property
    def ingested(self) -> bool:
        return not self.outcomes.empty

    @property
    def latest(self) -> pd.Series | None:
        """The year folder ingested last (its outcome is the latest ingestion's)."""
        return None if self.outcomes.empty else self.outcomes.iloc[0]

    def quality_years(self) -> list[int]:
        return sorted({int(y) for y in self.quality["year"]}, reverse=True)

    def profile(self, year: int) -> pd.DataFrame:
        """One year's profile, the columns most often not given first within each table."""
        rows = self.quality[self.quality["year"] == year].drop(columns="year")
        return rows.sort_values(
            ["table_name", "not_given_share", "unknown_share", "column_name"],
            ascending=[True, False, False, True],
            ignore_index=True,
        )

    def shares_by_year(self) -> pd.DataFrame:
        """Per year and table, the share of all its cells not given and unknown."""
        totals = self.quality.groupby(["year", "table_name"], as_index=False)[
            ["rows", "not_given", "unknown"]
        ].sum()
        return _with_shares(totals)


def _with_shares(counts: pd.DataFrame) -> pd.DataFrame:
    cells = counts["rows"].astype(float).where(counts["rows"] > 0)
    return counts.assign(
        not_given_share=counts["not_given"] / cells, unknown_share=counts["unknown"] / cells
    )


def data_health(engine: Engine) -> DataHealth:
    with engine.connect() as db:
        fresh = frame(db, queries.DATA_FRESHNESS).iloc[0]
        outcomes = frame(db, queries.INGESTION_OUTCOMES)
        quality = frame(db, queries.DATA_QUALITY)
    latest = fresh["latest_year"]
    freshness = Freshness(
        latest_year=None if latest is None or latest != latest else int(latest),
        latest_loaded_at=_time(fresh["latest_loaded_at"]),
        last_ingestion=_time(fresh["last_ingestion"]),
        loaded_years=int(fresh["loaded_years"] or 0),
        failed_years=int(fresh["failed_years"] or 0),
        aggregates_at=_time(fresh["aggregates_at"]),
    )
    return DataHealth(freshness, outcomes, _with_shares(quality))


def _time(value: object) -> datetime | None:
    return value if isinstance(value, datetime) and not pd.isna(value) else None
