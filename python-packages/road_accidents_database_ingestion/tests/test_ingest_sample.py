"""Ingesting the real 2021 rows: everything accounted for, idempotent, replaceable, serialised."""

from __future__ import annotations

import csv
import hashlib
import os
import subprocess
import sys
import threading

import psycopg
import pytest

from green_light_platform.settings import to_libpq_url
from road_accidents_database_ingestion import registry
from road_accidents_database_ingestion.discovery import YearFolder
from road_accidents_database_ingestion.loader import refresh_current_communes
from road_accidents_database_ingestion.pipeline import ingest, ingest_year

from .ingestion_support import SAMPLE_FILES, counts, data_lines, query, sample_year

pytestmark = pytest.mark.usefixtures("real_sample")


def test_every_real_row_is_loaded_or_rejected_with_a_reason(database_url, tmp_path):
    folder = sample_year(tmp_path)
    report = ingest(database_url, tmp_path)
    [outcome] = report.outcomes
    assert outcome.status == "loaded", outcome.reason

    loaded = counts(database_url)
    rejected = dict(
        query(
            database_url,
            "SELECT f.table_name, count(r.id) FROM source_files f"
            " LEFT JOIN rejects r ON r.source_file_id = f.id GROUP BY 1",
        )
    )
    for table, baac in zip(
        ("accidents", "places", "vehicles", "persons"), SAMPLE_FILES, strict=True
    ):
        assert loaded[table] + rejected[baac] == data_lines(folder / SAMPLE_FILES[baac])
    assert loaded == {"accidents": 382, "places": 382, "vehicles": 646, "persons": 907}


def test_registry_records_checksums_layout_and_rows(database_url, tmp_path):
    folder = sample_year(tmp_path)
    ingest(database_url, tmp_path)
    rows = query(
        database_url,
        "SELECT table_name, sha256, size_bytes, layout, status, rows_read, rows_loaded"
        " FROM source_files ORDER BY table_name",
    )
    assert len(rows) == 4
    for table, sha, size, layout, status, read, loaded in rows:
        path = folder / SAMPLE_FILES[table]
        assert sha == hashlib.sha256(path.read_bytes()).hexdigest()
        assert size == path.stat().st_size
        assert (layout, status) == ("2019+", "loaded")
        assert read == loaded == data_lines(path)


def test_values_are_harmonised(database_url, tmp_path):
    sample_year(tmp_path)
    ingest(database_url, tmp_path)
    accident = query(
        database_url,
        "SELECT year, month, day, hour, minute, dep, com, com_current, lat, lon, adr"
        " FROM accidents WHERE num_acc = 202100000003",
    )[0]
    assert accident[:8] == (2021, 7, 15, 7, 55, "85", "85048", "85302")  # merged commune
    assert accident[8] == pytest.approx(46.92195)
    assert accident[9] == pytest.approx(-0.96446)
    vehicle = query(
        database_url,
        "SELECT id_vehicule, catv, motor FROM vehicles WHERE num_acc = 202100000001"
        " AND num_veh = 'B01'",
    )
    assert vehicle == [(201764, 1, 5)]
    persons = query(
        database_url,
        "SELECT seq, grav, secu1, secu2, secu3, id_vehicule FROM persons"
        " WHERE num_acc = 202100000001 ORDER BY seq",
    )
    assert persons == [(1, 3, 0, 9, None, 201764), (2, 1, 1, None, None, 201765)]
    unresolved = query(database_url, "SELECT count(*) FROM accidents WHERE com_current IS NULL")
    assert unresolved == [(0,)]


def test_refresh_agrees_with_the_current_communes_of_the_load(database_url, tmp_path):
    sample_year(tmp_path)
    ingest(database_url, tmp_path)
    loaded = query(database_url, "SELECT num_acc, com_current FROM accidents ORDER BY 1")
    with psycopg.connect(to_libpq_url(database_url)) as conn:
        assert refresh_current_communes(conn) == 0
        conn.execute("UPDATE accidents SET com_current = NULL WHERE num_acc = 202100000003")
        conn.execute("UPDATE accidents SET com_current = '00000' WHERE num_acc = 202100000001")
        assert refresh_current_communes(conn) == 2
    assert query(database_url, "SELECT num_acc, com_current FROM accidents ORDER BY 1") == loaded


def test_reingesting_an_unchanged_year_is_a_no_op(database_url, tmp_path):
    sample_year(tmp_path)
    ingest(database_url, tmp_path)
    before = query(database_url, "SELECT id, updated_at FROM source_files ORDER BY id")
    [outcome] = ingest(database_url, tmp_path).outcomes
    assert (outcome.status, outcome.reason) == ("skipped", "unchanged")
    assert query(database_url, "SELECT id, updated_at FROM source_files ORDER BY id") == before
    assert counts(database_url)["accidents"] == 382


def test_force_reloads_an_unchanged_year(database_url, tmp_path):
    sample_year(tmp_path)
    ingest(database_url, tmp_path)
    [outcome] = ingest(database_url, tmp_path, force=True).outcomes
    assert outcome.status == "loaded"
    assert counts(database_url)["persons"] == 907


def test_a_changed_file_replaces_its_whole_year(database_url, tmp_path):
    folder = sample_year(tmp_path)
    ingest(database_url, tmp_path)
    usagers = folder / SAMPLE_FILES["usagers"]
    lines = usagers.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[1].startswith('"202100000001";"201\u00a0764";"B01";"1";"1";"3"')
    lines[1] = lines[1].replace('"B01";"1";"1";"3"', '"B01";"1";"1";"2"', 1)
    del lines[2]
    usagers.write_text("".join(lines), encoding="utf-8")

    [outcome] = ingest(database_url, tmp_path).outcomes
    assert outcome.status == "loaded"
    assert counts(database_url)["persons"] == 906
    assert query(
        database_url, "SELECT grav FROM persons WHERE num_acc = 202100000001 ORDER BY seq"
    ) == [(2,)]
    statuses = query(
        database_url,
        "SELECT status, count(*) FROM source_files WHERE table_name = 'usagers' GROUP BY 1",
    )
    assert sorted(statuses) == [("loaded", 1), ("replaced", 1)]


def test_two_runs_on_one_year_are_serialised(database_url, tmp_path):
    folder = YearFolder(2021, sample_year(tmp_path))
    outcomes = []
    with psycopg.connect(to_libpq_url(database_url)) as holder:
        registry.lock_year(holder, 2021)
        workers = [
            threading.Thread(
                target=lambda: outcomes.append(ingest_year(database_url, folder, force=True))
            )
            for _ in range(2)
        ]
        for worker in workers:
            worker.start()
        workers[0].join(timeout=2)
        assert workers[0].is_alive(), "an ingestion must wait for the year's lock"
        assert counts(database_url)["accidents"] == 0
    for worker in workers:
        worker.join(timeout=60)
    assert [o.status for o in outcomes] == ["loaded", "loaded"]
    assert counts(database_url) == {
        "accidents": 382,
        "places": 382,
        "vehicles": 646,
        "persons": 907,
    }


def test_gls_ingest_prints_the_profile_of_what_it_loaded(database_url, tmp_path):
    folder = sample_year(tmp_path / "data")
    with (folder / SAMPLE_FILES["caracteristiques"]).open(newline="", encoding="utf-8") as f:
        atm = [row["atm"] for row in csv.DictReader(f, delimiter=";")]
    share = sum(cell.strip() in ("", "-1") for cell in atm) / len(atm)
    persons = folder / SAMPLE_FILES["usagers"]
    lines = persons.read_text(encoding="utf-8").splitlines(keepends=True)
    persons.write_text(  # one orphan person, rejected: rows read = the lines, header aside
        "".join([*lines, lines[1].replace("202100000001", "202100099999")]), encoding="utf-8"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GLS_", "ROAD_ACCIDENTS_"))}
    env.update(
        COLUMNS="400",
        ADMIN_PASSWORD="unused",
        GLS_ENV_FILE=str(tmp_path / "missing.env"),
        GLS_DATABASE_URL=database_url,
    )
    done = subprocess.run(
        [sys.executable, "-m", "green_light_platform.cli", "ingest", str(folder)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Data-quality profile" in done.stdout
    assert f"atm {share:.1%}" in done.stdout
    [usagers] = [line for line in done.stdout.splitlines() if " usagers " in line]
    cells = [cell.strip() for cell in usagers.split("│")]
    assert cells[1:6] == ["2021", "usagers", "2019+", f"{len(lines):,}", "1"]
    assert counts(database_url)["accidents"] == 382
