"""The per-accident analytics tables, recomputed only for the years whose accidents changed.

`analytics.accident_facts` (one row per accident, what every page aggregates),
`analytics.person_facts` (one row per person, with the accident's place) and
`analytics.accident_cells` (each accident's H3 hot-spot cell: PostgreSQL has no H3 here) would
cost a minute or more to rebuild whole from 1.2 million accidents; a year takes about a second. The
ingestion's analytics refresh runs `update_years` first (entry point `gls.analytics`), then
refreshes the materialised views built on these tables. A year is redone when the accidents
file it was computed from (`source_file_id`) or the H3 resolution changed, and removed when
its accidents are gone.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from green_light_ui.cells import RESOLUTION, cell_of
from road_accidents_database_ingestion.codes import KSI_GRAV_CODES

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)

_KSI = ", ".join(str(code) for code in sorted(KSI_GRAV_CODES))

YEAR_FACTS = f"""
INSERT INTO analytics.accident_facts
WITH people AS (
    SELECT num_acc,
           count(*)::int AS persons,
           (count(*) FILTER (WHERE grav = 2))::int AS killed,
           (count(*) FILTER (WHERE grav = 3))::int AS hospitalised,
           (count(*) FILTER (WHERE grav = 4))::int AS lightly_injured,
           bool_or(grav IN ({_KSI})) AS ksi,
           array_agg(DISTINCT catu ORDER BY catu) FILTER (WHERE catu IS NOT NULL) AS road_users
    FROM persons WHERE year = %(year)s
    GROUP BY num_acc
), fleet AS (
    SELECT num_acc, count(*)::int AS vehicles,
           array_agg(DISTINCT catv ORDER BY catv) FILTER (WHERE catv IS NOT NULL)
               AS vehicle_categories
    FROM vehicles WHERE year = %(year)s
    GROUP BY num_acc
)
SELECT a.num_acc, a.year, a.accident_date, a.month,
       EXTRACT(ISODOW FROM a.accident_date)::smallint, a.hour, a.minute,
       a.dep, a.com_current, a.adr, a.lat, a.lon,
       a.lum, a.atm, a.agg, a.inter, a.col, p.catr, p.vma, p.surf,
       coalesce(u.persons, 0), coalesce(u.killed, 0), coalesce(u.hospitalised, 0),
       coalesce(u.lightly_injured, 0), coalesce(f.vehicles, 0),
       coalesce(u.road_users, '{{}}'), coalesce(f.vehicle_categories, '{{}}'),
       CASE WHEN u.killed > 0 THEN 2 WHEN u.hospitalised > 0 THEN 3
            WHEN u.lightly_injured > 0 THEN 4 WHEN u.persons > 0 THEN 1 END,
       coalesce(u.ksi, false)
FROM accidents a
LEFT JOIN places p ON p.num_acc = a.num_acc AND p.year = a.year AND p.seq = 1
LEFT JOIN people u ON u.num_acc = a.num_acc
LEFT JOIN fleet f ON f.num_acc = a.num_acc
WHERE a.year = %(year)s
"""
"""One year's accidents as `accident_facts` rows; the worst injury is a `grav` code."""

YEAR_PERSONS = """
INSERT INTO analytics.person_facts
SELECT u.num_acc, u.year, u.seq, a.dep, a.com_current, u.catu, u.grav,
       CASE WHEN u.year - u.an_nais BETWEEN 0 AND 110 THEN u.year - u.an_nais END,
       v.catv
FROM persons u
JOIN accidents a ON a.num_acc = u.num_acc AND a.year = u.year
LEFT JOIN vehicles v ON v.num_acc = u.num_acc AND v.year = u.year AND v.num_veh = u.num_veh
WHERE u.year = %(year)s AND a.year = %(year)s
"""
"""One year's persons as `person_facts` rows, with their accident's place."""

_LOCATED = """
SELECT num_acc, lat, lon FROM accidents
WHERE year = %(year)s AND lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180
  AND NOT (lat = 0 AND lon = 0)
"""

_TABLES = ("analytics.accident_facts", "analytics.person_facts", "analytics.accident_cells")


_RESOLVED_AGAIN = [
    f"""
    UPDATE {table} f SET commune = a.com_current
    FROM accidents a
    WHERE a.num_acc = f.num_acc AND a.year = f.year
      AND f.commune IS DISTINCT FROM a.com_current
    """
    for table in ("analytics.accident_facts", "analytics.person_facts")
]
"""Give the facts their accidents' current commune again (after a reference reload)."""


def update_years(conn: psycopg.Connection, communes_changed: bool = False) -> int:
    """Recompute the facts and cells of every year whose accidents changed, each year in one
    transaction; returns how many years were redone. When `communes_changed`, the facts of
    the other years take their accidents' current commune again, in one transaction."""
    loaded = dict(
        conn.execute("SELECT year, max(source_file_id) FROM accidents GROUP BY year").fetchall()
    )
    done = {
        year: (source_file_id, resolution)
        for year, source_file_id, resolution in conn.execute(
            "SELECT year, source_file_id, resolution FROM analytics.computed_years"
        ).fetchall()
    }
    for year in sorted(done.keys() - loaded.keys()):
        with conn.transaction():
            _delete_year(conn, year)
    stale = sorted(y for y, f in loaded.items() if done.get(y) != (f, RESOLUTION))
    for year in stale:
        with conn.transaction():
            # A whole year joins best by hashing; a year just swapped in may have no planner
            # statistics yet, and nested loops over it took minutes instead of a second.
            conn.execute("SET LOCAL enable_nestloop = off")
            _delete_year(conn, year)
            facts = conn.execute(YEAR_FACTS, {"year": year}).rowcount
            conn.execute(YEAR_PERSONS, {"year": year})
            located = conn.execute(_LOCATED, {"year": year}).fetchall()
            with conn.cursor().copy(
                "COPY analytics.accident_cells (num_acc, year, cell) FROM STDIN"
            ) as copy:
                for num_acc, lat, lon in located:
                    copy.write_row((num_acc, year, cell_of(lat, lon)))
            conn.execute(
                "INSERT INTO analytics.computed_years (year, source_file_id, resolution)"
                " VALUES (%s, %s, %s)",
                (year, loaded[year], RESOLUTION),
            )
        log.info(
            "analytics year", extra={"year": year, "accidents": facts, "located": len(located)}
        )
    if communes_changed:
        with conn.transaction():
            moved = sum(conn.execute(statement).rowcount for statement in _RESOLVED_AGAIN)
        log.info("analytics communes resolved again", extra={"rows": moved})
    if stale or communes_changed:
        for table in _TABLES:
            conn.execute(f"ANALYZE {table}")
    return len(stale)


def _delete_year(conn: psycopg.Connection, year: int) -> None:
    for table in (*_TABLES, "analytics.computed_years"):
        conn.execute(f"DELETE FROM {table} WHERE year = %s", (year,))
