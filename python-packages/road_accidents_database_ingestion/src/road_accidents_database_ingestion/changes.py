"""Which year folders need an ingestion: new ones, and those whose files changed.

The same fingerprints as the ingestion's own skip (`registry.year_fingerprint` of the
files' checksums), compared with what the registry last recorded for each year in one
query. A year that failed keeps failing on the same files, so it waits for new files (or a
forced re-run) instead of failing again at every look.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from green_light_platform.db.engine import connect
from road_accidents_database_ingestion import registry
from road_accidents_database_ingestion.discovery import discover_year_folders, find_table_files
from road_accidents_database_ingestion.problems import FileProblem

if TYPE_CHECKING:
    from pathlib import Path


def pending_years(database_url: str, root: Path) -> list[int]:
    """The years under `root` whose files the registry has not loaded or failed as they are."""
    with connect(database_url) as conn:
        recorded = dict(conn.execute("SELECT year, fingerprint FROM ingested_years").fetchall())
    pending = []
    for folder in discover_year_folders(root):
        try:
            paths = find_table_files(folder.path)
        except FileProblem:
            pending.append(folder.year)  # the ingestion records why
            continue
        prints = (registry.fingerprint(path) for path in paths.values())
        if recorded.get(folder.year) != registry.year_fingerprint(prints):
            pending.append(folder.year)
    return pending
