"""The "not given" table agrees with the code lists and the layouts it speaks of."""

from __future__ import annotations

from road_accidents_database_ingestion.codes import variables_by_column
from road_accidents_database_ingestion.not_given import ANY, NOT_GIVEN, markers
from road_accidents_database_ingestion.readers.layouts import BAAC_COLUMNS, SPECS
from road_accidents_database_ingestion.tables import BY_BAAC_NAME

HARMONISED_NAME = {baac: harmonised for harmonised, baac in BAAC_COLUMNS.items()}


def test_every_entry_names_a_column_of_its_layout():
    for entry in NOT_GIVEN:
        if entry.column == ANY:
            continue
        specs = [s for s in SPECS if s.table == entry.table and entry.layout in (ANY, s.layout)]
        assert specs, entry
        for spec in specs:
            assert entry.column in spec.required + spec.optional, (entry, spec.layout)


def test_a_not_given_value_is_never_a_code_of_its_column():
    for entry in NOT_GIVEN:
        if entry.column == ANY or entry.number is None:
            continue
        table = BY_BAAC_NAME[entry.table].name
        column = HARMONISED_NAME.get(entry.column, entry.column)
        coded = variables_by_column().get((table, column))
        assert coded is None or entry.number not in coded.values, entry


def test_old_zero_is_not_given_where_the_code_list_has_no_zero():
    old = next(s for s in SPECS if s.table == "lieux" and s.layout == "2005-2018")
    assert 0 in markers("lieux", old.layout, "circ").numbers
    assert 0 not in markers("lieux", "2019+", "circ").numbers
    assert 0 not in markers("lieux", old.layout, "vosp").numbers  # 0 = "none" is a code
    assert "(1)" in markers("lieux", "2019+", "pr").texts
    assert "" in markers("usagers", "2019+", "secu1").texts
