"""The 2005-2018 layout, written by hand with its quirks, read into the harmonised columns."""

from __future__ import annotations

import pytest

from road_accidents_database_ingestion.pipeline import ingest
from road_accidents_database_ingestion.readers import read_table

from .ingestion_support import query

CARACTERISTIQUES = (
    "Num_Acc\tan\tmois\tjour\thrmn\tlum\tagg\tint\tatm\tcol\tcom\tadr\tgps\tlat\tlong\tdep\n"
    "200900000001\t9\t1\t15\t5\t3\t1\t1\t1.0\t3\t004\tRoute de l'Église\tM\t4192600\t874000\t201\n"
    "200900000002\t9\t2\t28\t1445\t1\t2\t2\t1\t6\t350\tRue Pasteur\tM\t0\t0\t590\n"
    "200900000003\t9\t6\t1\t2359\t1\t2\t1\t\t7\t120\t\tA\t1623400\t-6153400\t971\n"
)
LIEUX = (
    "Num_Acc,catr,voie,v1,v2,circ,nbv,pr,pr1,vosp,prof,plan,lartpc,larrout,surf,infra,situ,env1\n"
    "200900000001,3,193,0,,2,2.0,12,350,0,1,2,0,60,1,0,1,0\n"
    "200900000002,4,RUE PASTEUR,,,1,1,,,0,1,1,,,2,0,1,99\n"
    "200900000003,3,5,0,,2,2,,,0,2,3,0,55,1,0,1,0\n"
)
VEHICULES = (
    "Num_Acc,senc,catv,occutc,obs,obsm,choc,manv,num_veh\n"
    "200900000001,0,7,0,2,0,1,1,A01\n"
    "200900000002,0,7,0,0,2,3,15,A01\n"
    "200900000002,0,33,0,0,2,1,1,B01\n"
    "200900000003,0,2,0,0,0,1,1,A01\n"
)
USAGERS = (
    "Num_Acc,place,catu,grav,sexe,trajet,secu,locp,actp,etatp,an_nais,num_veh\n"
    "200900000001,1,1,2,1,5,11,0,0,0,1978.0,A01\n"
    "200900000002,1,1,1,2,1,12,0,0,0,1985,A01\n"
    "200900000002,1,1,3,1,0,21,0,0,0,1990,B01\n"
    "200900000002,,3,4,1,0,,3,3,1,2001,A01\n"
    "200900000003,1,1,3,1,9,23,0,0,0,1960,A01\n"
)


@pytest.fixture
def year_2009(tmp_path):
    folder = tmp_path / "2009"
    folder.mkdir()
    for name, text in (
        ("caracteristiques_2009.csv", CARACTERISTIQUES),
        ("lieux_2009.csv", LIEUX),
        ("vehicules_2009.csv", VEHICULES),
        ("usagers_2009.csv", USAGERS),
    ):
        (folder / name).write_bytes(text.encode("cp1252"))
    return folder


def test_old_caracteristiques(year_2009):
    result = read_table(year_2009 / "caracteristiques_2009.csv", "caracteristiques")
    assert (result.layout, result.encoding, result.separator) == ("2005-2018", "cp1252", "\t")
    assert result.rejects == []
    rows = result.rows.to_pylist()
    corsica, lille, guadeloupe = rows
    assert (corsica["year"], corsica["hour"], corsica["minute"]) == (2009, 0, 5)
    assert (corsica["dep"], corsica["com"], corsica["atm"]) == ("2A", "2A004", 1)
    assert corsica["lat"] == pytest.approx(41.926)
    assert corsica["lon"] == pytest.approx(8.74)
    assert corsica["adr"] == "Route de l'Église"
    assert (lille["dep"], lille["com"], lille["hour"], lille["minute"]) == ("59", "59350", 14, 45)
    assert (lille["lat"], lille["lon"]) == (None, None)
    assert (guadeloupe["dep"], guadeloupe["com"], guadeloupe["gps"]) == ("971", "97120", "A")
    assert guadeloupe["lon"] == pytest.approx(-61.534)
    assert guadeloupe["atm"] is None


def test_old_safety_equipment_is_converted_and_kept_raw(year_2009):
    result = read_table(year_2009 / "usagers_2009.csv", "usagers")
    rows = result.rows.to_pylist()
    assert [(r["secu_raw"], r["secu1"]) for r in rows] == [
        (11, 1),
        (12, 0),
        (21, 2),
        (None, None),
        (23, 8),
    ]
    assert rows[0]["an_nais"] == 1978
    assert {r["secu2"] for r in rows} == {None}


def test_old_places_accept_integers_printed_as_floats(year_2009):
    result = read_table(year_2009 / "lieux_2009.csv", "lieux")
    rows = result.rows.to_pylist()
    assert [r["nbv"] for r in rows] == [2, 1, 2]
    assert [r["env1"] for r in rows] == [0, 99, 0]
    assert {r["vma"] for r in rows} == {None}


def test_an_invalid_date_is_rejected_with_its_line(tmp_path):
    path = tmp_path / "caracteristiques_2009.csv"
    path.write_text(CARACTERISTIQUES.replace("\t2\t28\t1445", "\t2\t30\t1445"), encoding="cp1252")
    result = read_table(path, "caracteristiques")
    assert [(r.line, r.rule) for r in result.rejects] == [(3, "date")]
    assert result.rows.num_rows == 2


def test_old_year_ingests_end_to_end(database_url, year_2009):
    [outcome] = ingest(database_url, year_2009.parent).outcomes
    assert outcome.status == "loaded", outcome.reason
    assert outcome.rows_loaded == {"accidents": 3, "places": 3, "vehicles": 4, "persons": 5}
    assert query(database_url, "SELECT num_acc, com_current FROM accidents ORDER BY num_acc") == [
        (200900000001, "2A004"),
        (200900000002, "59350"),
        (200900000003, "97120"),
    ]
    assert query(database_url, "SELECT DISTINCT layout FROM source_files") == [("2005-2018",)]
    assert query(database_url, "SELECT lartpc, larrout FROM places ORDER BY num_acc") == [
        (0.0, 6.0),
        (None, None),
        (0.0, 5.5),
    ]
