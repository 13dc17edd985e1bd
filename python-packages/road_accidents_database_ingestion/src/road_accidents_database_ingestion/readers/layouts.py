"""The two BAAC layouts and how each file's columns become the harmonised columns.

2005-2018 files ("old") and 2019+ files ("new") differ in columns, encodings of dates, places,
coordinates and safety equipment; each function below turns one table of either layout into
the columns of `tables.py`. Columns are always found by header name, never by position.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import pyarrow as pa
import pyarrow.compute as pc

from road_accidents_database_ingestion.readers.columns import ColumnConverter

if TYPE_CHECKING:
    from road_accidents_database_ingestion.tables import BaacTable

Layout = Literal["2005-2018", "2019+"]
OLD: Layout = "2005-2018"
NEW: Layout = "2019+"
FIRST_YEAR = 2005
"""The first year of the national BAAC files."""
NEW_LAYOUT_FROM = 2019
"""The first year of the 2019+ layout."""

KEY_ALIASES = {"accident_id": "num_acc"}
"""Header names that mean `num_acc` (2022 caracteristiques calls it `Accident_Id`)."""
BAAC_COLUMNS = {"inter": "int", "lon": "long"}
"""Harmonised columns named otherwise in the files."""


@dataclass(frozen=True)
class LayoutSpec:
    table: BaacTable
    layout: Layout
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()


def _columns(names: str) -> tuple[str, ...]:
    return tuple(names.split())


SPECS: tuple[LayoutSpec, ...] = (
    LayoutSpec(
        "caracteristiques",
        OLD,
        _columns("num_acc an mois jour hrmn lum agg int atm col com adr gps lat long dep"),
    ),
    LayoutSpec(
        "caracteristiques",
        NEW,
        _columns("num_acc jour mois an hrmn lum dep com agg int atm col adr lat long"),
    ),
    LayoutSpec(
        "lieux",
        OLD,
        _columns(
            "num_acc catr voie v1 v2 circ nbv pr pr1 vosp prof plan lartpc larrout surf infra situ"
        ),
        optional=("env1",),
    ),
    LayoutSpec(
        "lieux",
        NEW,
        _columns(
            "num_acc catr voie v1 v2 circ nbv vosp prof pr pr1 plan lartpc larrout surf infra situ"
            " vma"
        ),
    ),
    LayoutSpec("vehicules", OLD, _columns("num_acc senc catv occutc obs obsm choc manv num_veh")),
    LayoutSpec(
        "vehicules",
        NEW,
        _columns("num_acc id_vehicule num_veh senc catv obs obsm choc manv motor occutc"),
    ),
    LayoutSpec(
        "usagers",
        OLD,
        _columns("num_acc place catu grav sexe trajet secu locp actp etatp an_nais num_veh"),
    ),
    LayoutSpec(
        "usagers",
        NEW,
        _columns(
            "num_acc id_vehicule num_veh place catu grav sexe an_nais trajet secu1 secu2 secu3"
            " locp actp etatp"
        ),
        optional=("id_usager",),
    ),
)

_IS_NEW: dict[BaacTable, Callable[[set[str]], bool]] = {
    # Columns that only one of the two layouts has.
    "caracteristiques": lambda names: "gps" not in names,
    "lieux": lambda names: "vma" in names,
    "vehicules": lambda names: "id_vehicule" in names or "motor" in names,
    "usagers": lambda names: "secu1" in names,
}


def normalise_header(name: str) -> str:
    key = name.strip().strip('"').strip().lower()
    return KEY_ALIASES.get(key, key)


def detect_layout(table: BaacTable, header: tuple[str, ...]) -> LayoutSpec:
    """The layout of a file, told by the columns only one layout has."""
    layout = NEW if _IS_NEW[table](set(header)) else OLD
    return next(s for s in SPECS if s.table == table and s.layout == layout)


def missing_columns(spec: LayoutSpec, header: tuple[str, ...]) -> list[str]:
    return [c for c in spec.required if c not in header]


Converter = Callable[[ColumnConverter, Layout], dict[str, pa.Array]]


def _ints(conv: ColumnConverter, *columns: str) -> dict[str, pa.Array]:
    return {c: conv.integer(c) for c in columns}


def _departement(conv: ColumnConverter, layout: Layout) -> pa.Array:
    """INSEE departement codes; old files write the code followed by 0 (`590`, `201` = 2A),
    Corsica sometimes as `2A0`/`2B0` or `2A`/`2B`, overseas as they are (`971`)."""
    cells = pc.utf8_upper(conv.cleaned("dep", numeric=True))
    if layout == NEW:
        return pc.if_else(
            pc.equal(pc.utf8_length(cells), 1), pc.binary_join_element_wise("0", cells, ""), cells
        )
    lettered = pc.fill_null(pc.match_substring_regex(cells, r"^2[AB]0?$"), False)
    number = conv.whole("dep", pc.if_else(lettered, None, cells))
    tens = pc.cast(pc.divide(number, 10), pa.string())
    padded = pc.utf8_lpad(tens, 2, "0")
    corsica = pc.if_else(
        pc.equal(number, 201), "2A", pc.if_else(pc.equal(number, 202), "2B", padded)
    )
    overseas = pc.greater_equal(number, 970)
    numbered = pc.if_else(overseas, pc.cast(number, pa.string()), corsica)
    return pc.if_else(lettered, pc.utf8_slice_codeunits(cells, 0, 2), numbered)


def _commune(conv: ColumnConverter, layout: Layout, dep: pa.Array) -> pa.Array:
    """INSEE commune codes; old files give the 3-digit number inside the departement."""
    cells = pc.utf8_upper(conv.cleaned("com"))
    if layout == NEW:
        return pc.if_else(pc.less(pc.utf8_length(cells), 5), pc.utf8_lpad(cells, 5, "0"), cells)
    number = pc.utf8_lpad(pc.replace_substring_regex(cells, r"\.0*$", ""), 3, "0")
    prefix = pc.utf8_slice_codeunits(dep, 0, 2)
    # A re-published old file may already give the 5-character INSEE code.
    whole = pc.equal(pc.utf8_length(number), 5)
    return pc.if_else(whole, number, pc.binary_join_element_wise(prefix, number, ""))


def _coordinates(conv: ColumnConverter, layout: Layout) -> tuple[pa.Array, pa.Array]:
    """Degrees. Old files give integers in 1/100000 degree; a cell written with a decimal
    point or comma and within range is already in degrees (re-saved files). A pair is kept
    whole or not at all; a value out of range is unknown and drops its pair."""
    lat, lon = conv.decimal("lat"), conv.decimal("long")
    if layout == OLD:
        lat, lon = (
            _old_degrees(conv.cleaned(name, numeric=True), values, limit)
            for name, values, limit in (("lat", lat, 90.0), ("long", lon, 180.0))
        )
    unknown = pc.fill_null(pc.or_kleene(pc.is_null(lat), pc.is_null(lon)), True)
    for name, values, limit in (("lat", lat, 90.0), ("long", lon, 180.0)):
        out = pc.fill_null(pc.greater(pc.abs(values), limit), False)
        conv.invalid(
            out.to_numpy(zero_copy_only=False), name, "range", f"is outside +-{limit:g} degrees"
        )
        unknown = pc.or_(unknown, out)
    return pc.if_else(unknown, None, lat), pc.if_else(unknown, None, lon)


def _old_degrees(cells: pa.Array, values: pa.Array, limit: float) -> pa.Array:
    written_in_degrees = pc.and_(
        pc.fill_null(pc.match_substring_regex(cells, "[.,]"), False),
        pc.fill_null(pc.less_equal(pc.abs(values), limit), False),
    )
    return pc.if_else(written_in_degrees, values, pc.divide(values, 100_000.0))


def _width(conv: ColumnConverter, layout: Layout, column: str) -> pa.Array:
    """Metres. 2019+ files give metres (`5,5`); 2005-2018 files give whole decimetres (`060`
    = 6 m, `58.0` where exported as floats). An old cell with a decimal comma or a fraction is
    already in metres (a re-saved file): no decimetre value has one."""
    values = conv.decimal(column)
    if layout == NEW:
        return values
    cells = conv.cleaned(column, numeric=True)
    in_metres = pc.or_(
        pc.fill_null(pc.match_substring(cells, ","), False),
        pc.fill_null(pc.not_equal(values, pc.floor(values)), False),
    )
    return pc.if_else(in_metres, values, pc.divide(values, 10.0))


def _time(conv: ColumnConverter) -> tuple[pa.Array, pa.Array]:
    """Hour and minute from `HH:MM` (new files) or `HHMM` without leading zeros (old files),
    whichever a cell holds (`1445.0` too); a time that is neither is unknown."""
    cells = conv.code("hrmn")
    parts = pc.extract_regex(cells, r"^(?P<h>\d{1,2}):?(?P<m>\d{2})$|^(?P<s>\d{1,2})$")
    bad = pc.and_kleene(pc.is_valid(cells), pc.is_null(parts)).to_numpy(zero_copy_only=False)

    def number(name: str) -> pa.Array:
        part = pc.struct_field(parts, name)
        return pc.cast(pc.if_else(pc.equal(part, ""), None, part), pa.int64())

    short = pc.fill_null(pc.is_valid(number("s")), False)
    hour = pc.if_else(short, 0, number("h"))
    minute = pc.if_else(short, number("s"), number("m"))
    out = pc.fill_null(pc.or_(pc.greater(hour, 23), pc.greater(minute, 59)), False)
    bad |= out.to_numpy(zero_copy_only=False)
    conv.invalid(bad, "hrmn", "type", "is not a time of day (HH:MM or HHMM)")
    keep = pa.array(~bad)
    return pc.if_else(keep, hour, None), pc.if_else(keep, minute, None)


def caracteristiques(conv: ColumnConverter, layout: Layout) -> dict[str, pa.Array]:
    year = conv.integer("an")
    if layout == OLD:
        year = pc.if_else(pc.less(year, 100), pc.add(year, 2000), year)
    month, day = conv.integer("mois"), conv.integer("jour")
    date_text = pc.binary_join_element_wise(
        pc.cast(year, pa.string()),
        pc.utf8_lpad(pc.cast(month, pa.string()), 2, "0"),
        pc.utf8_lpad(pc.cast(day, pa.string()), 2, "0"),
        "-",
    )
    parsed = pc.strptime(date_text, "%Y-%m-%d", "s", error_is_null=True)
    # strptime takes 3-digit years and rolls 30 February over to 2 March: a real date has four
    # year digits and keeps its month and day (compared as numbers: formatting the dates back
    # to text took a third of the file's read).
    same_day = pc.and_(pc.equal(pc.month(parsed), month), pc.equal(pc.day(parsed), day))
    real = pc.and_(pc.greater_equal(year, 1000), same_day)
    accident_date = pc.cast(pc.if_else(real, parsed, None), pa.date32())
    invalid_date = pc.and_kleene(pc.is_valid(date_text), pc.is_null(accident_date))
    conv.reject(
        invalid_date.to_numpy(zero_copy_only=False),
        "jour",
        date_text,
        "date",
        "is not a valid date",
    )
    hour, minute = _time(conv)
    dep = _departement(conv, layout)
    lat, lon = _coordinates(conv, layout)
    columns = {
        "num_acc": conv.identifier("num_acc"),
        "year": year,
        "month": month,
        "day": day,
        "hour": hour,
        "minute": minute,
        "accident_date": accident_date,
        **_ints(conv, "lum", "agg", "atm", "col"),
        "inter": conv.integer("int"),
        "dep": dep,
        "com": _commune(conv, layout, dep),
        "adr": conv.text("adr"),
        "gps": pc.utf8_upper(conv.cleaned("gps")),
        "lat": lat,
        "lon": lon,
    }
    for required in ("num_acc", "year", "month", "day", "dep"):
        conv.require(required if required != "year" else "an", columns[required])
    return columns


def lieux(conv: ColumnConverter, layout: Layout) -> dict[str, pa.Array]:
    columns = {
        "num_acc": conv.identifier("num_acc"),
        **_ints(conv, "catr", "circ", "nbv", "vosp", "prof", "plan", "surf", "infra", "situ"),
        "voie": conv.text("voie"),
        "v1": conv.code("v1"),
        "v2": conv.code("v2"),
        "pr": conv.code("pr"),
        "pr1": conv.code("pr1"),
        "lartpc": _width(conv, layout, "lartpc"),
        "larrout": _width(conv, layout, "larrout"),
        "env1": conv.integer("env1"),
        "vma": conv.integer("vma"),
    }
    conv.require("num_acc", columns["num_acc"])
    return columns


def vehicules(conv: ColumnConverter, layout: Layout) -> dict[str, pa.Array]:
    num_veh = pc.utf8_upper(conv.cleaned("num_veh"))
    columns = {
        "num_acc": conv.identifier("num_acc"),
        "num_veh": num_veh,
        "id_vehicule": conv.identifier("id_vehicule"),
        **_ints(conv, "senc", "catv", "occutc", "obs", "obsm", "choc", "manv", "motor"),
    }
    conv.require("num_acc", columns["num_acc"])
    conv.require("num_veh", num_veh)
    return columns


def _old_safety(secu: pa.Array) -> pa.Array:
    """`secu` (kind then use) into `secu1`: the kind when worn, 0 not worn, 8 unknown."""
    kind, use = pc.divide(secu, 10), pc.subtract(secu, pc.multiply(pc.divide(secu, 10), 10))
    return pc.if_else(
        pc.less(secu, 10),
        8,
        pc.if_else(pc.equal(use, 1), kind, pc.if_else(pc.equal(use, 2), 0, 8)),
    )


def usagers(conv: ColumnConverter, layout: Layout) -> dict[str, pa.Array]:
    num_veh = pc.utf8_upper(conv.cleaned("num_veh"))
    if layout == OLD:
        raw = conv.integer("secu")
        none = pa.nulls(conv.row_count, pa.int64())
        secu = {"secu_raw": raw, "secu1": _old_safety(raw), "secu2": none, "secu3": none}
    else:
        secu = {
            "secu_raw": pa.nulls(conv.row_count, pa.int64()),
            **_ints(conv, "secu1", "secu2", "secu3"),
        }
    columns = {
        "num_acc": conv.identifier("num_acc"),
        "id_usager": conv.identifier("id_usager"),
        "id_vehicule": conv.identifier("id_vehicule"),
        "num_veh": num_veh,
        **_ints(conv, "place", "catu", "grav", "sexe", "an_nais", "trajet", "locp", "etatp"),
        **secu,
        "actp": pc.utf8_upper(conv.code("actp")),
    }
    conv.require("num_acc", columns["num_acc"])
    return columns


CONVERTERS: dict[BaacTable, Converter] = {
    "caracteristiques": caracteristiques,
    "lieux": lieux,
    "vehicules": vehicules,
    "usagers": usagers,
}
