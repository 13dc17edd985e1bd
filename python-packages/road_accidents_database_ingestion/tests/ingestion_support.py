"""Helpers shared by the ingestion tests: the real sample's location, copies, row counts."""

from __future__ import annotations

import shutil
from pathlib import Path

import psycopg

from green_light_platform.settings import to_libpq_url

SHARED_DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"
SAMPLE = SHARED_DATA / "baac-2021-sample"
REAL_2018 = SHARED_DATA / "baac-2018-places-vehicles"
SAMPLE_FILES = {
    "caracteristiques": "caracteristiques-2021.csv",
    "lieux": "lieux-2021.csv",
    "vehicules": "vehicules-2021.csv",
    "usagers": "usagers-2021.csv",
}
TABLES = ("accidents", "places", "vehicles", "persons")


def sample_year(root: Path, year_folder: str = "2021") -> Path:
    """A writable copy of the real 2021 sample as `root/<year_folder>`."""
    target = root / year_folder
    shutil.copytree(SAMPLE, target)
    for path in target.iterdir():
        path.chmod(0o644)
    return target


def counts(database_url: str) -> dict[str, int]:
    with psycopg.connect(to_libpq_url(database_url)) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def query(database_url: str, sql: str, *params: object) -> list[tuple]:
    with psycopg.connect(to_libpq_url(database_url)) as conn:
        return conn.execute(sql, params).fetchall()


def data_lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines()) - 1
