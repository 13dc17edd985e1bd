"""The whole real 2018 `lieux` and `vehicules` files: every row kept, every NULL accounted for.

Expectations are counted here from the raw CSV with the csv module, from how the 2018 files
write "not given" (their README in ../shared): an empty cell, or `0` (`00`, `000`) in the
columns listed below. The reader's rows, its profile and the loaded tables must agree.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from road_accidents_database_ingestion.codes import variable
from road_accidents_database_ingestion.pipeline import ingest
from road_accidents_database_ingestion.readers import read_table

from .ingestion_support import query

FILES = {"lieux": "lieux-2018.csv", "vehicules": "vehicules-2018.csv"}
HARMONISED = {"lieux": "places", "vehicules": "vehicles"}
ZERO_IS_NOT_GIVEN = {
    "lieux": {"catr", "circ", "prof", "plan", "surf", "larrout"},
    "vehicules": {"occutc"},
}
"""Columns where the 2018 files write "not given" (or "not applicable") as 0, 00 or 000."""
README_ZEROS = {("lieux", "circ"): 2778, ("lieux", "plan"): 865, ("lieux", "prof"): 399}
README_ZEROS |= {("lieux", "surf"): 358, ("vehicules", "senc"): 18346}
"""Counts of `0` the README of the 2018 folder gives: a check of this file's own counting."""

OLD_HEADERS = {
    "caracteristiques": "Num_Acc,an,mois,jour,hrmn,lum,agg,int,atm,col,com,adr,gps,lat,long,dep",
    "usagers": "Num_Acc,place,catu,grav,sexe,trajet,secu,locp,actp,etatp,an_nais,num_veh",
}

pytestmark = pytest.mark.usefixtures("real_2018")


def _raw(folder: Path, table: str) -> tuple[list[str], list[list[str]]]:
    with (folder / FILES[table]).open(newline="", encoding="ascii") as handle:
        header, *rows = csv.reader(handle)
    return header, rows


def _not_given(table: str, column: str, cell: str) -> bool:
    if cell == "":
        return True
    return column in ZERO_IS_NOT_GIVEN[table] and cell.isdigit() and int(cell) == 0


def _expected_nulls(folder: Path, table: str) -> dict[str, int]:
    header, rows = _raw(folder, table)
    return {
        name.lower(): sum(_not_given(table, name.lower(), row[i]) for row in rows)
        for i, name in enumerate(header)
    }


def _harmonised(column: str) -> str:
    return {"Num_Acc": "num_acc"}.get(column, column.lower())


@pytest.mark.parametrize("table", FILES)
def test_every_real_row_is_read_and_every_null_is_a_not_given_cell(real_2018, table):
    header, rows = _raw(real_2018, table)
    zeros = Counter(
        (table, name) for row in rows for name, cell in zip(header, row, strict=True) if cell == "0"
    )
    for (zero_table, column), count in README_ZEROS.items():
        if zero_table == table:
            assert zeros[(table, column)] == count, column

    result = read_table(real_2018 / FILES[table], table)
    assert (result.rows_read, result.rows.num_rows) == (len(rows), len(rows))
    assert result.rejects == [] and result.unknowns == []
    expected = _expected_nulls(real_2018, table)
    for column, nulls in expected.items():
        values = result.rows.column(_harmonised(column))
        assert values.null_count == nulls, column
        assert result.profile[column].not_given == nulls, column
        assert result.profile[column].rows == len(rows)


@pytest.mark.parametrize("table", FILES)
def test_every_real_value_is_a_code_or_counted_unknown(real_2018, table):
    header, rows = _raw(real_2018, table)
    result = read_table(real_2018 / FILES[table], table)
    harmonised = HARMONISED[table]
    checked = 0
    for i, name in enumerate(header):
        column = name.lower()
        try:
            coded = variable(harmonised, column)
        except KeyError:
            continue
        cells = [row[i] for row in rows if not _not_given(table, column, row[i])]
        outside = sum(int(cell) not in coded.values for cell in cells)
        assert result.profile[column].unknown == outside, column
        read = result.rows.column(column).drop_null().to_pylist()
        assert len(read) == len(cells) - outside, column
        assert set(read) <= coded.values, column
        assert Counter(read) == Counter(int(c) for c in cells if int(c) in coded.values), column
        checked += 1
    assert checked == {"lieux": 8, "vehicules": 6}[table]


def test_real_old_widths_are_decimetres_read_as_metres(real_2018):
    """2018 writes `lartpc` and `larrout` as whole decimetres (`060` = 6 m), the schema says
    metres: every written width is read as its number of decimetres / 10."""
    header, rows = _raw(real_2018, "lieux")
    result = read_table(real_2018 / FILES["lieux"], "lieux")
    for column in ("lartpc", "larrout"):
        cells = [row[header.index(column)] for row in rows]
        assert all(c == "" or (c.isdigit() and len(c) == 3) for c in cells), column
        expected = [None if _not_given("lieux", column, c) else int(c) / 10 for c in cells]
        read = result.rows.column(column).to_pylist()
        assert read == [pytest.approx(e) if e is not None else None for e in expected], column
    carriageways = sorted(w for w in result.rows.column("larrout").to_pylist() if w is not None)
    assert 4.0 <= carriageways[len(carriageways) // 2] <= 8.0  # a two-lane road: about 6 m


def _accidents_and_persons(folder: Path, real: Path) -> None:
    """Old-layout caracteristiques and usagers written for the real accidents and vehicles:
    one accident per Num_Acc of lieux, one driver per vehicle."""
    _, places = _raw(real, "lieux")
    _, vehicles = _raw(real, "vehicules")
    with (folder / "caracteristiques-2018.csv").open("w", newline="", encoding="cp1252") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            [
                "Num_Acc",
                "an",
                "mois",
                "jour",
                "hrmn",
                "lum",
                "agg",
                "int",
                "atm",
                "col",
                "com",
                "adr",
                "gps",
                "lat",
                "long",
                "dep",
            ]
        )
        for index, (num_acc, *_) in enumerate(places):
            month, day = index % 12 + 1, index % 28 + 1
            writer.writerow([num_acc, 18, month, day, 1730, 1, 2, 1, 1, 3, 56, "", "M", 0, 0, 750])
    with (folder / "usagers-2018.csv").open("w", newline="", encoding="cp1252") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            [
                "Num_Acc",
                "place",
                "catu",
                "grav",
                "sexe",
                "trajet",
                "secu",
                "locp",
                "actp",
                "etatp",
                "an_nais",
                "num_veh",
            ]
        )
        for vehicle in vehicles:
            writer.writerow([vehicle[0], 1, 1, 4, 1, 5, 11, 0, 0, 0, 1980, vehicle[-1]])


def test_a_real_old_layout_year_loads_whole_at_the_default_limits(
    database_url, real_2018, tmp_path
):
    folder = tmp_path / "2018"
    folder.mkdir()
    for name in FILES.values():
        shutil.copyfile(real_2018 / name, folder / name)
    _accidents_and_persons(folder, real_2018)

    [outcome] = ingest(database_url, tmp_path).outcomes
    assert outcome.status == "loaded", outcome.reason
    places, vehicles = (len(_raw(real_2018, t)[1]) for t in FILES)
    assert outcome.rows_loaded == {
        "accidents": places,
        "places": places,
        "vehicles": vehicles,
        "persons": vehicles,
    }
    assert outcome.rows_rejected == 0
    for table, harmonised in HARMONISED.items():
        for column, nulls in _expected_nulls(real_2018, table).items():
            name = _harmonised(column)
            loaded = query(database_url, f"SELECT count(*) FROM {harmonised} WHERE {name} IS NULL")
            assert loaded == [(nulls,)], (table, column)
        profiled = dict(
            query(
                database_url,
                "SELECT p.column_name, p.not_given FROM column_profiles p"
                " JOIN source_files f ON f.id = p.source_file_id WHERE f.table_name = %s",
                table,
            )
        )
        assert profiled == _expected_nulls(real_2018, table)


def test_real_vehicle_letters_past_h01_are_kept_as_written(real_2018):
    header, rows = _raw(real_2018, "vehicules")
    written = Counter(row[header.index("num_veh")] for row in rows)
    vehicles = read_table(real_2018 / FILES["vehicules"], "vehicules").rows
    assert Counter(vehicles.column("num_veh").to_pylist()) == written
    assert any(letter > "H01" for letter in written), "the 2018 file goes past H01"


def test_gls_ingest_profile_shows_the_shares_without_loading(real_2018, clean_environment):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GLS_", "ADMIN_"))}
    env.update(COLUMNS="400", ADMIN_PASSWORD="unused", GLS_ENV_FILE=str(clean_environment / "x"))
    command = [sys.executable, "-m", "green_light_platform.cli", "ingest"]
    done = subprocess.run(
        [*command, "--profile", str(real_2018)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    rows = len(_raw(real_2018, "lieux")[1])
    expected = _expected_nulls(real_2018, "lieux")
    for column in ("circ", "plan", "voie"):
        assert f"{column} {expected[column] / rows:.1%}" in done.stdout, column
    assert f"{rows:,}" in done.stdout
