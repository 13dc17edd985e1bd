"""Every kind of bad input ends with a clear reason, and the tables stay as they were."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from green_light_platform.settings import to_libpq_url
from road_accidents_database_ingestion.pipeline import ingest
from road_accidents_database_ingestion.quality import profile_files
from road_accidents_database_ingestion.readers import read_table

from .ingestion_support import SAMPLE_FILES, counts, query, sample_year

pytestmark = pytest.mark.usefixtures("real_sample")


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def _write(path: Path, lines: list[str]) -> None:
    path.write_text("".join(lines), encoding="utf-8")


def _file(folder: Path, table: str) -> Path:
    return folder / SAMPLE_FILES[table]


def missing_file(folder: Path) -> None:
    _file(folder, "lieux").unlink()


def duplicate_candidate(folder: Path) -> None:
    shutil.copy(_file(folder, "usagers"), folder / "Usagers_2021_v2.csv")


def missing_column(folder: Path) -> None:
    path = _file(folder, "usagers")
    rows = [line.rstrip("\n").split(";") for line in _lines(path)]
    index = rows[0].index('"grav"')
    _write(path, [";".join(r[:index] + r[index + 1 :]) + "\n" for r in rows])


def wrong_separator(folder: Path) -> None:
    path = _file(folder, "vehicules")
    _write(path, [line.replace(";", "|") for line in _lines(path)])


def truncated_line(folder: Path) -> None:
    path = _file(folder, "vehicules")
    lines = _lines(path)
    lines[9] = lines[9][:20] + "\n"
    _write(path, lines)


def undecodable_bytes(folder: Path) -> None:
    path = _file(folder, "lieux")
    lines = path.read_bytes().split(b"\n")
    lines[4] = lines[4][:10] + b"\x81" + lines[4][10:]
    path.write_bytes(b"\n".join(lines))


def duplicate_keys(folder: Path) -> None:
    path = _file(folder, "caracteristiques")
    lines = _lines(path)
    _write(path, [*lines, lines[2]])


def orphan_persons(folder: Path) -> None:
    path = _file(folder, "usagers")
    lines = _lines(path)
    _write(path, [*lines, lines[1].replace("202100000001", "202100099999")])


def orphan_vehicles(folder: Path) -> None:
    path = _file(folder, "vehicules")
    lines = _lines(path)
    _write(path, [*lines, lines[1].replace("202100000001", "202100099998")])


def out_of_domain_code(folder: Path) -> None:
    path = _file(folder, "usagers")
    lines = _lines(path)
    lines[1] = lines[1].replace('"B01";"1";"1";"3"', '"B01";"1";"1";"7"', 1)
    _write(path, lines)


def empty_file(folder: Path) -> None:
    _file(folder, "lieux").write_bytes(b"")


def header_only(folder: Path) -> None:
    path = _file(folder, "vehicules")
    _write(path, _lines(path)[:1])


def year_mismatch(folder: Path) -> None:
    folder.rename(folder.with_name("2020"))


CASES: list[tuple[Callable[[Path], None], list[str]]] = [
    (missing_file, ["2021", "no file for table(s) lieux"]),
    (duplicate_candidate, ["two or more candidates for table usagers", "Usagers_2021_v2.csv"]),
    (missing_column, ["usagers-2021.csv", "missing column(s) grav"]),
    (wrong_separator, ["vehicules-2021.csv", "line 1", "cannot find the column separator"]),
    (truncated_line, ["vehicules-2021.csv", "line 10", "fields, the header has 11"]),
    (undecodable_bytes, ["lieux-2021.csv", "line 5", "column 11", "undecodable bytes", "0x81"]),
    (duplicate_keys, ["caracteristiques-2021.csv", "duplicate Num_Acc 202100000002", "line 3"]),
    (orphan_persons, ["usagers-2021.csv", "accident 202100099999 is not an accepted"]),
    (orphan_vehicles, ["vehicules-2021.csv", "accident 202100099998 is not an accepted"]),
    (
        out_of_domain_code,
        ["usagers-2021.csv", "column grav: 1 of 907 values unknown", "line 2: grav: '7'"],
    ),
    (empty_file, ["lieux-2021.csv", "empty file"]),
    (header_only, ["vehicules-2021.csv", "no data rows (header only)"]),
    (year_mismatch, ["does not start with the folder year 2020", "line 2"]),
]


@pytest.mark.reliability(
    kind="bad input",
    case="a real 2021 sample broken one way (the test's id): missing or duplicated file, missing"
    " column, wrong separator, truncated line, undecodable bytes, duplicate keys, orphans,"
    " unknown code, empty or header-only file, year mismatch",
    expect="the year fails with a reason naming the file and the line, column and value; the"
    " loaded year stays as it was",
)
@pytest.mark.parametrize(("breaker", "expected"), CASES, ids=[c[0].__name__ for c in CASES])
def test_bad_input_fails_with_a_clear_reason_and_changes_nothing(
    database_url, tmp_path, breaker, expected
):
    good = tmp_path / "good"
    sample_year(good)
    assert ingest(database_url, good).ok
    before = counts(database_url)
    snapshot = query(database_url, "SELECT num_acc, grav, seq FROM persons ORDER BY 1, 3")

    bad = tmp_path / "bad"
    breaker(sample_year(bad))
    report = ingest(database_url, bad, max_reject_share=0.0, max_unknown_share=0.0)

    [outcome] = report.outcomes
    assert outcome.status == "failed"
    for fragment in expected:
        assert fragment in outcome.reason
    assert counts(database_url) == before
    assert query(database_url, "SELECT num_acc, grav, seq FROM persons ORDER BY 1, 3") == snapshot
    year = 2020 if breaker is year_mismatch else 2021
    assert query(
        database_url, "SELECT status, reason FROM ingested_years WHERE year = %s", year
    ) == [("failed", outcome.reason)]


def test_an_unknown_code_costs_the_value_not_the_row(database_url, tmp_path):
    folder = sample_year(tmp_path)
    out_of_domain_code(folder)
    [outcome] = ingest(database_url, tmp_path, max_reject_share=0.0).outcomes
    assert outcome.status == "loaded", outcome.reason
    assert (outcome.rows_rejected, outcome.unknown_values) == (0, 1)
    assert counts(database_url)["persons"] == 907
    assert query(
        database_url,
        "SELECT grav FROM persons WHERE num_acc = 202100000001 AND seq = 1",
    ) == [(None,)]
    assert query(
        database_url,
        "SELECT f.table_name, u.line, u.column_name, u.raw_value FROM unknown_values u"
        " JOIN source_files f ON f.id = u.source_file_id",
    ) == [("usagers", 2, "grav", "7")]
    assert query(
        database_url,
        "SELECT p.rows, p.unknown FROM column_profiles p JOIN source_files f"
        " ON f.id = p.source_file_id WHERE f.table_name = 'usagers' AND p.column_name = 'grav'",
    ) == [(907, 1)]
    assert query(database_url, "SELECT count(*) FROM rejects") == [(0,)]


def test_rows_left_out_below_the_limit_load_the_rest_and_are_recorded(database_url, tmp_path):
    folder = sample_year(tmp_path)
    orphan_persons(folder)
    [outcome] = ingest(database_url, tmp_path, max_reject_share=0.05).outcomes
    assert outcome.status == "loaded"
    assert outcome.rows_rejected == 1
    assert counts(database_url)["persons"] == 907
    assert query(
        database_url,
        "SELECT f.table_name, r.line, r.column_name, r.value, r.rule FROM rejects r"
        " JOIN source_files f ON f.id = r.source_file_id",
    ) == [("usagers", 909, "num_acc", "202100099999", "orphan")]


def test_a_failed_year_does_not_stop_the_others(database_url, tmp_path):
    sample_year(tmp_path, "2021")
    broken = sample_year(tmp_path, "2020")
    assert broken.name == "2020"
    report = ingest(database_url, tmp_path)
    assert {o.year: o.status for o in report.outcomes} == {2020: "failed", 2021: "loaded"}
    assert not report.ok
    assert counts(database_url)["accidents"] == 382


@pytest.mark.reliability(
    kind="bad input",
    case="a number too big for its PostgreSQL column (a `vma` of 70000 km/h in a real 2021 sample)",
    expect="the year loads whole: the value becomes NULL and is kept in unknown_values with its"
    " line; COPY never fails on it",
)
def test_a_number_too_big_for_its_column_costs_the_value_not_the_year(database_url, tmp_path):
    folder = sample_year(tmp_path)
    places = _file(folder, "lieux")
    lines = _lines(places)
    lines[1] = lines[1].replace(';"80"\n', ';"70000"\n')
    _write(places, lines)
    [outcome] = ingest(database_url, tmp_path).outcomes
    assert outcome.status == "loaded", outcome.reason
    assert (outcome.rows_rejected, outcome.unknown_values) == (0, 1)
    assert query(database_url, "SELECT vma FROM places WHERE num_acc = 202100000001") == [(None,)]
    assert query(database_url, "SELECT line, column_name, raw_value FROM unknown_values") == [
        (2, "vma", "70000")
    ]


def test_a_byte_cp1252_leaves_undefined_costs_its_cell_in_an_old_file(tmp_path):
    """0x81, 0x8D, 0x8F, 0x90 and 0x9D have no cp1252 letter: read as latin-1's controls."""
    header = "Num_Acc,an,mois,jour,hrmn,lum,agg,int,atm,col,com,adr,gps,lat,long,dep\n"
    row = "201600000001,16,1,1,1200,1,1,1,1,1,109,route de l'\xc9glise,M,0,0,440\n"
    path = tmp_path / "caracteristiques_2016.csv"
    path.write_bytes((header + row).encode("cp1252").replace(b"route", b"\x9droute"))
    result = read_table(path, "caracteristiques")
    assert result.encoding == "cp1252"
    assert result.rejects == []
    assert result.rows.column("adr").to_pylist() == ["\x9droute de l'\xc9glise"]


@pytest.mark.reliability(
    kind="bad input",
    case="a NUL byte inside an address of a real 2021 sample (no PostgreSQL text can hold one)",
    expect="that accident is rejected with its line and column (its vehicles, places and persons"
    " as orphans); the rest of the year loads; COPY never fails on it",
)
def test_a_nul_byte_costs_its_row_not_the_year(database_url, tmp_path):
    folder = sample_year(tmp_path)
    accidents = _file(folder, "caracteristiques")
    accidents.write_bytes(accidents.read_bytes().replace(b'"CD 981"', b'"CD\x00981"', 1))
    [outcome] = ingest(database_url, tmp_path, max_reject_share=0.05).outcomes
    assert outcome.status == "loaded", outcome.reason
    assert counts(database_url)["accidents"] == 381
    assert query(
        database_url,
        "SELECT r.line, r.column_name, r.value, r.rule FROM rejects r"
        " JOIN source_files f ON f.id = r.source_file_id WHERE f.table_name = 'caracteristiques'",
    ) == [(2, "adr", "CD\\x00981", "nul_byte")]


@pytest.mark.reliability(
    kind="bad input",
    case="a value the readers accept but PostgreSQL refuses (here: `voie` narrowed to"
    " varchar(3) in the database, as a schema drift would)",
    expect="that year fails with the server's words and the file named, nothing of it is"
    " loaded, and the run goes on to the next year instead of stopping with a traceback",
)
def test_a_value_the_database_refuses_fails_the_year_not_the_run(database_url, tmp_path):
    sample_year(tmp_path, "2021")
    with psycopg.connect(to_libpq_url(database_url), autocommit=True) as conn:
        conn.execute("ALTER TABLE places ALTER COLUMN voie TYPE varchar(3)")
    report = ingest(database_url, tmp_path)
    [outcome] = report.outcomes
    assert outcome.status == "failed"
    assert "lieux-2021.csv: the database refused a value" in outcome.reason
    assert "too long" in outcome.reason
    assert counts(database_url) == dict.fromkeys(("accidents", "places", "vehicles", "persons"), 0)
    assert query(database_url, "SELECT status FROM ingested_years WHERE year = 2021") == [
        ("failed",)
    ]


def test_the_profile_alone_shows_what_ingestion_would_reject_and_fail(tmp_path):
    """`gls ingest --profile` checks a whole year as ingestion does, without a database."""
    folder = sample_year(tmp_path)
    orphan_persons(folder)
    lenient = {p.table: p for p in profile_files(tmp_path)}
    assert lenient["usagers"].rejected == 1
    assert lenient["usagers"].problem is None
    strict = {p.table: p for p in profile_files(tmp_path, limits=(0.0, 0.0))}
    assert strict["usagers"].problem.startswith("would fail: ")
    assert "202100099999" in strict["usagers"].problem
    assert strict["caracteristiques"].problem is None
