"""The analytics layer against real databases: every figure a page shows equals the same
figure computed here straight from the raw tables (and, for hot spots, with `h3` directly)."""

from __future__ import annotations

from collections import Counter

import h3
import psycopg
import pytest
from typer.testing import CliRunner

from green_light_platform.cli.app import app as gls
from green_light_platform.db.engine import make_engine
from green_light_platform.settings import to_libpq_url
from green_light_ui.cells import RESOLUTION
from green_light_ui.dashboards.hotspots import (
    ONE_YEAR_TREND,
    WEIGHTS,
    HotspotFilters,
    hotspot_details,
    rank_hotspots,
)
from green_light_ui.dashboards.overview import Period, data_range, load_overview
from green_light_ui.dashboards.place import find_place, load_place
from green_light_ui.dashboards.prediction import PlaceChoice, load_history
from green_light_ui.yearly import update_years
from road_accidents_database_ingestion.analytics_refresh import refresh_analytics
from road_accidents_database_ingestion.loader import ensure_reference_data

PERIOD = Period(2021, 2022)


@pytest.fixture(scope="module")
def seeded_engine(seeded_database_url):
    engine = make_engine(seeded_database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def dashboard_engine(dashboard_database_url):
    engine = make_engine(dashboard_database_url)
    yield engine
    engine.dispose()


def rows(url: str, query: str, *params) -> list[tuple]:
    with psycopg.connect(to_libpq_url(url)) as conn:
        return conn.execute(query, params).fetchall()


RAW_ACCIDENTS = """
    SELECT a.num_acc, a.year, a.dep, a.com_current, a.lat, a.lon, a.hour,
           count(u.*) FILTER (WHERE u.grav = 2), count(u.*) FILTER (WHERE u.grav = 3),
           count(u.*) FILTER (WHERE u.grav = 4), count(u.*)
    FROM accidents a LEFT JOIN persons u ON u.num_acc = a.num_acc AND u.year = a.year
    GROUP BY a.num_acc, a.year, a.dep, a.com_current, a.lat, a.lon, a.hour
"""


def raw_accidents(url: str) -> list[dict]:
    names = (
        "num_acc",
        "year",
        "dep",
        "commune",
        "lat",
        "lon",
        "hour",
        "killed",
        "hospitalised",
        "light",
        "persons",
    )
    return [dict(zip(names, row, strict=True)) for row in rows(url, RAW_ACCIDENTS)]


def kpis(accidents: list[dict]) -> dict[str, int]:
    return {
        "accidents": len(accidents),
        "ksi_accidents": sum(1 for a in accidents if a["killed"] + a["hospitalised"] > 0),
        "killed": sum(a["killed"] for a in accidents),
        "hospitalised": sum(a["hospitalised"] for a in accidents),
        "lightly_injured": sum(a["light"] for a in accidents),
    }


def test_the_ingestion_refreshed_every_view(seeded_database_url):
    accidents = rows(seeded_database_url, "SELECT count(*) FROM accidents")[0][0]
    located = rows(
        seeded_database_url,
        "SELECT count(*) FROM accidents WHERE lat IS NOT NULL AND lon IS NOT NULL",
    )[0][0]
    assert accidents > 100
    assert rows(seeded_database_url, "SELECT count(*) FROM analytics.accident_facts")[0][0] == (
        accidents
    )
    assert rows(seeded_database_url, "SELECT count(*) FROM analytics.accident_cells")[0][0] == (
        located
    )
    assert rows(
        seeded_database_url, "SELECT year, resolution FROM analytics.computed_years ORDER BY 1"
    ) == [(2021, RESOLUTION), (2022, RESOLUTION)]
    persons = rows(seeded_database_url, "SELECT count(*) FROM persons")[0][0]
    assert rows(seeded_database_url, "SELECT count(*) FROM analytics.person_facts")[0][0] == (
        persons
    )


def test_a_municipality_and_its_comparisons_equal_the_raw_counts(
    seeded_database_url, seeded_engine
):
    accidents = raw_accidents(seeded_database_url)
    commune, _ = Counter(a["commune"] for a in accidents if a["commune"]).most_common(1)[0]
    place = find_place(seeded_engine, "commune", commune)
    view = load_place(seeded_engine, place, PERIOD)

    mine = [a for a in accidents if a["commune"] == commune]
    dep = [a for a in accidents if a["dep"] == place.dep]
    expected = [kpis(mine), kpis(dep), kpis(accidents)]
    for row, wanted in zip(view.comparison.to_dict("records"), expected, strict=True):
        assert {k: row[k] for k in wanted} == wanted
    population = rows(
        seeded_database_url, "SELECT population FROM communes WHERE code = %s", commune
    )[0][0]
    assert view.comparison.iloc[0]["accidents_per_10k"] == pytest.approx(
        len(mine) / 2 / population * 10_000
    )
    only_2022 = load_place(seeded_engine, place, Period(2022, 2022))
    assert only_2022.current["accidents"] == sum(a["year"] == 2022 for a in mine)
    assert only_2022.previous["accidents"] == sum(a["year"] == 2021 for a in mine)


def test_breakdowns_add_up_to_the_place(seeded_database_url, seeded_engine):
    accidents = raw_accidents(seeded_database_url)
    dep, _ = Counter(a["dep"] for a in accidents).most_common(1)[0]
    view = load_place(seeded_engine, find_place(seeded_engine, "dep", dep), PERIOD)
    mine = [a for a in accidents if a["dep"] == dep]
    assert view.breakdowns["month"]["accidents"].sum() == len(mine)
    assert view.breakdowns["lum"]["accidents"].sum() == len(mine)
    assert view.heatmap["accidents"].sum() == sum(a["hour"] is not None for a in mine)
    assert view.people["catu"]["persons"].sum() == sum(a["persons"] for a in mine)
    assert view.people["age_group"]["killed"].sum() == sum(a["killed"] for a in mine)
    assert len(view.accidents) == sum(a["lat"] is not None for a in mine)


def test_the_overview_rates_and_trend(seeded_database_url, seeded_engine):
    accidents = raw_accidents(seeded_database_url)
    loaded = data_range(seeded_engine)
    assert (loaded.first, loaded.last, loaded.accidents) == (2021, 2022, len(accidents))
    overview = load_overview(seeded_engine, PERIOD)
    by_year = {year: kpis([a for a in accidents if a["year"] == year]) for year in (2021, 2022)}
    for row in overview.trend.to_dict("records"):
        assert {k: row[k] for k in by_year[row["year"]]} == by_year[row["year"]]
    dep, _ = Counter(a["dep"] for a in accidents).most_common(1)[0]
    population = rows(
        seeded_database_url, "SELECT sum(population) FROM communes WHERE departement = %s", dep
    )[0][0]
    ksi = kpis([a for a in accidents if a["dep"] == dep])["ksi_accidents"]
    row = overview.departements.set_index("dep").loc[dep]
    assert row["ksi_per_100k"] == pytest.approx(ksi / 2 / population * 100_000)
    top = overview.communes.iloc[0]
    counts = Counter(
        a["commune"] for a in accidents if a["commune"] and a["killed"] + a["hospitalised"]
    )
    assert top["ksi_accidents"] == max(counts.values())


def independent_hotspots(accidents: list[dict], floor: int = 3) -> list[tuple[str, int, int]]:
    """(cell, accidents, score) of every cell with `floor` accidents, best first."""
    cells: dict[str, list[dict]] = {}
    for a in accidents:
        if a["lat"] is not None and a["lon"] is not None:
            cells.setdefault(h3.latlng_to_cell(a["lat"], a["lon"], RESOLUTION), []).append(a)

    def score(group: list[dict]) -> int:
        return sum(
            WEIGHTS["fatal"]
            if a["killed"]
            else WEIGHTS["hospitalised"]
            if a["hospitalised"]
            else WEIGHTS["other"]
            for a in group
        )

    found = [
        (cell, len(group), score(group)) for cell, group in cells.items() if len(group) >= floor
    ]
    return sorted(found, key=lambda c: (-c[2], -c[1], h3.str_to_int(c[0])))


def test_hot_spots_are_the_h3_cells_computed_independently(
    dashboard_database_url, dashboard_engine
):
    accidents = raw_accidents(dashboard_database_url)
    expected = independent_hotspots(accidents)
    assert len(expected) >= 3, "the dashboard database should have hot spots"
    ranked = rank_hotspots(dashboard_engine, HotspotFilters(PERIOD, min_accidents=3))
    assert list(zip(ranked["cell"], ranked["accidents"], ranked["score"], strict=True)) == (
        expected
    )
    first = ranked.iloc[0]
    group = [
        a
        for a in accidents
        if a["lat"] is not None
        and h3.latlng_to_cell(a["lat"], a["lon"], RESOLUTION) == first["cell"]
    ]
    assert first["ksi_share"] == pytest.approx(
        sum(a["killed"] + a["hospitalised"] > 0 for a in group) / len(group)
    )
    assert first["early_accidents"] == sum(a["year"] == 2021 for a in group)
    assert first["late_accidents"] == sum(a["year"] == 2022 for a in group)
    communes = Counter(a["commune"] for a in group)
    assert first["commune"] == min(communes, key=lambda c: (-communes[c], c))  # ties: lowest
    details = hotspot_details(dashboard_engine, first["cell"], HotspotFilters(PERIOD))
    assert len(details.accidents) == len(group)
    assert details.by_year["accidents"].tolist() == [
        sum(a["year"] == year for a in group) for year in (2021, 2022)
    ]


def test_a_one_year_ranking_reads_no_trend(dashboard_engine):
    ranked = rank_hotspots(dashboard_engine, HotspotFilters(Period(2022, 2022), min_accidents=2))
    assert len(ranked)
    assert set(ranked["trend_label"]) == {ONE_YEAR_TREND}


def test_hot_spot_filters_change_what_counts(dashboard_database_url, dashboard_engine):
    accidents = raw_accidents(dashboard_database_url)
    ksi_only = [a for a in accidents if a["killed"] + a["hospitalised"]]
    ranked = rank_hotspots(
        dashboard_engine, HotspotFilters(PERIOD, min_accidents=2, severity="ksi")
    )
    expected = {cell: n for cell, n, _ in independent_hotspots(ksi_only, floor=2)}
    counted = dict(zip(ranked["cell"], ranked["counted"], strict=True))
    # cell_year only keeps cells with 3+ accidents of any severity
    assert counted.items() <= expected.items()
    assert all(n >= 2 for n in counted.values())

    pedestrians = rows(
        dashboard_database_url,
        "SELECT DISTINCT num_acc FROM persons WHERE catu = 3",
    )
    with_pedestrian = {n for (n,) in pedestrians}
    involving = rank_hotspots(
        dashboard_engine, HotspotFilters(PERIOD, min_accidents=1, road_users=(3,), limit=10_000)
    )
    expected = independent_hotspots(
        [a for a in accidents if a["num_acc"] in with_pedestrian], floor=1
    )
    assert sorted(involving["cell"]) == sorted(cell for cell, _, _ in expected)


def test_predicts_historic_share_covers_every_accident_beyond_the_prefills_rows(
    dashboard_database_url, dashboard_engine
):
    (commune, total, ksi), *_ = rows(
        dashboard_database_url,
        "SELECT a.com_current, count(*),"
        " count(*) FILTER (WHERE EXISTS (SELECT 1 FROM persons u WHERE u.num_acc = a.num_acc"
        " AND u.year = a.year AND u.grav IN (2, 3)))"
        " FROM accidents a WHERE a.com_current IS NOT NULL"
        " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1",
    )
    assert total > 5
    place = PlaceChoice("commune", commune, commune)
    history = load_history(dashboard_engine, place, PERIOD, limit=5)
    assert len(history.accidents) == 5, "the prefill reads the latest rows only"
    assert (history.total, history.ksi_accidents) == (total, ksi)
    assert history.ksi_share == pytest.approx(ksi / total)


def test_years_are_recomputed_only_when_their_file_changed(database_url):
    with psycopg.connect(to_libpq_url(database_url), autocommit=True) as conn:
        conn.execute(
            "INSERT INTO accidents (num_acc, year, month, day, accident_date, dep, lat, lon,"
            " source_file_id, source_line) VALUES"
            " (202100000001, 2021, 1, 5, '2021-01-05', '75', 48.85, 2.35, 7, 2),"
            " (202200000001, 2022, 2, 6, '2022-02-06', '75', 48.86, 2.36, 8, 2)"
        )
        assert update_years(conn) == 2
        assert update_years(conn) == 0
        conn.execute("UPDATE accidents SET source_file_id = 9, hour = 7 WHERE year = 2022")
        assert update_years(conn) == 1
        assert conn.execute(
            "SELECT hour FROM analytics.accident_facts WHERE year = 2022"
        ).fetchone() == (7,)
        conn.execute("DELETE FROM accidents WHERE year = 2021")
    seconds = refresh_analytics(database_url)
    with psycopg.connect(to_libpq_url(database_url)) as conn:
        assert conn.execute("SELECT year, cell FROM analytics.accident_cells").fetchall() == [
            (2022, h3.str_to_int(h3.latlng_to_cell(48.86, 2.36, RESOLUTION)))
        ]
        assert conn.execute("SELECT year, accidents FROM analytics.commune_year").fetchall() == [
            (2022, 1)
        ]
        assert conn.execute("SELECT year FROM analytics.computed_years").fetchall() == [(2022,)]
    order = list(seconds)
    assert order[0] == "yearly_facts"
    assert order.index("commune_year") < order.index("departement_year")
    assert {"cell_year", "departement_population"} <= set(order)


def test_gls_load_reference_refreshes_the_aggregates(database_url, tmp_path):
    """A reference reload moves accidents to their current commune and changes populations:
    the facts, the per-commune views and the departement populations follow at once."""
    with psycopg.connect(to_libpq_url(database_url), autocommit=True) as conn:
        ensure_reference_data(conn)
        shipped = conn.execute(
            "SELECT sum(population) FROM communes WHERE departement = '50'"
        ).fetchone()[0]
        # As if the accidents had been resolved, and the views computed, with a reference
        # from before Équeurdreville-Hainneville (50173) joined Cherbourg-en-Cotentin (50129).
        conn.execute(
            "INSERT INTO accidents (num_acc, year, month, day, accident_date, dep, com,"
            " com_current, lat, lon, source_file_id, source_line) VALUES"
            " (202100000001, 2021, 1, 5, '2021-01-05', '50', '50173', '50173', 49.64, -1.66,"
            " 7, 2)"
        )
        conn.execute("UPDATE communes SET population = 1 WHERE departement = '50'")
    refresh_analytics(database_url)
    assert rows(database_url, "SELECT commune FROM analytics.commune_year") == [("50173",)]

    result = CliRunner().invoke(
        gls,
        ["load-reference"],
        env={
            "ADMIN_PASSWORD": "unused",
            "GLS_ENV_FILE": str(tmp_path / "none.env"),
            "GLS_DATABASE_URL": database_url,
        },
    )
    assert result.exit_code == 0, result.output
    assert "1 accidents changed commune" in result.output
    assert rows(database_url, "SELECT commune, accidents FROM analytics.commune_year") == [
        ("50129", 1)
    ]
    assert rows(database_url, "SELECT commune FROM analytics.accident_facts") == [("50129",)]
    assert rows(
        database_url, "SELECT population FROM analytics.departement_population WHERE dep = '50'"
    ) == [(shipped,)]
