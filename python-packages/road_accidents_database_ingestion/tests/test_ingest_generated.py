"""Generated years of both layouts round-trip through the readers; broken ones fail clearly."""

from __future__ import annotations

import pytest

from baac_demo_data import generate_demo_data, write_broken_variant
from baac_demo_data.broken import BROKEN_KINDS
from road_accidents_database_ingestion.discovery import find_table_files
from road_accidents_database_ingestion.pipeline import ingest
from road_accidents_database_ingestion.readers import read_table

from .ingestion_support import counts, query

# One year of each naming, encoding and separator variant of the official files.
VINTAGES = [2005, 2009, 2012, 2016, 2017, 2018, 2019, 2021, 2022, 2023]
HARMONISED = {
    "caracteristiques": "accidents",
    "lieux": "places",
    "vehicules": "vehicles",
    "usagers": "persons",
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    return generate_demo_data(out, VINTAGES, scale=0.004, seed=11)


def test_every_vintage_reads_without_a_single_reject(generated):
    for year in generated.years:
        for table, path in find_table_files(year.folder).items():
            result = read_table(path, table)
            assert result.rejects == [], (path, result.rejects[:3])
            assert result.unknowns == [], (path, result.unknowns[:3])
            assert result.rows.num_rows == year.rows(table)
            expected = "2019+" if year.year >= 2019 else "2005-2018"
            assert result.layout == expected, path


def test_both_layouts_load_every_row(database_url, generated):
    report = ingest(database_url, generated.out_dir, max_reject_share=0.0)
    assert report.ok, [o.reason for o in report.outcomes if o.reason]
    for year in generated.years:
        for table, name in HARMONISED.items():
            loaded = query(database_url, f"SELECT count(*) FROM {name} WHERE year = %s", year.year)
            assert loaded == [(year.rows(table),)], (year.year, name)
    assert query(database_url, "SELECT count(*) FROM rejects") == [(0,)]
    layouts = query(database_url, "SELECT DISTINCT layout FROM source_files ORDER BY 1")
    assert layouts == [("2005-2018",), ("2019+",)]


def test_harmonised_values_are_consistent_across_layouts(database_url, generated):
    ingest(database_url, generated.out_dir)
    per_layout = query(
        database_url,
        """
        SELECT a.year >= 2019 AS new_layout,
               count(*) FILTER (WHERE a.com_current IS NULL) AS unresolved,
               count(*) FILTER (WHERE a.lat IS NOT NULL) > 0 AS has_coordinates,
               avg((p.secu1 IS NOT NULL)::int) > 0.5 AS equipment_known,
               bool_and(a.dep ~ '^([0-9]{2}|2[AB]|97[0-9]|98[0-9])$') AS departements_valid,
               bool_and(left(a.com, 2) = left(a.dep, 2)) AS communes_in_departement
        FROM accidents a JOIN persons p USING (num_acc)
        WHERE p.catu = 1
        GROUP BY 1 ORDER BY 1
        """,
    )
    assert per_layout == [(False, 0, True, True, True, True), (True, 0, True, True, True, True)]


@pytest.mark.parametrize("kind", BROKEN_KINDS)
def test_each_broken_variant_fails_with_file_and_line_and_leaves_tables(
    database_url, generated, tmp_path, kind
):
    year = next(y for y in generated.years if y.year == 2021)
    broken = write_broken_variant(year.folder, tmp_path / "2021", kind, seed=3)
    [outcome] = ingest(database_url, tmp_path, max_reject_share=0.0, max_unknown_share=0.0).outcomes
    assert outcome.status == "failed"
    if kind == "missing_file":
        assert "no file for table(s)" in outcome.reason
    else:
        assert broken.file.name in outcome.reason
    if broken.line is not None and kind not in (
        "missing_column",
        "duplicate_candidate",
        "header_only",
    ):
        assert f"line {broken.line}" in outcome.reason, (kind, broken, outcome.reason)
    assert counts(database_url) == {"accidents": 0, "places": 0, "vehicles": 0, "persons": 0}
