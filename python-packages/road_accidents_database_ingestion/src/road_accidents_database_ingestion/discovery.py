"""Finding year folders and, inside each, the file of each of the four BAAC tables.

Official names vary by year (`caracteristiques_2016.csv`, `caracteristiques-2017.csv`,
`carcteristiques-2021.csv`, `caract-2023.csv`, ...), so files are matched loosely: case,
`-`/`_` and spelling variants do not matter. A folder with a table missing, or with two
candidates for one table, is a FileProblem naming the folder and the files.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from road_accidents_database_ingestion.problems import FileProblem
from road_accidents_database_ingestion.readers.layouts import FIRST_YEAR

if TYPE_CHECKING:
    from pathlib import Path

    from road_accidents_database_ingestion.tables import BaacTable

TABLE_PATTERNS: dict[BaacTable, re.Pattern[str]] = {
    "caracteristiques": re.compile(r"^(caract|carct|carac)"),
    "lieux": re.compile(r"^lieu"),
    "vehicules": re.compile(r"^vehic"),
    "usagers": re.compile(r"^usag"),
}
DATA_SUFFIXES = {".csv", ".txt"}
_YEAR = re.compile(r"(?<!\d)(19|20)\d{2}(?!\d)")


@dataclass(frozen=True)
class YearFolder:
    year: int
    path: Path


def _plain(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return text.replace("-", "_").replace(" ", "_")


def folder_year(path: Path) -> int | None:
    """The year a folder is named after (`2021`, `baac-2021`), None when it names none."""
    found = _YEAR.search(path.name)
    return int(found.group()) if found else None


def discover_year_folders(root: Path) -> list[YearFolder]:
    """Year folders under `root` in year order; `root` itself when it is a year folder."""
    if not root.is_dir():
        raise FileProblem(root, "no such folder")
    own_year = folder_year(root)
    if own_year is not None and any(p.is_file() for p in root.iterdir()):
        return [YearFolder(own_year, root)]
    folders = []
    for child in sorted(root.iterdir()):
        year = folder_year(child)
        if child.is_dir() and year is not None:
            folders.append(YearFolder(year, child))
    years = [f.year for f in folders]
    repeated = sorted({y for y in years if years.count(y) > 1})
    if repeated:
        raise FileProblem(root, f"several folders for year(s) {repeated}")
    return sorted(folders, key=lambda f: f.year)


def find_table_files(folder: Path, *, require_all: bool = True) -> dict[BaacTable, Path]:
    """The file of each table in a year folder (only those present, unless `require_all`)."""
    candidates: dict[BaacTable, list[Path]] = {table: [] for table in TABLE_PATTERNS}
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.suffix.lower() not in DATA_SUFFIXES:
            continue
        name = _plain(path.name)
        for table, pattern in TABLE_PATTERNS.items():
            if pattern.match(name):
                candidates[table].append(path)
    missing = [table for table, paths in candidates.items() if not paths]
    if missing and require_all:
        raise FileProblem(folder, f"no file for table(s) {', '.join(missing)}")
    for table, paths in candidates.items():
        if len(paths) > 1:
            names = ", ".join(p.name for p in paths)
            raise FileProblem(folder, f"two or more candidates for table {table}: {names}")
    return {table: paths[0] for table, paths in candidates.items() if paths}


_YEAR_RANGE = re.compile(r"^(\d{4})(?:\s*-\s*(\d{4}))?$")


def parse_years(text: str) -> list[int]:
    """Years from ranges and comma lists: `2005-2023`, `2019,2021`, `2005-2010,2015`."""
    years: set[int] = set()
    for part in filter(None, (p.strip() for p in text.split(","))):
        found = _YEAR_RANGE.match(part)
        if not found:
            raise ValueError(f"{part!r} is neither a year nor a range like 2005-2023")
        first = int(found.group(1))
        last = int(found.group(2) or first)
        if last < first:
            raise ValueError(f"{part!r} ends before it starts")
        if first < FIRST_YEAR:
            raise ValueError(f"BAAC files start in {FIRST_YEAR}, not {first}")
        years.update(range(first, last + 1))
    return sorted(years)
