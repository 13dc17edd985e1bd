"""Refresh the dashboards' aggregates after a load, knowing nothing of the dashboards.

Whatever materialised views schema `analytics` holds are refreshed, each after the views it
reads. Before that, the hooks other packages declare in the entry-point group `gls.analytics`
run (each a callable taking the connection), for what SQL cannot compute, such as the UI's H3
cells of each accident. A view with a unique index that holds data is refreshed
concurrently, so dashboards keep reading it meanwhile.
"""

from __future__ import annotations

import logging
import time
from graphlib import TopologicalSorter
from importlib.metadata import entry_points
from typing import TYPE_CHECKING

from psycopg import sql

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)

SCHEMA = "analytics"
HOOKS_GROUP = "gls.analytics"

_VIEWS = """
SELECT v.relname,
       v.relispopulated,
       EXISTS (SELECT 1 FROM pg_index i
               WHERE i.indrelid = v.oid AND i.indisunique AND i.indpred IS NULL),
       coalesce(array_agg(DISTINCT d.relname) FILTER (WHERE d.relname IS NOT NULL), '{}')
FROM pg_class v
LEFT JOIN pg_rewrite r ON r.ev_class = v.oid
LEFT JOIN pg_depend dep ON dep.objid = r.oid AND dep.classid = 'pg_rewrite'::regclass
                       AND dep.refclassid = 'pg_class'::regclass AND dep.refobjid <> v.oid
LEFT JOIN pg_class d ON d.oid = dep.refobjid AND d.relkind = 'm'
                    AND d.relnamespace = v.relnamespace
WHERE v.relkind = 'm' AND v.relnamespace = to_regnamespace(%s)
GROUP BY v.oid, v.relname, v.relispopulated
"""


def refresh_analytics(conn: psycopg.Connection) -> dict[str, float]:
    """Run the hooks, then refresh every view of schema `analytics`; seconds per step."""
    seconds: dict[str, float] = {}
    for hook in sorted(entry_points(group=HOOKS_GROUP), key=lambda e: e.name):
        started = time.perf_counter()
        hook.load()(conn)
        seconds[hook.name] = time.perf_counter() - started
    views = {name: (populated, unique, reads) for name, populated, unique, reads in _rows(conn)}
    order = TopologicalSorter({name: set(v[2]) & views.keys() for name, v in views.items()})
    for name in order.static_order():
        populated, unique, _ = views[name]
        started = time.perf_counter()
        how = sql.SQL("CONCURRENTLY ") if populated and unique else sql.SQL("")
        conn.execute(
            sql.SQL("REFRESH MATERIALIZED VIEW {}{}").format(how, sql.Identifier(SCHEMA, name))
        )
        seconds[name] = time.perf_counter() - started
    log.info("analytics refreshed", extra={"seconds": {k: round(v, 2) for k, v in seconds.items()}})
    return seconds


def _rows(conn: psycopg.Connection) -> list[tuple[str, bool, bool, list[str]]]:
    return conn.execute(_VIEWS, (SCHEMA,)).fetchall()
