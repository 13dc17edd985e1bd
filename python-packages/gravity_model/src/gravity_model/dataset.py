"""The training data: one row per accident, features and KSI target computed by PostgreSQL.

The query is generated from the feature specification, aggregates vehicles and persons per
accident in SQL and streams the result with COPY: the whole 2005-2023 history (about 1.2
million accidents) loads in well under a minute, with no row-by-row Python.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
from psycopg import sql

from gravity_model.features import FEATURES, TARGET, coerce_frame
from green_light_platform.db.engine import connect
from road_accidents_database_ingestion.codes import KSI_GRAV_CODES

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy as np

log = logging.getLogger(__name__)

WORK_MEM = "256MB"


@dataclass(frozen=True)
class Dataset:
    """Accidents in `num_acc` order: the feature frame, the KSI target and each row's year."""

    features: pd.DataFrame
    target: np.ndarray
    years: np.ndarray
    num_acc: np.ndarray

    def __len__(self) -> int:
        return len(self.target)

    def subset(self, rows: np.ndarray) -> Dataset:
        """The accidents at positions `rows`."""
        return Dataset(
            self.features.iloc[rows].reset_index(drop=True),
            self.target[rows],
            self.years[rows],
            self.num_acc[rows],
        )


def _expression(text: str, boolean: bool) -> str:
    # COPY writes booleans as t/f; as 0/1 they parse straight into float columns.
    return f"({text})::int" if boolean else text


def _select_list(source: str) -> sql.Composed:
    parts = [
        sql.SQL("{} AS {}").format(
            sql.SQL(_expression(f.sql, f.kind == "boolean")), sql.Identifier(f.name)
        )
        for f in FEATURES
        if f.source == source
    ]
    return sql.SQL(", ").join(parts)


def _names(source: str, alias: str) -> sql.Composed:
    return sql.SQL(", ").join(sql.Identifier(alias, f.name) for f in FEATURES if f.source == source)


def training_query(years: Sequence[int] | None = None) -> sql.Composed:
    """One row per accident with a known injury outcome: key, year, target and features."""

    def year_filter(alias: str, keyword: str) -> sql.Composable:
        if years is None:
            return sql.SQL("")
        listed = sql.SQL(", ").join(sql.Literal(int(year)) for year in years)
        return sql.SQL(" {} {}.year IN ({})").format(
            sql.SQL(keyword), sql.Identifier(alias), listed
        )

    ksi_codes = sql.SQL(", ").join(sql.Literal(code) for code in sorted(KSI_GRAV_CODES))
    return sql.SQL(
        """
        WITH vehicle_features AS (
            SELECT v.num_acc, {vehicle_select}
            FROM vehicles v{vehicle_years}
            GROUP BY v.num_acc
        ), person_features AS (
            SELECT u.num_acc, (bool_or(u.grav IN ({ksi_codes})))::int AS {target},
                   {person_select}
            FROM persons u{person_years}
            GROUP BY u.num_acc
        )
        SELECT a.num_acc, a.year, u.{target}, {accident_select}, {place_select},
               {vehicle_names}, {person_names}
        FROM accidents a
        JOIN person_features u ON u.num_acc = a.num_acc
        LEFT JOIN places p ON p.num_acc = a.num_acc AND p.seq = 1
        LEFT JOIN vehicle_features v ON v.num_acc = a.num_acc
        WHERE u.{target} IS NOT NULL{accident_years}
        ORDER BY a.num_acc
        """
    ).format(
        vehicle_select=_select_list("vehicles"),
        vehicle_years=year_filter("v", "WHERE"),
        ksi_codes=ksi_codes,
        target=sql.Identifier(TARGET),
        person_select=_select_list("persons"),
        person_years=year_filter("u", "WHERE"),
        accident_select=_select_list("accidents"),
        place_select=_select_list("places"),
        vehicle_names=_names("vehicles", "v"),
        person_names=_names("persons", "u"),
        accident_years=year_filter("a", "AND"),
    )


def load_dataset(database_url: str, years: Sequence[int] | None = None) -> Dataset:
    """The training data of `years` (default: every loaded year), streamed with COPY."""
    buffer = io.BytesIO()
    with connect(database_url) as conn, conn.cursor() as cursor:
        # Aggregating millions of persons and vehicles per accident fits in memory this way.
        cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        copy_sql = sql.SQL("COPY ({}) TO STDOUT WITH (FORMAT csv, HEADER)").format(
            training_query(years)
        )
        with cursor.copy(copy_sql) as copy:
            for chunk in copy:
                buffer.write(chunk)
    buffer.seek(0)
    dtypes: dict[str, str] = {f.name: "float64" for f in FEATURES} | {
        "num_acc": "int64",
        "year": "int16",
        TARGET: "int8",
        "dep": "str",
    }
    raw = pd.read_csv(buffer, dtype=dtypes, keep_default_na=False, na_values=[""])
    log.info(
        "loaded training data",
        extra={"accidents": len(raw), "years": sorted(raw["year"].unique().tolist())},
    )
    return Dataset(
        features=coerce_frame(raw),
        target=raw[TARGET].to_numpy(),
        years=raw["year"].to_numpy(),
        num_acc=raw["num_acc"].to_numpy(),
    )


def available_years(database_url: str) -> list[int]:
    """The years that have accidents in the database."""
    with connect(database_url) as conn:
        rows = conn.execute("SELECT DISTINCT year FROM accidents ORDER BY year").fetchall()
    return [int(row[0]) for row in rows]
