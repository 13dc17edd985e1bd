"""Writing a year of demo records in that year's official BAAC layout, quirks included.

2005-2018: cp1252, comma-separated (2009 caracteristiques: tab), values quoted only when they
hold the separator or a quote; two-digit `an`, `hrmn` without colon, departement followed by 0,
3-digit commune, coordinates in 1/100000 degree, two-digit `secu`, empty cells for unknowns or,
where `not_given.py` says a 0 means "not given", a `0` as often as in the real 2018 files;
some integer columns printed as floats, some zero-padded (`02`, `07`, `000`) from 2017.
2019+: UTF-8, `;`-separated, every value quoted, `" -1"` for unknowns, decimal commas, ids
with no-break-space thousands separators.
Cells are built as whole pyarrow string columns, so writing stays fast at full scale.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from baac_demo_data.figures import (
    FIRST_YEAR,
    NEW_LAYOUT_FROM,
    NOT_GIVEN,
    OLD_LEFT_OUT,
    OLD_PADDED_FROM,
    OLD_PADDED_WIDTHS,
    PERSON_IDS_FROM,
)
from road_accidents_database_ingestion.not_given import OLD, markers

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path

    import pandas as pd

    from baac_demo_data.generator import YearRecords
    from road_accidents_database_ingestion.tables import BaacTable

TABLES: tuple[BaacTable, ...] = ("caracteristiques", "lieux", "vehicules", "usagers")

OLD_COLUMNS: Mapping[BaacTable, tuple[str, ...]] = {
    "caracteristiques": ("Num_Acc", "an", "mois", "jour", "hrmn", "lum", "agg", "int", "atm",
                         "col", "com", "adr", "gps", "lat", "long", "dep"),
    "lieux": ("Num_Acc", "catr", "voie", "v1", "v2", "circ", "nbv", "pr", "pr1", "vosp", "prof",
              "plan", "lartpc", "larrout", "surf", "infra", "situ", "env1"),
    "vehicules": ("Num_Acc", "senc", "catv", "occutc", "obs", "obsm", "choc", "manv", "num_veh"),
    "usagers": ("Num_Acc", "place", "catu", "grav", "sexe", "trajet", "secu", "locp", "actp",
                "etatp", "an_nais", "num_veh"),
}  # fmt: skip
NEW_COLUMNS: Mapping[BaacTable, tuple[str, ...]] = {
    "caracteristiques": ("Num_Acc", "jour", "mois", "an", "hrmn", "lum", "dep", "com", "agg",
                         "int", "atm", "col", "adr", "lat", "long"),
    "lieux": ("Num_Acc", "catr", "voie", "v1", "v2", "circ", "nbv", "vosp", "prof", "pr", "pr1",
              "plan", "lartpc", "larrout", "surf", "infra", "situ", "vma"),
    "vehicules": ("Num_Acc", "id_vehicule", "num_veh", "senc", "catv", "obs", "obsm", "choc",
                  "manv", "motor", "occutc"),
    "usagers": ("Num_Acc", "id_usager", "id_vehicule", "num_veh", "place", "catu", "grav",
                "sexe", "an_nais", "trajet", "secu1", "secu2", "secu3", "locp", "actp", "etatp"),
}  # fmt: skip
TEXT_COLUMNS = frozenset({"adr", "voie"})
"""Free-text columns: the only ones that may need quoting or escaping."""
KEY_COLUMN_2022 = "Accident_Id"
"""The 2022 caracteristiques file names its key column so."""

FLOAT_CELLS: Mapping[tuple[BaacTable, str], frozenset[int]] = {
    ("lieux", "nbv"): frozenset(range(2005, 2017)),
    ("lieux", "lartpc"): frozenset(range(2005, 2017)),
    ("lieux", "larrout"): frozenset(range(2005, 2017)),
    ("lieux", "pr"): frozenset(range(2012, 2017)),
    ("lieux", "pr1"): frozenset(range(2012, 2017)),
    ("lieux", "v1"): frozenset(range(2012, 2017)),
    ("caracteristiques", "atm"): frozenset({2016}),
    ("caracteristiques", "col"): frozenset({2016}),
    ("vehicules", "occutc"): frozenset({2010, 2011}),
    ("usagers", "an_nais"): frozenset({2012}),
}
"""Old-layout integer columns printed as floats (`2.0`, `1978.0`) in some years, as exported
by tools that turned columns with blanks into floats."""
UNPADDED_COMMUNE_YEARS = frozenset({2014, 2015, 2016})
"""Old-layout years whose `com` is printed without leading zeros (`5` = commune 005)."""


@dataclass(frozen=True)
class FileFormat:
    """How one table of one year is written."""

    name: str
    columns: tuple[str, ...]
    separator: str
    encoding: str
    quote_all: bool


@dataclass(frozen=True)
class WrittenFile:
    table: BaacTable
    path: Path
    rows: int


def file_name(year: int, table: BaacTable) -> str:
    """The official file name: `_` up to 2016, `-` after; the caracteristiques spellings."""
    if year <= 2016:
        return f"{table}_{year}.csv"
    if table == "caracteristiques" and year in (2021, 2022):
        return f"carcteristiques-{year}.csv"
    if table == "caracteristiques" and year >= 2023:
        return f"caract-{year}.csv"
    return f"{table}-{year}.csv"


def file_format(year: int, table: BaacTable) -> FileFormat:
    """How `table` of `year` is written: name, columns, separator, encoding, quoting."""
    if year < FIRST_YEAR:
        raise ValueError(f"no BAAC layout before {FIRST_YEAR}")
    name = file_name(year, table)
    if year < NEW_LAYOUT_FROM:
        separator = "\t" if (year, table) == (2009, "caracteristiques") else ","
        return FileFormat(name, OLD_COLUMNS[table], separator, "cp1252", quote_all=False)
    columns = NEW_COLUMNS[table]
    if table == "usagers" and year < PERSON_IDS_FROM:
        columns = tuple(c for c in columns if c != "id_usager")
    if table == "caracteristiques" and year == 2022:
        columns = (KEY_COLUMN_2022, *columns[1:])
    return FileFormat(name, columns, ";", "utf-8", quote_all=True)


# --- cells ------------------------------------------------------------------------------
def _text(values: np.ndarray | pd.Series) -> pa.Array:
    return pc.cast(pa.array(np.asarray(values)), pa.string())


def _replace(cells: pa.Array, mask: np.ndarray, marker: str) -> pa.Array:
    return pc.if_else(pa.array(mask), pa.scalar(marker), cells)


def _zero_pad(values: np.ndarray, width: int) -> pa.Array:
    return pc.utf8_lpad(_text(values), width, "0")


def _grouped(values: np.ndarray) -> pa.Array:
    """Ids with U+00A0 thousands separators: `201 764`, `1 099 382`."""
    millions, thousands, units = values // 1_000_000, values // 1000 % 1000, values % 1000
    nbsp = "\u00a0"
    small = pc.binary_join_element_wise(_text(thousands), _zero_pad(units, 3), nbsp)
    large = pc.binary_join_element_wise(
        _text(millions), _zero_pad(thousands, 3), _zero_pad(units, 3), nbsp
    )
    return pc.if_else(
        pa.array(millions > 0), large, pc.if_else(pa.array(values >= 1000), small, _text(units))
    )


def _decimal_comma(values: np.ndarray, decimals: int) -> pa.Array:
    """Fixed decimals with a decimal comma; negatives with a leading space (` -0,9644600000`)."""
    scale = 10**decimals
    scaled = np.rint(np.abs(values) * scale).astype(np.int64)
    text = pc.binary_join_element_wise(
        _text(scaled // scale), _zero_pad(scaled % scale, decimals), ","
    )
    return pc.if_else(pa.array(values < 0), pc.binary_join_element_wise(" -", text, ""), text)


def _half_metres(values: np.ndarray) -> pa.Array:
    """Widths to the half metre, as 2019+ files write them: `5`, `5,5`."""
    whole = np.floor(values).astype(np.int64)
    text = _text(whole)
    half = pc.binary_join_element_wise(text, "5", ",")
    return pc.if_else(pa.array(values - whole >= 0.5), half, text)


class _Cells:
    """Formats the harmonised values of one year as that year's files print them."""

    def __init__(self, year: int) -> None:
        self.year = year
        self.new = year >= NEW_LAYOUT_FROM
        self.unknown = " -1" if self.new else ""

    def floats(self, where: tuple[BaacTable, str] | None) -> bool:
        return where is not None and self.year in FLOAT_CELLS.get(where, frozenset())

    def padding(self, where: tuple[BaacTable, str] | None) -> int:
        """The zero-padded width of a column in this year's files (1: not padded)."""
        if where is None or self.new or self.year < OLD_PADDED_FROM:
            return 1
        return OLD_PADDED_WIDTHS.get(where, 1)

    def not_given(self, cells: pa.Array, unknown: np.ndarray, where: tuple[BaacTable, str] | None
                  ) -> pa.Array:  # fmt: skip
        """Cells not given written as this year writes them: ` -1` (2019+), else empty, or `0`
        (`00`, `0.0`) in the share of the real 2018 files where `not_given.py` allows it."""
        cells = _replace(cells, unknown, self.unknown)
        if self.new or where is None or 0 not in markers(where[0], OLD, where[1]).numbers:
            return cells
        zeros, empty = OLD_LEFT_OUT.get(where, (0, 0))
        if not zeros:
            return cells
        # A fixed spread over the rows (no random draw: writing stays a pure function).
        spread = (np.arange(len(unknown)) * 7919) % 1000 < 1000 * zeros / (zeros + empty)
        zero = "0.0" if self.floats(where) else "0" * self.padding(where)
        return _replace(cells, unknown & spread, zero)

    def code(
        self, values: pd.Series | np.ndarray, where: tuple[BaacTable, str] | None = None
    ) -> pa.Array:
        """Integers; not given as ` -1` (2019+) or an empty cell; `2.0` in FLOAT_CELLS."""
        values = np.asarray(values, dtype=np.int64)
        cells = _text(values)
        if self.floats(where):
            cells = pc.binary_join_element_wise(cells, "0", ".")
        elif self.padding(where) > 1:
            cells = pc.utf8_lpad(cells, self.padding(where), "0")
        return self.not_given(cells, values == NOT_GIVEN, where)

    def text(self, values: pd.Series | np.ndarray, missing: str) -> pa.Array:
        cells = pa.array(np.asarray(values, dtype=object), pa.string(), from_pandas=True)
        return pc.fill_null(cells, missing)

    def width(self, values: pd.Series | np.ndarray, where: tuple[BaacTable, str]) -> pa.Array:
        """Metres in 2019+ files (`5,5`); whole decimetres before, as the real 2018 files
        (`055`, `060` = 6 m, zero-padded from 2017; `60.0` in FLOAT_CELLS years)."""
        values = np.asarray(values, dtype=float)
        unknown = np.isnan(values)
        filled = np.where(unknown, 0.0, values)
        if self.new:
            return self.not_given(_half_metres(filled), unknown, where)
        return self.code(np.where(unknown, NOT_GIVEN, np.rint(filled * 10)), where)


def _old_departement(dep: np.ndarray) -> np.ndarray:
    """`59` -> `590`, `2A` -> `201`, `2B` -> `202`; overseas codes stay as they are."""
    coded = np.char.add(dep.astype(str), "0")
    coded = np.where(dep == "2A", "201", np.where(dep == "2B", "202", coded))
    return np.where(np.char.str_len(dep.astype(str)) == 3, dep.astype(str), coded)


def _caracteristiques(cells: _Cells, frame: pd.DataFrame) -> dict[str, pa.Array]:
    num_acc = _text(frame["num_acc"])
    hour, minute = frame["hour"].to_numpy(), frame["minute"].to_numpy()
    lat, lon = frame["lat"].to_numpy(dtype=float), frame["lon"].to_numpy(dtype=float)
    dep = frame["dep"].to_numpy(dtype=str)
    com = frame["com"].to_numpy(dtype=str)
    codes = {c: cells.code(frame[c], ("caracteristiques", c)) for c in ("lum", "agg", "atm", "col")}
    if cells.new:
        return {
            "Num_Acc": num_acc,
            KEY_COLUMN_2022: num_acc,
            "jour": _text(frame["day"]),
            "mois": _zero_pad(frame["month"].to_numpy(), 2),
            "an": _text(frame["year"]),
            "hrmn": pc.binary_join_element_wise(_zero_pad(hour, 2), _zero_pad(minute, 2), ":"),
            "dep": _text(dep),
            "com": _text(com),
            "int": cells.code(frame["inter"]),
            "adr": cells.text(frame["adr"], "N/A"),
            "lat": _decimal_comma(lat, 10),
            "long": _decimal_comma(lon, 10),
            **codes,
        }
    unknown = np.isnan(lat)
    # Unknown coordinates: `0` or an empty cell, both found in the old files.
    blank = np.where(frame["num_acc"].to_numpy() % 2 == 0, "0", "")
    commune = pc.utf8_slice_codeunits(_text(com), 2)
    if cells.year in UNPADDED_COMMUNE_YEARS:
        commune = pc.replace_substring_regex(commune, "^0{1,2}", "")

    def degrees(values: np.ndarray) -> pa.Array:
        hundred_thousandths = np.rint(np.nan_to_num(values) * 1e5).astype(np.int64)
        return pc.if_else(pa.array(unknown), pa.array(blank), _text(hundred_thousandths))

    return {
        "Num_Acc": num_acc,
        "an": _text(frame["year"].to_numpy() - 2000),
        "mois": _text(frame["month"]),
        "jour": _text(frame["day"]),
        "hrmn": _text(hour * 100 + minute),
        "int": cells.code(frame["inter"]),
        "com": commune,
        "adr": cells.text(frame["adr"], ""),
        "gps": cells.text(frame["gps"], ""),
        "lat": degrees(lat),
        "long": degrees(lon),
        "dep": _text(_old_departement(dep)),
        **codes,
    }


def _lieux(cells: _Cells, frame: pd.DataFrame) -> dict[str, pa.Array]:
    def code(column: str) -> pa.Array:
        return cells.code(frame[column], ("lieux", column))

    milestone = "(1)" if cells.new else ""
    return {
        "Num_Acc": _text(frame["num_acc"]),
        "voie": cells.text(frame["voie"], "N/A" if cells.new else ""),
        "v2": cells.text(frame["v2"], "N/A" if cells.new else ""),
        "pr": _replace(code("pr"), frame["pr"].to_numpy() == NOT_GIVEN, milestone),
        "pr1": _replace(code("pr1"), frame["pr1"].to_numpy() == NOT_GIVEN, milestone),
        # 2019+ files leave the central reservation empty, never " -1".
        "lartpc": (
            pa.array(np.full(len(frame), ""), pa.string())
            if cells.new
            else cells.width(frame["lartpc"], ("lieux", "lartpc"))
        ),
        "larrout": cells.width(frame["larrout"], ("lieux", "larrout")),
        "vma": cells.code(frame["vma_published"]),
        **{c: code(c) for c in ("catr", "v1", "circ", "nbv", "vosp", "prof", "plan", "surf",
                                "infra", "situ", "env1")},
    }  # fmt: skip


def _vehicules(cells: _Cells, frame: pd.DataFrame) -> dict[str, pa.Array]:
    occutc = frame["occutc"].to_numpy()
    where = ("vehicules", "occutc")
    no_occupants = "0.0" if cells.floats(where) else "0" * cells.padding(where)
    columns = {
        "Num_Acc": _text(frame["num_acc"]),
        "num_veh": cells.text(frame["num_veh"], ""),
        # Old files write 0 for "not a public-transport vehicle", 2019+ files leave it empty.
        "occutc": _replace(
            cells.code(occutc, where), occutc == NOT_GIVEN, "" if cells.new else no_occupants
        ),
        **{
            c: cells.code(frame[c], ("vehicules", c))
            for c in ("senc", "catv", "obs", "obsm", "choc", "manv")
        },
    }
    if cells.new:
        columns["id_vehicule"] = _grouped(frame["id_vehicule"].to_numpy())
        columns["motor"] = cells.code(frame["motor"])
    return columns


def _usagers(cells: _Cells, frame: pd.DataFrame) -> dict[str, pa.Array]:
    an_nais = frame["an_nais"].to_numpy()
    kind, use = frame["secu_kind"].to_numpy(), frame["secu_use"].to_numpy()
    columns = {
        "Num_Acc": _text(frame["num_acc"]),
        "num_veh": cells.text(frame["num_veh"], ""),
        "an_nais": _replace(cells.code(an_nais, ("usagers", "an_nais")), an_nais == NOT_GIVEN, ""),
        "actp": _replace(
            _text(frame["actp"]), frame["actp"].to_numpy() == str(NOT_GIVEN), cells.unknown
        ),
        **{
            c: cells.code(frame[c])
            for c in ("place", "catu", "grav", "sexe", "trajet", "locp", "etatp")
        },
    }
    if cells.new:
        columns |= {
            "id_usager": _grouped(frame["id_usager"].to_numpy()),
            "id_vehicule": _grouped(frame["id_vehicule"].to_numpy()),
            **{c: cells.code(frame[c]) for c in ("secu1", "secu2", "secu3")},
        }
    else:
        columns["secu"] = cells.code(np.where(kind == 0, NOT_GIVEN, kind * 10 + use))
    return columns


# --- files ------------------------------------------------------------------------------
def _minimal_quotes(cells: pa.Array, separator: str) -> pa.Array:
    """Quote (and double the quotes of) cells holding the separator or a quote, as csv does."""
    special = pc.or_(
        pc.match_substring(cells, separator), pc.match_substring_regex(cells, '["\r\n]')
    )
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(cells, '"', '""'), '"', "")
    return pc.if_else(special, quoted, cells)


def render(fmt: FileFormat, cells: Mapping[str, pa.Array]) -> bytes:
    """The bytes of a file: header and one line per row, LF-terminated, in the format's
    separator, quoting and encoding. Only free-text columns can hold quotes or separators."""
    sep = fmt.separator
    if fmt.quote_all:
        header = sep.join(f'"{name}"' for name in fmt.columns)
        escaped = [
            pc.replace_substring(cells[name], '"', '""') if name in TEXT_COLUMNS else cells[name]
            for name in fmt.columns
        ]
        body = pc.binary_join_element_wise(*escaped, f'"{sep}"')
        lines = pc.binary_join_element_wise('"', body, '"\n', "")
    else:
        header = sep.join(fmt.columns)
        quoted = [
            _minimal_quotes(cells[name], sep) if name in TEXT_COLUMNS else cells[name]
            for name in fmt.columns
        ]
        lines = pc.binary_join_element_wise(pc.binary_join_element_wise(*quoted, sep), "\n", "")
    return (header + "\n" + "".join(lines.to_pylist())).encode(fmt.encoding)


TABLE_FRAMES: Mapping[BaacTable, str] = {
    "caracteristiques": "accidents",
    "lieux": "places",
    "vehicules": "vehicles",
    "usagers": "persons",
}
_CELLS: Mapping[BaacTable, Callable[[_Cells, pd.DataFrame], dict[str, pa.Array]]] = {
    "caracteristiques": _caracteristiques,
    "lieux": _lieux,
    "vehicules": _vehicules,
    "usagers": _usagers,
}


def write_year(records: YearRecords, folder: Path) -> tuple[WrittenFile, ...]:
    """Write the four files of `records.year` into `folder` (created if needed)."""
    folder.mkdir(parents=True, exist_ok=True)
    cells = _Cells(records.year)
    written = []
    for table in TABLES:
        fmt = file_format(records.year, table)
        frame = getattr(records, TABLE_FRAMES[table])
        path = folder / fmt.name
        path.write_bytes(render(fmt, _CELLS[table](cells, frame)))
        written.append(WrittenFile(table, path, len(frame)))
    return tuple(written)
