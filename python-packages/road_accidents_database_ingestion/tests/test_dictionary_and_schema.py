"""One source per fact: the migrated schema, `tables.py`, `codes.py` and the dictionary agree."""

from __future__ import annotations

from pathlib import Path

import psycopg

from green_light_platform.settings import to_libpq_url
from road_accidents_database_ingestion.codes import VARIABLES
from road_accidents_database_ingestion.dictionary import DICTIONARY_PATH, render_dictionary
from road_accidents_database_ingestion.tables import TABLES

REPOSITORY = Path(__file__).resolve().parents[3]


def test_migrated_tables_have_exactly_the_declared_columns(database_url):
    with psycopg.connect(to_libpq_url(database_url)) as conn:
        for table in TABLES:
            rows = conn.execute(
                "SELECT column_name, data_type FROM information_schema.columns"
                " WHERE table_name = %s ORDER BY ordinal_position",
                (table.name,),
            ).fetchall()
            assert rows == [(c.name, c.sql_type) for c in table.columns], table.name


def test_every_coded_variable_is_a_column_of_its_table():
    by_name = {t.name: t for t in TABLES}
    for variable in VARIABLES:
        column = by_name[variable.table].column(variable.column)
        expected = "text" if any(isinstance(c.value, str) for c in variable.codes) else "smallint"
        assert column.sql_type == expected, variable.column
        assert len(variable.values) == len(variable.codes), f"repeated code in {variable.column}"


def test_committed_dictionary_is_generated_from_the_code():
    committed = (REPOSITORY / DICTIONARY_PATH).read_text(encoding="utf-8")
    assert committed == render_dictionary() + "\n", "run `gls dictionary` and commit the result"
