"""The hot-spot cell of each accident: an H3 hexagon of resolution 9 (about 0.1 km², some
300 m across), small enough to be one junction or one stretch of road.

PostgreSQL cannot compute H3 here (no extension on the embedded server), so the ingestion's
analytics refresh runs `update_cells` first (entry point `gls.analytics`), which fills
`analytics.accident_cells` for every year whose accidents file changed since its cells were
computed; the materialised view `analytics.cell_year` then aggregates them.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from h3.api import basic_int

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)

RESOLUTION = 9

_LOCATED = """
SELECT num_acc, lat, lon FROM accidents
WHERE year = %(year)s AND lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180
  AND NOT (lat = 0 AND lon = 0)
"""


def cell_of(lat: float, lon: float) -> int:
    """The hot-spot cell of a point (what the Predict page does with a clicked point)."""
    return basic_int.latlng_to_cell(lat, lon, RESOLUTION)


def update_cells(conn: psycopg.Connection) -> int:
    """Compute the cells of every year whose accidents changed; returns the years redone."""
    loaded = dict(
        conn.execute("SELECT year, max(source_file_id) FROM accidents GROUP BY year").fetchall()
    )
    done = {
        year: (source_file_id, resolution)
        for year, source_file_id, resolution in conn.execute(
            "SELECT year, source_file_id, resolution FROM analytics.cell_years"
        )
    }
    gone = sorted(done.keys() - loaded.keys())
    if gone:
        conn.execute("DELETE FROM analytics.accident_cells WHERE year = ANY(%s)", (gone,))
        conn.execute("DELETE FROM analytics.cell_years WHERE year = ANY(%s)", (gone,))
    stale = sorted(y for y, f in loaded.items() if done.get(y) != (f, RESOLUTION))
    for year in stale:
        rows = conn.execute(_LOCATED, {"year": year}).fetchall()
        conn.execute("DELETE FROM analytics.accident_cells WHERE year = %s", (year,))
        with conn.cursor().copy(
            "COPY analytics.accident_cells (num_acc, year, cell) FROM STDIN"
        ) as copy:
            for num_acc, lat, lon in rows:
                copy.write_row((num_acc, year, basic_int.latlng_to_cell(lat, lon, RESOLUTION)))
        conn.execute(
            """
            INSERT INTO analytics.cell_years (year, source_file_id, resolution)
            VALUES (%s, %s, %s)
            ON CONFLICT (year) DO UPDATE SET source_file_id = EXCLUDED.source_file_id,
                resolution = EXCLUDED.resolution, computed_at = now()
            """,
            (year, loaded[year], RESOLUTION),
        )
        log.info("hot-spot cells", extra={"year": year, "located_accidents": len(rows)})
    return len(stale)
