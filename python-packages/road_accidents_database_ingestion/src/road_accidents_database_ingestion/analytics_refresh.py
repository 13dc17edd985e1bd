"""Refresh the dashboards' aggregates after a load, knowing nothing of the dashboards.

First the hooks other packages declare in the entry-point group `gls.analytics` run (each a
callable taking an autocommit connection, opening its own transactions, and
`communes_changed`: whether accidents were given another current commune since the last
refresh, as `gls load-reference` may do), for tables that are cheaper to bring up to date
year by year, or that SQL cannot compute (the UI's per-accident facts and H3 cells). Then
whatever materialised views schema `analytics` holds are refreshed, each after the views it
reads, each in a transaction of its own: a dashboard reading a view
waits at most for that view's refresh (seconds), never for the whole run. (A concurrent
refresh would not block readers at all, but cost 5 to 10 times as long on a full history.)
"""

from __future__ import annotations

import logging
import time
from graphlib import TopologicalSorter
from importlib.metadata import entry_points

from psycopg import sql

from green_light_platform.db.engine import connect

log = logging.getLogger(__name__)

SCHEMA = "analytics"
HOOKS_GROUP = "gls.analytics"

_VIEWS = """
SELECT v.relname,
       coalesce(array_agg(DISTINCT d.relname) FILTER (WHERE d.relname IS NOT NULL), '{}')
FROM pg_class v
LEFT JOIN pg_rewrite r ON r.ev_class = v.oid
LEFT JOIN pg_depend dep ON dep.objid = r.oid AND dep.classid = 'pg_rewrite'::regclass
                       AND dep.refclassid = 'pg_class'::regclass AND dep.refobjid <> v.oid
LEFT JOIN pg_class d ON d.oid = dep.refobjid AND d.relkind = 'm'
                    AND d.relnamespace = v.relnamespace
WHERE v.relkind = 'm' AND v.relnamespace = to_regnamespace(%s)
GROUP BY v.oid, v.relname
"""


def refresh_analytics(database_url: str, *, communes_changed: bool = False) -> dict[str, float]:
    """Run the hooks, then refresh every view of schema `analytics`; seconds per step.

    After an ingestion only the loaded years changed; after a reference reload
    (`communes_changed`) any year's accidents may have moved to another commune."""
    seconds: dict[str, float] = {}
    with connect(database_url, autocommit=True) as conn:
        for hook in sorted(entry_points(group=HOOKS_GROUP), key=lambda e: e.name):
            started = time.perf_counter()
            hook.load()(conn, communes_changed=communes_changed)
            seconds[hook.name] = time.perf_counter() - started
        reads = dict(conn.execute(_VIEWS, (SCHEMA,)).fetchall())
        order = TopologicalSorter({name: set(r) & reads.keys() for name, r in reads.items()})
        for name in order.static_order():
            started = time.perf_counter()
            view = sql.Identifier(SCHEMA, name)
            conn.execute(sql.SQL("REFRESH MATERIALIZED VIEW {}").format(view))
            conn.execute(sql.SQL("ANALYZE {}").format(view))  # a refresh keeps stale statistics
            seconds[name] = time.perf_counter() - started
    log.info("analytics refreshed", extra={"seconds": {k: round(v, 2) for k, v in seconds.items()}})
    return seconds
