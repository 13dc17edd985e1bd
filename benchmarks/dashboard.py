"""Dashboard latencies: each page's queries on the `analytics` views against aggregating the raw
tables, in SQL and in pandas (the rows loaded into a DataFrame), all from one run.

Loads 2005-2023 (scale 1.0 by default: about 1.2 million accidents) into a fresh database with
the real ingestion (which refreshes the analytics views), then measures over repeated runs,
with p50 and p95 of all the queries of a page together:
- Overview: departement rates, national trend, top communes;
- Municipality: everything the page loads, for the commune with the most accidents and for
  a median one (KPIs and comparisons, breakdowns, people, map points, worst places);
- Hot-spot list: the ranking with its dominant conditions;
- Model and pipelines: its database part (freshness, ingestions, data-quality profile; the
  MLflow part is a handful of HTTP calls, not measured here);
and the refresh of the aggregates after ingesting one year again (the H3 cells of that year
and every view).

Usage: .venv/bin/python benchmarks/dashboard.py [--scale 1.0] [--data DIR] [--repeats 20]
`--data` reuses (or writes) the generated BAAC folders. The database server is
GLS_BENCH_DATABASE_URL, else the one in the settings (`make up`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import h3
import numpy as np
import pandas as pd
from sqlalchemy import text

from baac_demo_data import generate_demo_data
from green_light_platform.db.admin import temporary_database
from green_light_platform.db.engine import connect, make_engine
from green_light_platform.settings import DatabaseSettings
from green_light_ui.cells import RESOLUTION
from green_light_ui.dashboards.data_health import data_health
from green_light_ui.dashboards.hotspots import WEIGHTS, HotspotFilters, rank_hotspots
from green_light_ui.dashboards.overview import Period, load_overview
from green_light_ui.dashboards.place import find_place, load_place
from road_accidents_database_ingestion.analytics_refresh import refresh_analytics
from road_accidents_database_ingestion.discovery import discover_year_folders
from road_accidents_database_ingestion.loader import analyze_tables, ensure_reference_data
from road_accidents_database_ingestion.pipeline import ingest, ingest_year

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy import Engine

YEARS = list(range(2005, 2024))
PERIOD = Period(2019, 2023)

PER_ACCIDENT = """
    SELECT a.num_acc, a.year, a.dep, a.com_current AS commune, a.month, a.hour, a.lum, a.atm,
           a.lat, a.lon, count(*) FILTER (WHERE u.grav = 2) AS killed,
           count(*) FILTER (WHERE u.grav = 3) AS hospitalised,
           count(*) FILTER (WHERE u.grav = 4) AS lightly_injured
    FROM accidents a JOIN persons u ON u.num_acc = a.num_acc AND u.year = a.year
    WHERE a.year BETWEEN :first AND :last {where}
    GROUP BY a.num_acc, a.year
"""

RAW_SQL_OVERVIEW = (
    f"""
    SELECT dep, count(*), count(*) FILTER (WHERE killed + hospitalised > 0), sum(killed)
    FROM ({PER_ACCIDENT.format(where="")}) f GROUP BY dep
    """,
    f"""
    SELECT year, count(*), count(*) FILTER (WHERE killed + hospitalised > 0)
    FROM ({PER_ACCIDENT.format(where="").replace(":first", "2005").replace(":last", "2023")}) f
    GROUP BY year
    """,
    f"""
    SELECT commune, count(*) FILTER (WHERE killed + hospitalised > 0) AS ksi
    FROM ({PER_ACCIDENT.format(where="")}) f GROUP BY commune ORDER BY ksi DESC LIMIT 15
    """,
)

RAW_SQL_PLACE = (
    *(
        f"""
        SELECT {column}, count(*), count(*) FILTER (WHERE killed + hospitalised > 0),
               sum(killed)
        FROM ({PER_ACCIDENT.format(where="AND a.com_current = :code")}) f GROUP BY {column}
        """
        for column in ("year", "month", "hour", "lum", "atm", "dep")
    ),
    """
    SELECT u.catu, count(*), count(*) FILTER (WHERE u.grav = 2) FROM persons u
    JOIN accidents a ON a.num_acc = u.num_acc AND a.year = u.year
    WHERE a.com_current = :code AND a.year BETWEEN :first AND :last GROUP BY u.catu
    """,
)


def percentiles(timings: list[float]) -> tuple[float, float]:
    ordered = sorted(timings)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def measure(action: Callable[[], object], repeats: int) -> tuple[float, float]:
    action()  # warm the caches and the connection pool
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return percentiles(timings)


def raw_sql(engine: Engine, statements: tuple[str, ...], **params: object) -> None:
    with engine.connect() as connection:
        for statement in statements:
            connection.execute(text(statement), params).fetchall()


def pandas_rows(engine: Engine, where: str = "", **params: object) -> pd.DataFrame:
    with engine.connect() as connection:
        result = connection.execute(text(PER_ACCIDENT.format(where=where)), params)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def pandas_overview(engine: Engine) -> None:
    rows = pandas_rows(engine, **PERIOD.params())
    rows["ksi"] = (rows["killed"] + rows["hospitalised"]) > 0
    rows.groupby("dep").agg(accidents=("num_acc", "size"), ksi=("ksi", "sum"))
    rows.groupby("commune")["ksi"].sum().nlargest(15)
    rows.groupby("year").size()


def pandas_place(engine: Engine, commune: str) -> None:
    rows = pandas_rows(engine, "AND a.com_current = :code", code=commune, **PERIOD.params())
    for column in ("year", "month", "hour", "lum", "atm"):
        rows.groupby(column).agg(accidents=("num_acc", "size"), killed=("killed", "sum"))


def pandas_hotspots(engine: Engine) -> None:
    rows = pandas_rows(engine, "AND a.lat IS NOT NULL", **PERIOD.params())
    rows["cell"] = [
        h3.latlng_to_cell(lat, lon, RESOLUTION)
        for lat, lon in zip(rows["lat"], rows["lon"], strict=True)
    ]
    weight = np.where(
        rows["killed"] > 0,
        WEIGHTS["fatal"],
        np.where(rows["hospitalised"] > 0, WEIGHTS["hospitalised"], WEIGHTS["other"]),
    )
    rows["score"] = weight
    ranked = rows.groupby("cell").agg(accidents=("num_acc", "size"), score=("score", "sum"))
    ranked[ranked["accidents"] >= 3].nlargest(50, "score")


PROFILE_ROWS = """
    SELECT f.year, f.table_name, f.status, p.column_name, p.rows, p.not_given, p.unknown
    FROM column_profiles p JOIN source_files f ON f.id = p.source_file_id
"""


def pandas_data_quality(engine: Engine) -> None:
    with engine.connect() as connection:
        result = connection.execute(text(PROFILE_ROWS))
        rows = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    loaded = rows[rows["status"] == "loaded"]
    loaded.groupby(["year", "table_name", "column_name"])[["rows", "not_given", "unknown"]].sum()


def load_history(url: str, data: Path, scale: float) -> float:
    data.mkdir(parents=True, exist_ok=True)
    if not discover_year_folders(data):
        started = time.perf_counter()
        generate_demo_data(data, YEARS, scale=scale, seed=42)
        print(f"generated 2005-2023 at scale {scale} in {time.perf_counter() - started:.0f} s")
    with connect(url) as conn:
        ensure_reference_data(conn)
    started = time.perf_counter()
    report = ingest(url, data)
    assert report.ok, [o.reason for o in report.outcomes if o.status == "failed"]
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    server = os.environ.get("GLS_BENCH_DATABASE_URL") or DatabaseSettings().url
    with tempfile.TemporaryDirectory() as scratch, temporary_database(server, "gls_bench") as url:
        data = args.data or Path(scratch) / "baac"
        seconds = load_history(url, data, args.scale)
        engine = make_engine(url)
        accidents = engine.connect().execute(text("SELECT count(*) FROM accidents")).scalar()
        print(f"ingested {accidents:,} accidents in {seconds:.1f} s (views refreshed)")

        with engine.connect() as connection:
            counts = connection.execute(
                text(
                    "SELECT commune, sum(accidents) AS n FROM analytics.commune_year"
                    " WHERE year BETWEEN :first AND :last AND commune IS NOT NULL"
                    " GROUP BY commune ORDER BY n DESC"
                ),
                PERIOD.params(),
            ).fetchall()
        biggest, median = counts[0], counts[len(counts) // 2]
        places = {
            f"municipality, largest ({biggest[0]}, {biggest[1]:,} accidents)": biggest[0],
            f"municipality, median ({median[0]}, {median[1]:,} accidents)": median[0],
        }
        repeats, slow = args.repeats, max(3, args.repeats // 5)
        print(f"\nperiod {PERIOD.first}-{PERIOD.last}; ours: {repeats} runs, baselines: {slow}")
        print(
            f"{'page (all its queries)':58} {'ours p50/p95 ms':>17} {'raw SQL p50/p95':>17}"
            f" {'pandas p50/p95':>17} {'x SQL':>6} {'x pandas':>8}"
        )

        def row(name: str, ours: tuple, sql: tuple | None, frame: tuple) -> None:
            sql_text = f"{sql[0]:8.0f}/{sql[1]:<8.0f}" if sql else f"{'-':>17}"
            ratio = f"{sql[1] / ours[1]:6.1f}" if sql else f"{'-':>6}"
            print(
                f"{name:58} {ours[0]:8.1f}/{ours[1]:<8.1f} {sql_text} "
                f"{frame[0]:8.0f}/{frame[1]:<8.0f} {ratio} {frame[1] / ours[1]:8.1f}"
            )

        row(
            "overview",
            measure(lambda: load_overview(engine, PERIOD), repeats),
            measure(lambda: raw_sql(engine, RAW_SQL_OVERVIEW, **PERIOD.params()), slow),
            measure(lambda: pandas_overview(engine), slow),
        )
        for name, commune in places.items():
            place = find_place(engine, "commune", commune)
            row(
                name,
                measure(lambda place=place: load_place(engine, place, PERIOD), repeats),
                measure(
                    lambda commune=commune: raw_sql(
                        engine, RAW_SQL_PLACE, code=commune, **PERIOD.params()
                    ),
                    slow,
                ),
                measure(lambda commune=commune: pandas_place(engine, commune), slow),
            )
        row(
            "hot-spot list (50 best, dominant conditions)",
            measure(lambda: rank_hotspots(engine, HotspotFilters(PERIOD)), repeats),
            None,
            measure(lambda: pandas_hotspots(engine), slow),
        )
        row(
            "hot-spot list, pedestrians involved (from the accidents)",
            measure(
                lambda: rank_hotspots(engine, HotspotFilters(PERIOD, road_users=(3,))), repeats
            ),
            None,
            measure(lambda: pandas_hotspots(engine), slow),
        )

        row(
            "model and pipelines (file registry part)",
            measure(lambda: data_health(engine), repeats),
            None,
            measure(lambda: pandas_data_quality(engine), slow),
        )

        year = next(f for f in discover_year_folders(data) if f.year == YEARS[-1])
        ingest_year(url, year, force=True)
        with connect(url) as conn:  # as when the year's file changed: its rows are redone too
            conn.execute("DELETE FROM analytics.computed_years WHERE year = %s", (year.year,))
        started = time.perf_counter()
        with connect(url) as conn:  # what `ingest` does before it refreshes
            analyze_tables(conn)
        analyze = time.perf_counter() - started
        started = time.perf_counter()
        steps = refresh_analytics(url)
        refresh = time.perf_counter() - started
        detail = ", ".join(f"{name} {s:.2f} s" for name, s in steps.items())
        print(
            f"\nrefresh after ingesting {YEARS[-1]} again: {refresh:.1f} s ({detail});"
            f" the ingestion's ANALYZE before it: {analyze:.1f} s"
        )
        engine.dispose()


if __name__ == "__main__":
    main()
