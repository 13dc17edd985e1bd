"""Quirks of the 2005-2023 files in the public record, each in a small file written here."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from road_accidents_database_ingestion.readers import read_table

if TYPE_CHECKING:
    from pathlib import Path

OLD_CARAC = "Num_Acc,an,mois,jour,hrmn,lum,agg,int,atm,col,com,adr,gps,lat,long,dep"
NEW_CARAC = '"Num_Acc";"jour";"mois";"an";"hrmn";"lum";"dep";"com";"agg";"int";"atm";"col";"adr";"lat";"long"'  # noqa: E501
NEW_VEHICULES = "Num_Acc;id_vehicule;num_veh;senc;catv;obs;obsm;choc;manv;motor;occutc"
OLD_LIEUX = (
    "Num_Acc,catr,voie,v1,v2,circ,nbv,pr,pr1,vosp,prof,plan,lartpc,larrout,surf,infra,situ,env1"
)
NEW_LIEUX = (
    "Num_Acc;catr;voie;v1;v2;circ;nbv;vosp;prof;pr;pr1;plan;lartpc;larrout;surf;infra;situ;vma"
)


def _read(tmp_path: Path, name: str, text: str, table: str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return read_table(path, table)


def _column(result, name: str) -> list:
    return result.rows.column(name).to_pylist()


def test_accident_id_names_the_key_in_2022(tmp_path):
    text = NEW_CARAC.replace('"Num_Acc"', '"Accident_Id"') + "\n"
    text += '"202200000001";"3";"01";"2022";"08:05";"1";"75";"75056";"2";"1";"1";"3";"N/A";"48,8566000000";"2,3522000000"\n'  # noqa: E501
    result = _read(tmp_path, "carcteristiques-2022.csv", text, "caracteristiques")
    assert result.rejects == []
    assert _column(result, "num_acc") == [202200000001]
    assert _column(result, "adr") == [None]


def test_coordinates_with_a_comma_or_a_point_in_either_layout(tmp_path):
    new = NEW_CARAC + "\n"
    for i, (lat, lon) in enumerate(
        [("44,0389580000", " -0,9644600000"), ("44.038958", "-0.96446"), ("0", "0")], start=1
    ):
        new += f'"20210000000{i}";"1";"01";"2021";"12:00";"1";"40";"40001";"1";"1";"1";"1";"";"{lat}";"{lon}"\n'  # noqa: E501
    result = _read(tmp_path, "caracteristiques-2021.csv", new, "caracteristiques")
    assert _column(result, "lat")[:2] == [pytest.approx(44.038958)] * 2
    assert _column(result, "lon")[:2] == [pytest.approx(-0.96446)] * 2
    assert (_column(result, "lat")[2], _column(result, "lon")[2]) == (None, None)

    old = OLD_CARAC + "\n"
    for i, (lat, lon) in enumerate(
        [("4750500", "-155400"), ("47.505", "-1.554"), ('"47,505"', '"-1,554"'), ("", "")],
        start=1,
    ):
        old += f"20160000000{i},16,1,1,1200,1,1,1,1,1,109,,M,{lat},{lon},440\n"
    result = _read(tmp_path, "caracteristiques_2016.csv", old, "caracteristiques", "cp1252")
    assert result.rejects == [] and result.unknowns == []
    assert _column(result, "lat") == [pytest.approx(47.505)] * 3 + [None]
    assert _column(result, "lon") == [pytest.approx(-1.554)] * 3 + [None]


def test_departement_forms_for_corsica_and_overseas(tmp_path):
    old = OLD_CARAC + "\n"
    forms = ["590", "010", "201", "202", "2A0", "2B", "971", "976"]
    for i, dep in enumerate(forms, start=1):
        old += f"20170000000{i},17,1,1,1200,1,1,1,1,1,004,,M,0,0,{dep}\n"
    result = _read(tmp_path, "caracteristiques-2017.csv", old, "caracteristiques", "cp1252")
    assert result.rejects == []
    assert _column(result, "dep") == ["59", "01", "2A", "2B", "2A", "2B", "971", "976"]
    assert _column(result, "com") == [
        "59004", "01004", "2A004", "2B004", "2A004", "2B004", "97004", "97004",
    ]  # fmt: skip

    new = NEW_CARAC + "\n"
    for i, (dep, com) in enumerate(
        [("2A", "2A004"), ("2b", "2B033"), ("7", "7155"), ("07", "07155"), ("987", "98735")],
        start=1,
    ):
        new += f'"20230000000{i}";"1";"01";"2023";"12:00";"1";"{dep}";"{com}";"1";"1";"1";"1";"";"0";"0"\n'  # noqa: E501
    result = _read(tmp_path, "caract-2023.csv", new, "caracteristiques")
    assert _column(result, "dep") == ["2A", "2B", "07", "07", "987"]
    assert _column(result, "com") == ["2A004", "2B033", "07155", "07155", "98735"]


def test_a_file_re_saved_by_pandas_with_commas_and_minimal_quoting(tmp_path):
    """`to_csv` with its index: an unnamed first column, `-1` unspaced, NaN as empty cells,
    integer columns with blanks as floats, the decimal comma kept inside quotes."""
    text = ",Num_Acc,id_vehicule,num_veh,senc,catv,obs,obsm,choc,manv,motor,occutc\n"
    text += "0,202100000001,201\u00a0764,B01,2.0,1.0,0.0,2.0,1.0,1.0,5.0,\n"
    text += '1,202100000001,201\u00a0765,A01,-1,7.0,0.0,2.0,8.0,15.0,1.0,"4,0"\n'
    result = _read(tmp_path, "vehicules-2021.csv", text, "vehicules")
    assert (result.separator, result.layout) == (",", "2019+")
    assert result.rejects == [] and result.unknowns == []
    assert _column(result, "id_vehicule") == [201764, 201765]
    assert _column(result, "senc") == [2, None]
    assert _column(result, "catv") == [1, 7]
    assert _column(result, "occutc") == [None, 4]
    assert result.profile["senc"].not_given == 1


def test_a_file_re_saved_by_a_spreadsheet_with_a_bom_and_crlf(tmp_path):
    text = "\ufeff" + NEW_VEHICULES + "\r\n"
    text += "202100000001;201 764;B01;1;1;0;2;1;1;5;\r\n"
    text += "202100000001;201 765;A01;-1;7;0;2;8;15;1;#ERREUR\r\n"
    result = _read(tmp_path, "vehicules-2021.csv", text, "vehicules")
    assert result.rejects == [] and result.unknowns == []
    assert _column(result, "num_veh") == ["B01", "A01"]
    assert _column(result, "senc") == [1, None]
    assert _column(result, "occutc") == [None, None]


def test_a_missing_final_newline_loses_no_row(tmp_path):
    text = "Num_Acc,senc,catv,occutc,obs,obsm,choc,manv,num_veh\n"
    text += "201800000001,0,07,000,00,2,3,01,B01\n201800000001,0,07,000,00,2,2,15,A01"
    result = _read(tmp_path, "vehicules-2018.csv", text, "vehicules", "cp1252")
    assert _column(result, "num_veh") == ["B01", "A01"]
    assert _column(result, "source_line") == [2, 3]


def test_old_zeros_are_not_given_only_where_the_code_list_has_no_zero(tmp_path):
    old = OLD_CARAC + "\n" + "201600000001,16,1,1,0,0,0,0,0,0,004,,M,0,0,590\n"
    result = _read(tmp_path, "caracteristiques_2016.csv", old, "caracteristiques", "cp1252")
    [row] = result.rows.to_pylist()
    assert [row[c] for c in ("lum", "agg", "inter", "atm", "col")] == [None] * 5
    assert (row["hour"], row["minute"]) == (0, 0)
    assert result.profile["int"].not_given == 1

    persons = "Num_Acc,place,catu,grav,sexe,trajet,secu,locp,actp,etatp,an_nais,num_veh\n"
    persons += "201600000001,0,1,3,0,0,0,0,0,0,1970,A01\n"
    result = _read(tmp_path, "usagers_2016.csv", persons, "usagers", "cp1252")
    [row] = result.rows.to_pylist()
    assert (row["place"], row["sexe"], row["secu_raw"], row["secu1"]) == (None, None, None, None)
    assert (row["trajet"], row["locp"], row["actp"], row["etatp"]) == (0, 0, "0", 0)


def test_padded_codes_and_vehicle_letters_past_h01(tmp_path):
    text = "Num_Acc,senc,catv,occutc,obs,obsm,choc,manv,num_veh\n"
    for letter in ("A01", "R01", "Z01", "A02", "C03"):
        text += f"201800000001,1,07,001,00,2,3,01,{letter}\n"
    result = _read(tmp_path, "vehicules-2018.csv", text, "vehicules", "cp1252")
    assert _column(result, "num_veh") == ["A01", "R01", "Z01", "A02", "C03"]
    assert set(_column(result, "catv")) == {7}
    assert set(_column(result, "occutc")) == {1}


def test_an_unknown_code_or_unreadable_cell_costs_the_value_and_is_kept(tmp_path):
    old = OLD_CARAC + "\n"
    old += "201600000001,16,1,1,1200,8,1,1,x,1,004,,M,0,0,590\n"
    old += "201600000002,16,1,1,25:99,1,1,1,1,1,004,,M,0,0,590\n"
    old += "201600000003,16,1,1,1445.0,1,1,1,1,1,004,,M,0,0,590\n"
    old += "2016000000xx,16,1,1,1200,1,1,1,1,1,004,,M,0,0,590\n"
    result = _read(tmp_path, "caracteristiques_2016.csv", old, "caracteristiques", "cp1252")
    assert _column(result, "num_acc") == [201600000001, 201600000002, 201600000003]
    assert _column(result, "lum") == [None, 1, 1]
    assert _column(result, "atm") == [None, 1, 1]
    assert _column(result, "hour") == [12, None, 14]
    assert _column(result, "minute") == [0, None, 45]
    assert sorted((u.line, u.column, u.raw) for u in result.unknowns) == [
        (2, "atm", "x"),
        (2, "lum", "8"),
        (3, "hrmn", "25:99"),
    ]
    assert [(r.line, r.column, r.rule) for r in result.rejects] == [(5, "num_acc", "type")]
    assert result.profile["lum"].unknown == 1


def test_widths_are_read_in_metres_from_decimetres_or_metres(tmp_path):
    # 2005-2018: whole decimetres (`060`, `58.0` where exported as floats, `7`); a comma or a
    # fraction means a re-saved file already in metres (quoted: `,` is the separator); a
    # `000` carriageway is "not given".
    widths = [("015", "060"), ("000", "58.0"), ("", "7"), ('"1,5"', '"5,5"'), ("0.0", "7.5")]
    widths += [("20", "000"), ("", "")]
    old = (
        OLD_LIEUX
        + "\n"
        + "".join(
            f"20180000000{i},3,12,,,2,02,,,0,1,1,{lartpc},{larrout},1,0,1,00\n"
            for i, (lartpc, larrout) in enumerate(widths, start=1)
        )
    )
    result = _read(tmp_path, "lieux-2018.csv", old, "lieux")
    assert result.rejects == [] and result.unknowns == []
    assert _column(result, "lartpc") == [1.5, 0.0, None, 1.5, 0.0, 2.0, None]
    assert _column(result, "larrout") == [6.0, 5.8, 0.7, 5.5, 7.5, None, None]
    assert result.profile["larrout"].not_given == 2

    # 2019+: metres, with a decimal comma.
    new = (
        NEW_LIEUX
        + "\n"
        + "".join(
            f'"20210000000{i}";"3";"12";"0";"";"2";"2";"0";"1";"(1)";"(1)";"1";"";"{larrout}";"1";"0";"1";"80"\n'
            for i, larrout in enumerate(["5,5", "4", "10", " -1"], start=1)
        )
    )
    result = _read(tmp_path, "lieux-2021.csv", new, "lieux")
    assert result.rejects == [] and result.unknowns == []
    assert _column(result, "larrout") == [5.5, 4.0, 10.0, None]
    assert _column(result, "lartpc") == [None] * 4


def _old_accidents(rows: int, quoted: dict[int, str]) -> str:
    """An old-layout caracteristiques file; the addresses of the `quoted` lines hold a comma
    and are quoted, as the 2005-2018 files quote them."""
    text = OLD_CARAC + "\n"
    for line in range(2, rows + 2):
        adr = quoted.get(line, f"RUE {line}")
        text += f"2016000000{line:02d},16,1,1,1200,1,1,1,1,1,109,{adr},M,0,0,440\n"
    return text


@pytest.mark.reliability(
    kind="bad input",
    case="an old-layout file whose address on line 11 lost its closing quote: the quote"
    " swallows lines 11-17 into one row",
    expect="one reject names lines 11-17; nothing else is lost; every row after keeps its own"
    " line number (read from the file, not counted in rows)",
)
def test_an_unbalanced_quote_is_a_reject_naming_the_lines_it_swallowed(tmp_path):
    quoted = {11: '"RUE DE LA GARE, 12', 17: '"PLACE DU MARCHE, 3"'}
    result = _read(
        tmp_path, "caracteristiques_2016.csv", _old_accidents(30, quoted), "caracteristiques"
    )
    [reject] = result.rejects
    assert (reject.line, reject.rule) == (11, "malformed_line")
    assert "lines 11-17 read as one row" in reject.message
    keys = _column(result, "num_acc")
    assert len(keys) == 30 - 7
    assert all(key % 100 not in range(11, 18) for key in keys)
    # Each key holds its own line number (2016000000LL), so a line count that drifted shows.
    assert _column(result, "source_line") == [key % 100 for key in keys]
    assert result.rows_read == 30 - 6  # the seven lines were one row


def test_a_quoted_address_on_two_lines_is_one_reject_and_later_lines_stay_right(tmp_path):
    quoted = {5: '"RUE DE LA GARE,\nBATIMENT B"'}
    result = _read(
        tmp_path, "caracteristiques_2016.csv", _old_accidents(12, quoted), "caracteristiques"
    )
    [reject] = result.rejects
    assert (reject.line, reject.rule) == (5, "malformed_line")
    assert "lines 5-6 read as one row" in reject.message
    keys = _column(result, "num_acc")
    assert _column(result, "source_line") == [
        line if line < 5 else line + 1 for line in (key % 100 for key in keys)
    ]


def test_an_integer_too_big_for_its_column_is_an_unknown_value(tmp_path):
    text = NEW_LIEUX + "\n"
    for i, vma in enumerate(("80", "70000", "-40000", "1" + "0" * 20), start=1):
        text += f"20210000000{i};3;981;;;2;2;0;1;;;1;;;1;0;1;{vma}\n"
    text += "1" + "0" * 20 + ";3;981;;;2;2;0;1;;;1;;;1;0;1;50\n"  # no int64 holds this key
    result = _read(tmp_path, "lieux-2021.csv", text, "lieux")
    assert [(r.line, r.column) for r in result.rejects] == [(6, "num_acc")]
    assert _column(result, "vma") == [80, None, None, None]
    assert sorted((u.line, u.column, u.raw) for u in result.unknowns) == [
        (3, "vma", "70000"),
        (4, "vma", "-40000"),
        (5, "vma", "1" + "0" * 20),
    ]
    assert result.profile["vma"].unknown == 3


def test_a_spreadsheets_unicode_text_export_reads_as_utf16(tmp_path):
    text = NEW_LIEUX + "\n202100000001;3;981;;;2;2;0;1;;;1;;;1;0;1;80\n"
    result = _read(tmp_path, "lieux-2021.csv", text, "lieux", encoding="utf-16")
    assert (result.encoding, result.rejects) == ("utf-16", [])
    assert _column(result, "vma") == [80]
