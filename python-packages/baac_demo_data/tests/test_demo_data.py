"""Demo BAAC data: every vintage's layout, national figures, consistency, gravity, broken copies."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from baac_demo_data import generate_demo_data, write_broken_variant
from baac_demo_data.broken import BROKEN_KINDS, UNDECODABLE, BrokenReport
from baac_demo_data.cli import register
from baac_demo_data.figures import NATIONAL_ACCIDENTS, accident_count
from baac_demo_data.generator import YearRecords, generate_year
from baac_demo_data.layouts import TABLES, file_format, file_name
from road_accidents_database_ingestion.codes import variable, variables_by_column
from road_accidents_database_ingestion.discovery import parse_years
from road_accidents_database_ingestion.not_given import OLD, markers
from road_accidents_database_ingestion.reference import load_communes, load_former_codes

TABLE = {"places": "lieux", "vehicles": "vehicules"}
SCALE = 0.01
YEARS = (2005, 2009, 2012, 2016, 2021, 2022, 2023)
NBSP = "\u00a0"
QUOTED_LINE = re.compile(r'^"(?:[^"]|"")*"(?:;"(?:[^"]|"")*")*$')


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    generate_demo_data(out, YEARS, scale=SCALE, seed=42)
    return out


def _path(demo: Path, year: int, table: str) -> Path:
    return demo / str(year) / file_name(year, table)


def _rows(path: Path, year: int, table: str) -> tuple[list[str], list[list[str]]]:
    fmt = file_format(year, table)
    text = path.read_bytes().decode(fmt.encoding)
    header, *rows = csv.reader(io.StringIO(text, newline=""), delimiter=fmt.separator)
    return header, rows


def _frame(demo: Path, year: int, table: str) -> pd.DataFrame:
    header, rows = _rows(_path(demo, year, table), year, table)
    return pd.DataFrame(rows, columns=header, dtype=str)


# --- determinism ---------------------------------------------------------------------------
def _folder_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_same_seed_gives_identical_bytes_and_another_seed_differs(demo: Path, tmp_path: Path):
    generate_demo_data(tmp_path / "a", [2021, 2016], scale=SCALE, seed=42)
    generate_demo_data(tmp_path / "b", [2016], scale=SCALE, seed=43)
    for year in (2016, 2021):
        # A year alone is the same as within a longer history.
        assert _folder_bytes(tmp_path / "a" / str(year)) == _folder_bytes(demo / str(year))
    other = _folder_bytes(tmp_path / "b" / "2016")
    assert set(other) == set(_folder_bytes(demo / "2016"))
    assert all(other[name] != content for name, content in _folder_bytes(demo / "2016").items())


# --- names, encodings, separators, quoting -------------------------------------------------
def test_file_names_follow_each_vintage(demo: Path):
    assert sorted(p.name for p in (demo / "2016").iterdir()) == [
        "caracteristiques_2016.csv", "lieux_2016.csv", "usagers_2016.csv", "vehicules_2016.csv",
    ]  # fmt: skip
    assert file_name(2017, "caracteristiques") == "caracteristiques-2017.csv"
    assert file_name(2020, "caracteristiques") == "caracteristiques-2020.csv"
    assert (demo / "2021" / "carcteristiques-2021.csv").is_file()
    assert (demo / "2022" / "carcteristiques-2022.csv").is_file()
    assert (demo / "2023" / "caract-2023.csv").is_file()
    assert (demo / "2023" / "usagers-2023.csv").is_file()
    assert file_name(2025, "caracteristiques") == "caract-2025.csv"
    assert accident_count(2025, 1.0) == 55_000


def test_old_layout_is_cp1252_comma_separated_minimally_quoted(demo: Path):
    header = _path(demo, 2009, "caracteristiques").read_bytes().split(b"\n", 1)[0]
    assert header == b"\t".join(
        b"Num_Acc an mois jour hrmn lum agg int atm col com adr gps lat long dep".split()
    )
    assert _path(demo, 2009, "lieux").read_bytes().startswith(b"Num_Acc,catr,voie,v1,v2,")
    raw = _path(demo, 2016, "caracteristiques").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "’" in raw.decode("cp1252") or "é" in raw.decode("cp1252")
    for year in (2009, 2016):
        for table in TABLES:
            path = _path(demo, year, table)
            header_row, rows = _rows(path, year, table)
            buffer = io.StringIO(newline="")
            csv.writer(
                buffer, delimiter=file_format(year, table).separator, lineterminator="\n"
            ).writerows([header_row, *rows])
            assert buffer.getvalue().encode("cp1252") == path.read_bytes(), path.name
    lines = _path(demo, 2016, "caracteristiques").read_bytes().decode("cp1252").splitlines()
    assert any(re.search(r',"\d+, [^"]*",', line) for line in lines), "no quoted address"


def test_old_layout_codes_dates_places_and_quirks(demo: Path):
    accidents = _frame(demo, 2009, "caracteristiques")
    assert set(accidents["an"]) == {"9"}
    assert not accidents["hrmn"].str.contains(":").any()
    assert (accidents["hrmn"].astype(int) < 2400).all()
    assert accidents["hrmn"].str.match(r"^[1-9]\d*$|^0$").all()
    assert accidents["dep"].str.match(r"^(\d{2}0|201|202|97[1-6])$").all()
    assert accidents["com"].str.match(r"^\d{3}$").all()
    assert accidents["lat"].str.match(r"^(-?\d+)?$").all()
    assert set(accidents["gps"]) <= {"M", "A", "G", "R", "Y", ""}
    dep = accidents["dep"].map(
        lambda d: {"201": "2A", "202": "2B"}.get(d, d if d.startswith("97") else d[:2])
    )
    insee = dep.str[:2] + accidents["com"]
    known = set(load_communes()["code"]) | set(load_former_codes()["former_code"])
    assert insee.isin(known).all()

    unpadded = _frame(demo, 2016, "caracteristiques")["com"]
    assert (unpadded.str.len() < 3).any() and not unpadded.str.startswith("0").any()
    assert _frame(demo, 2016, "lieux")["nbv"].str.match(r"^(\d+\.0)?$").all()
    assert _frame(demo, 2012, "usagers")["an_nais"].str.match(r"^(\d{4}\.0)?$").all()
    assert _frame(demo, 2021, "usagers")["an_nais"].str.match(r"^(\d{4})?$").all()

    persons = _frame(demo, 2009, "usagers")
    secu = persons["secu"]
    assert secu.str.match(r"^([12349][123])?$").all()
    assert (secu == "").any() and (secu.str[1] == "2").any()
    assert {"secu1", "id_vehicule"}.isdisjoint(persons.columns)
    assert "vma" not in _frame(demo, 2009, "lieux").columns
    assert "4" in set(_frame(demo, 2005, "vehicules")["catv"])  # pre-2007 categories


def test_old_files_leave_values_out_and_pad_codes_as_the_real_2018_files(tmp_path: Path):
    generate_demo_data(tmp_path, [2018], scale=0.1, seed=5)
    places, vehicles = (_frame(tmp_path, 2018, t) for t in ("lieux", "vehicules"))
    circ = places["circ"].value_counts(normalize=True)
    assert 0.03 < circ["0"] < 0.07 and 0.002 < circ[""] < 0.02  # 2018: 4.8% and 0.7%
    assert (places["larrout"] == "000").mean() > 0.05
    for frame, table in ((places, "places"), (vehicles, "vehicles")):
        for column in frame.columns:
            coded = variables_by_column().get((table, column))
            if coded is None or 0 in coded.values:
                continue
            zeros = frame[column].str.fullmatch("0+")
            allowed = 0 in markers(TABLE[table], OLD, column).numbers
            assert not zeros.any() or allowed, column
    for column, width in (("catv", 2), ("obs", 2), ("manv", 2), ("occutc", 3)):
        written = vehicles[column][vehicles[column] != ""]
        assert (written.str.len() == width).all(), column
    assert (places["nbv"][places["nbv"] != ""].str.len() == 2).all()
    letters = set(vehicles["num_veh"])
    assert "Z01" in letters and letters - {f"{c}01" for c in "ABCDEFGHZ"}, "letters past H01"
    assert not vehicles.duplicated(["Num_Acc", "num_veh"]).any()


def test_new_layout_quoting_encoding_and_markers(demo: Path):
    for year in (2021, 2022, 2023):
        for table in TABLES:
            raw = _path(demo, year, table).read_bytes()
            assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw
            assert raw.endswith(b"\n")
            lines = raw.decode("utf-8").split("\n")[:-1]
            assert all(QUOTED_LINE.match(line) for line in lines), (year, table)
            assert '";"-1"' not in raw.decode("utf-8")
    accidents = _frame(demo, 2021, "caracteristiques")
    assert list(accidents.columns)[:4] == ["Num_Acc", "jour", "mois", "an"]
    assert accidents["mois"].str.match(r"^(0[1-9]|1[0-2])$").all()
    assert accidents["jour"].str.match(r"^[1-9]\d?$").all()
    assert accidents["hrmn"].str.match(r"^\d{2}:\d{2}$").all()
    assert accidents["dep"].str.match(r"^(\d{2}|2A|2B|97\d|98\d)$").all()
    assert accidents["com"].str.len().eq(5).all()
    for column in ("lat", "long"):
        assert accidents[column].str.match(r"^( -)?\d+,\d{10}$").all()
    assert accidents["long"].str.startswith(" -").any()
    assert (accidents == " -1").any(axis=None)
    assert _frame(demo, 2022, "caracteristiques").columns[0] == "Accident_Id"

    places = _frame(demo, 2021, "lieux")
    assert places["vma"].str.match(r"^(\d+| -1)$").all() and (places["vma"] == " -1").any()
    assert (places["pr"] == "(1)").any() and (places["v2"] == "N/A").any()
    assert (places["lartpc"] == "").all()
    assert places["larrout"].str.match(r"^( -1|\d+(,5)?)$").all()

    assert "id_usager" not in _frame(demo, 2021, "usagers").columns
    persons = _frame(demo, 2022, "usagers")
    assert list(persons.columns[:3]) == ["Num_Acc", "id_usager", "id_vehicule"]
    assert persons["id_usager"].str.match(rf"^\d{{1,3}}({NBSP}\d{{3}})+$").all()
    assert persons["id_usager"].is_unique
    vehicles = _frame(demo, 2022, "vehicules")
    assert vehicles["id_vehicule"].str.match(rf"^\d{{1,3}}({NBSP}\d{{3}})+$").all()
    assert set(persons["id_vehicule"]) <= set(vehicles["id_vehicule"])
    assert set(vehicles["num_veh"]) <= {f"{letter}01" for letter in "ABCDEFZ"}


# --- consistency and codes ------------------------------------------------------------------
@pytest.mark.parametrize("year", [2009, 2022])
def test_keys_are_unique_and_every_row_has_its_parent(demo: Path, year: int):
    accidents = _frame(demo, year, "caracteristiques").iloc[:, 0]
    places = _frame(demo, year, "lieux")
    vehicles = _frame(demo, year, "vehicules")
    persons = _frame(demo, year, "usagers")
    assert accidents.is_unique
    assert accidents.str.match(rf"^{year}\d{{8}}$").all()
    assert (accidents.astype(int).diff().iloc[1:] == 1).all()
    assert set(places["Num_Acc"]) == set(accidents)
    assert places["Num_Acc"].value_counts().max() <= 2
    key = ["Num_Acc", "num_veh", *(["id_vehicule"] if year >= 2019 else [])]
    assert not vehicles.duplicated(key).any()
    assert set(vehicles["Num_Acc"]) == set(accidents)
    vehicle_keys = set(map(tuple, vehicles[key].to_numpy()))
    person_keys = set(map(tuple, persons[key].to_numpy()))
    assert person_keys == vehicle_keys


def _records(year: int, scale: float = SCALE) -> YearRecords:
    return generate_year(year, scale, seed=42)


@pytest.mark.parametrize("year", [2005, 2016, 2021])
def test_every_code_is_in_the_code_list(year: int):
    records = _records(year)
    frames = {
        "accidents": records.accidents,
        "places": records.places,
        "vehicles": records.vehicles,
        "persons": records.persons,
    }
    for (table, column), coded in variables_by_column().items():
        values = frames[table][column].dropna()
        values = values[values.astype(str) != "-1"]
        assert set(values) <= coded.values, (table, column, set(values) - coded.values)
    if year < 2019:
        assert 7 not in set(records.places["catr"])
        assert not set(records.persons["actp"]) & {"A", "B"}
        assert 4 in set(_records(year, 0.05).persons["catu"])
    else:
        assert 4 not in set(records.persons["catu"])


def test_former_commune_codes_before_2016_only():
    former = set(load_former_codes()["former_code"])
    assert _records(2010, 0.05).accidents["com"].isin(former).sum() > 0
    assert not _records(2019, 0.05).accidents["com"].isin(former).any()


# --- national figures and gravity -------------------------------------------------------------
def _ksi(records: YearRecords) -> pd.Series:
    persons = records.persons
    return persons.assign(ksi=persons["grav"].isin((2, 3))).groupby("num_acc")["ksi"].any()


@pytest.mark.parametrize("year", [2006, 2020])
def test_national_figures_at_small_scale(year: int):
    records = _records(year, 0.02)
    accidents = len(records.accidents)
    assert accidents == round(NATIONAL_ACCIDENTS[year] * 0.02)
    assert 1.6 < len(records.vehicles) / accidents < 1.8
    assert 2.05 < len(records.persons) / accidents < 2.45
    walkers = records.persons.loc[records.persons["catu"].isin((3, 4)), "num_acc"].nunique()
    assert 0.09 < walkers / accidents < 0.17
    assert 0.30 < _ksi(records).mean() < 0.44
    killed = records.persons.assign(k=records.persons["grav"].eq(2)).groupby("num_acc")["k"].any()
    assert 0.04 < killed.mean() < 0.08
    assert (
        records.persons.groupby("num_acc")["grav"].apply(lambda g: g.isin((2, 3, 4)).any())
    ).all()
    months = records.accidents["month"].value_counts()
    assert months[[6, 7]].min() > months[[1, 2]].max()
    assert records.accidents["hour"].isin((17, 18)).mean() > 2 * 2 / 24


def test_gravity_follows_the_known_risk_factors():
    records = _records(2019, 0.1)
    accidents = records.accidents.set_index("num_acc")
    accidents["ksi"] = _ksi(records)
    first_place = records.places[records.places["seq"] == 1].set_index("num_acc")
    accidents["catr"] = first_place["catr"]
    by_agg = accidents.groupby("agg")["ksi"].mean()
    assert by_agg[1] > by_agg[2] + 0.1
    by_light = accidents.groupby("lum")["ksi"].mean()
    assert by_light[3] > by_light[1] + 0.1
    by_collision = accidents.groupby("col")["ksi"].mean()
    assert by_collision[1] > by_collision[2] + 0.1
    assert (
        accidents.loc[accidents["catr"] == 3, "ksi"].mean()
        > accidents.loc[accidents["catr"] == 4, "ksi"].mean()
    )

    persons = records.persons.merge(
        records.vehicles[["num_acc", "num_veh", "catv"]], on=["num_acc", "num_veh"]
    )
    persons["ksi"] = persons["grav"].isin((2, 3))
    drivers = persons[persons["catu"] == 1]
    two_wheelers = drivers["catv"].isin((2, 30, 31, 32, 33, 34))
    assert (
        drivers.loc[two_wheelers, "ksi"].mean()
        > 2 * drivers.loc[drivers["catv"] == 7, "ksi"].mean()
    )
    belted = drivers["secu_kind"].eq(1)
    assert (
        drivers.loc[belted & drivers["secu_use"].eq(2), "ksi"].mean()
        > drivers.loc[belted & drivers["secu_use"].eq(1), "ksi"].mean() + 0.1
    )
    elderly = (2019 - persons["an_nais"] >= 75) & (persons["an_nais"] > 0)
    assert persons.loc[elderly, "ksi"].mean() > persons.loc[~elderly, "ksi"].mean() + 0.05
    pedestrians = persons["catu"] == 3
    assert persons.loc[pedestrians, "ksi"].mean() > persons.loc[persons["catu"] == 1, "ksi"].mean()


def test_ksi_share_decreases_over_the_years():
    assert _ksi(_records(2005, 0.05)).mean() > _ksi(_records(2023, 0.05)).mean() + 0.02


# --- broken variants ---------------------------------------------------------------------------
def _assert_broken(report: BrokenReport, year: int, original: Path) -> None:
    fmt_of = {file_format(year, t).name: t for t in TABLES}
    kind = report.kind
    if kind == "missing_file":
        assert not report.file.exists()
        return
    if kind == "duplicate_candidate":
        names = [p.name.lower() for p in report.file.parent.iterdir()]
        assert len(names) == 5 and sum(n.startswith("car") for n in names) == 2
        return
    raw = report.file.read_bytes()
    if kind == "empty_file":
        assert raw == b""
        return
    table = fmt_of[report.file.name]
    fmt = file_format(year, table)
    if kind == "undecodable_bytes":
        for encoding in ("utf-8", "cp1252"):
            with pytest.raises(UnicodeDecodeError):
                raw.decode(encoding)
        assert raw.split(b"\n")[report.line - 1].count(UNDECODABLE) == 1
        return
    if kind == "wrong_separator":
        header = raw.split(b"\n", 1)[0].decode(fmt.encoding)
        assert fmt.separator not in header and report.value in header
        return
    header, rows = _rows(report.file, year, table)
    if kind == "header_only":
        assert rows == [] and header
        return
    if kind == "missing_column":
        assert report.column not in header and len(header) == len(fmt.columns) - 1
        return
    row = rows[report.line - 2]
    if kind == "truncated_line":
        assert len(row) < len(header) and header[len(row)] == report.column
    elif kind == "duplicate_keys":
        assert [r[0] for r in rows].count(row[0]) == 2 and report.column == header[0]
    elif kind == "out_of_domain_code":
        assert row[header.index("lum")] == "8"
        assert 8 not in variable("accidents", "lum").values
    elif kind == "year_mismatch":
        for line in report.lines:
            assert rows[line - 2][header.index("an")] not in (str(year), str(year - 2000))
    elif kind == "orphan_persons":
        _, vehicles = _rows(
            report.file.parent / file_format(year, "vehicules").name, year, "vehicules"
        )
        vehicle_header = file_format(year, "vehicules").columns
        at = vehicle_header.index("num_veh")
        assert (row[0], row[header.index("num_veh")]) not in {(v[0], v[at]) for v in vehicles}
    elif kind == "orphan_vehicles":
        _, accidents = _rows(
            report.file.parent / file_format(year, "caracteristiques").name,
            year,
            "caracteristiques",
        )
        assert row[0] not in {a[0] for a in accidents}
    else:
        pytest.fail(f"no check for {kind}")
    assert raw != (original / report.file.name).read_bytes()


@pytest.mark.parametrize("year", [2009, 2022])
@pytest.mark.parametrize("kind", BROKEN_KINDS)
def test_each_broken_variant_is_broken_where_it_says(
    demo: Path, tmp_path: Path, year: int, kind: str
):
    original = demo / str(year)
    report = write_broken_variant(original, tmp_path / str(year), kind, seed=3)
    assert report.kind == kind and report.file.parent == tmp_path / str(year)
    _assert_broken(report, year, original)
    untouched = [
        p
        for p in original.iterdir()
        if p.name != report.file.name and (tmp_path / str(year) / p.name).exists()
    ]
    for path in untouched:
        assert (tmp_path / str(year) / path.name).read_bytes() == path.read_bytes()


def test_broken_variant_refuses_a_non_empty_target(demo: Path, tmp_path: Path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError):
        write_broken_variant(demo / "2021", tmp_path / "x", "empty_file")


# --- command line ---------------------------------------------------------------------------------
def test_parse_years():
    assert parse_years("2005-2007") == [2005, 2006, 2007]
    assert parse_years("2021, 2019,2019-2020") == [2019, 2020, 2021]
    for bad in ("2007-2005", "2004", "twenty", "2019-"):
        with pytest.raises(ValueError, match=re.escape(bad.split(",")[0])):
            parse_years(bad)


def test_demo_data_command_writes_years_and_prints_a_summary(tmp_path: Path):
    app = typer.Typer()

    @app.callback()
    def root() -> None:
        """A group, so that `demo-data` is a sub-command as under `gls`."""

    register(app)
    result = CliRunner().invoke(
        app, ["demo-data", str(tmp_path), "--years", "2018,2021-2022", "--scale", "0.002"]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2018", "2021", "2022"]
    lines = result.output.splitlines()
    accidents = f" {round(NATIONAL_ACCIDENTS[2018] * 0.002):,} "
    assert any("caracteristiques-2018.csv" in line and accidents in line for line in lines)
    assert any("carcteristiques-2021.csv" in line for line in lines)
    assert any("total" in line for line in lines)
    failed = CliRunner().invoke(app, ["demo-data", str(tmp_path), "--years", "2019-2017"])
    assert failed.exit_code == 2 and "--years" in failed.output
