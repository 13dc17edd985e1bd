"""The data-quality profile of BAAC files: per table and column, what is missing after reading.

A column's cells are "not given" (a marker of `not_given.py`: NULL by design of the file) or
unknown (no code of the column, or unreadable: NULL, kept as written in `unknown_values`).
`gls ingest` prints the profile of what it loaded and the registry keeps it
(`column_profiles`); `profile_files` gives it for files without loading them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from road_accidents_database_ingestion.discovery import discover_year_folders, find_table_files
from road_accidents_database_ingestion.problems import FileProblem
from road_accidents_database_ingestion.readers import ReadResult, read_table
from road_accidents_database_ingestion.settings import (
    DEFAULT_MAX_REJECT_SHARE,
    DEFAULT_MAX_UNKNOWN_SHARE,
)
from road_accidents_database_ingestion.tables import BY_BAAC_NAME
from road_accidents_database_ingestion.validation import validate_year

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path

    from road_accidents_database_ingestion.readers.columns import ColumnProfile
    from road_accidents_database_ingestion.tables import BaacTable


@dataclass(frozen=True)
class FileProfile:
    """One file's profile, or why it could not be read."""

    year: int
    table: BaacTable | None
    path: Path
    layout: str | None = None
    rows: int = 0
    rejected: int = 0
    columns: dict[str, ColumnProfile] = field(default_factory=dict)
    problem: str | None = None


def profile_files(
    root: Path,
    years: Sequence[int] | None = None,
    on_file: Callable[[Path], None] | None = None,
    limits: tuple[float, float] = (DEFAULT_MAX_REJECT_SHARE, DEFAULT_MAX_UNKNOWN_SHARE),
) -> list[FileProfile]:
    """Read every table file of the year folders under `root` (those present) and profile it;
    nothing is loaded and no database is needed.

    A year whose four files read is also checked as ingestion checks it (keys, year,
    orphans, the reject and unknown limits), so its rejects and any failure are the ones
    `gls ingest` would meet."""
    profiles = []
    for folder in discover_year_folders(root):
        if years is not None and folder.year not in years:
            continue
        try:
            paths = find_table_files(folder.path, require_all=False)
        except FileProblem as problem:
            profiles.append(FileProfile(folder.year, None, folder.path, problem=str(problem)))
            continue
        reads: dict[BaacTable, ReadResult] = {}
        unreadable: dict[BaacTable, FileProfile] = {}
        for table, path in paths.items():
            if on_file is not None:
                on_file(path)
            try:
                reads[table] = read_table(path, table)
            except FileProblem as problem:
                unreadable[table] = FileProfile(folder.year, table, path, problem=str(problem))
        checked = (
            validate_year(folder.year, reads, *limits) if set(reads) == set(BY_BAAC_NAME) else None
        )
        for table in paths:
            if table in unreadable:
                profiles.append(unreadable[table])
            elif checked is None:
                read = reads[table]
                profiles.append(
                    file_profile(folder.year, read, read.rows_read - read.rows.num_rows)
                )
            else:
                done = checked.files[table]
                profile = file_profile(folder.year, done.read, done.rows_rejected)
                if done.failure:
                    profile = replace(profile, problem=f"would fail: {done.failure}")
                profiles.append(profile)
    return profiles


def file_profile(year: int, read: ReadResult, rejected: int) -> FileProfile:
    """The profile of a file read, with its rows `rejected` by reading (and checking)."""
    return FileProfile(
        year, read.table, read.path, read.layout, read.rows_read, rejected, read.profile
    )
