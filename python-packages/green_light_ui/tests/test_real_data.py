"""The dashboards on real BAAC rows (the first 382 accidents of 2021 in ../shared), ingested
with the communes reference as `gls up` does: every page renders, and the busiest real
commune's and departement's KPIs are the counts made straight from the tables."""

from __future__ import annotations

from typing import TYPE_CHECKING

import psycopg
import pytest

from green_light_platform.bringup import bring_up_with
from green_light_platform.db.admin import temporary_database

from .conftest import PAGES

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@pytest.fixture(scope="module")
def real_database_url(
    postgres_server_url: str, real_2021_sample: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("real-2021")
    (folder / "baac").mkdir()
    (folder / "baac" / "2021").symlink_to(real_2021_sample, target_is_directory=True)
    with temporary_database(postgres_server_url, "gls_ui_real") as url:
        bring_up_with(
            {
                "GLS_DATABASE_URL": url,
                "ROAD_ACCIDENTS_DATA_DIRECTORIES": str(folder / "baac"),
                "GLS_VOLUMES_DIR": str(folder / "Volumes"),
                "ADMIN_PASSWORD": "unused-admin-password",
            },
            ["ingest"],
        )
        yield url


def count(url: str, where: str, place: str, grav: int | None = None) -> int:
    with psycopg.connect(url) as conn:
        if grav is None:
            sql = f"SELECT count(*) FROM accidents WHERE {where} = %s"
            return conn.execute(sql, (place,)).fetchone()[0]
        sql = (
            "SELECT count(*) FROM persons u JOIN accidents a USING (num_acc, year)"
            f" WHERE a.{where} = %s AND u.grav = %s"
        )
        return conn.execute(sql, (place, grav)).fetchone()[0]


def busiest(url: str, column: str) -> str:
    with psycopg.connect(url) as conn:
        return conn.execute(
            f"SELECT {column} FROM accidents WHERE {column} IS NOT NULL"
            " GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
        ).fetchone()[0]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_real_rows(app, real_database_url, page):
    test = app(real_database_url, page)
    assert not test.exception, [e.message for e in test.exception]
    # No MLflow runs here: the model page says so, which is all it may complain about.
    assert not [e.value for e in test.error if not e.value.startswith("MLflow does not answer")]
    assert test.title


@pytest.mark.parametrize(("kind", "column"), [("commune", "com_current"), ("dep", "dep")])
def test_a_real_place_shows_the_counts_of_its_rows(app, real_database_url, kind, column):
    place = busiest(real_database_url, column)
    test = app(real_database_url, "app_pages/place.py")
    test.query_params["place"] = f"{kind}:{place}"
    test.run()
    assert not test.exception, [e.message for e in test.exception]
    shown = {m.label: m.value for m in test.metric}
    assert shown["Accidents"] == f"{count(real_database_url, column, place):,}"
    for label, grav in (("Killed", 2), ("Hospitalised", 3), ("Lightly injured", 4)):
        assert shown[label] == f"{count(real_database_url, column, place, grav):,}", label
