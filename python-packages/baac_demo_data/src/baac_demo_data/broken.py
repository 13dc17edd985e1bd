"""Broken copies of a demo year folder, one defect each, for tests of ingestion errors.

Each variant copies the four files of a generated year and damages one of them the way real
deliveries go wrong; the report says which file, line (header = 1) and column were damaged,
so a test can check that the platform's message points at the right place.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, get_args

import numpy as np

from baac_demo_data.layouts import TABLES, file_format

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from baac_demo_data.layouts import FileFormat
    from road_accidents_database_ingestion.tables import BaacTable

BrokenKind = Literal[
    "missing_file",
    "duplicate_candidate",
    "missing_column",
    "wrong_separator",
    "truncated_line",
    "undecodable_bytes",
    "duplicate_keys",
    "orphan_persons",
    "orphan_vehicles",
    "out_of_domain_code",
    "empty_file",
    "header_only",
    "year_mismatch",
]
BROKEN_KINDS: tuple[BrokenKind, ...] = get_args(BrokenKind)
UNDECODABLE = b"\x81\x8d"
"""Bytes that neither UTF-8 nor cp1252 can decode."""
WRONG_SEPARATOR = "|"
ORPHAN_LETTER = "Y01"
"""A vehicle letter demo accidents never use (they have at most six vehicles, and Z01)."""
_YEAR_IN_NAME = re.compile(r"(\d{4})\.csv$")


@dataclass(frozen=True)
class BrokenReport:
    """What was damaged: `file` (absent for `missing_file`), its lines and column."""

    kind: BrokenKind
    file: Path
    lines: tuple[int, ...] = ()
    column: str | None = None
    value: str | None = None
    description: str = ""

    @property
    def line(self) -> int | None:
        return self.lines[0] if self.lines else None


class _Folder:
    """The copied year folder: reads and rewrites its files in their own format."""

    def __init__(self, path: Path, year: int) -> None:
        self.path = path
        self.year = year

    def format(self, table: BaacTable) -> FileFormat:
        return file_format(self.year, table)

    def file(self, table: BaacTable) -> Path:
        return self.path / self.format(table).name

    def read(self, table: BaacTable) -> tuple[list[str], list[list[str]]]:
        fmt = self.format(table)
        text = self.file(table).read_bytes().decode(fmt.encoding)
        header, *rows = csv.reader(io.StringIO(text, newline=""), delimiter=fmt.separator)
        return header, rows

    def render(
        self, table: BaacTable, rows: list[list[str]], separator: str | None = None
    ) -> bytes:
        fmt = self.format(table)
        buffer = io.StringIO(newline="")
        writer = csv.writer(
            buffer,
            delimiter=separator or fmt.separator,
            quoting=csv.QUOTE_ALL if fmt.quote_all else csv.QUOTE_MINIMAL,
            lineterminator="\n",
        )
        writer.writerows(rows)
        return buffer.getvalue().encode(fmt.encoding)

    def write(self, table: BaacTable, rows: list[list[str]], separator: str | None = None) -> Path:
        path = self.file(table)
        path.write_bytes(self.render(table, rows, separator))
        return path


def _line(row_index: int) -> int:
    """File line of a data row (the header is line 1)."""
    return row_index + 2


def _ids(cells: list[str]) -> int:
    return max(int(c.replace("\u00a0", "").replace(" ", "")) for c in cells)


def _grouped(value: int) -> str:
    return f"{value:,}".replace(",", "\u00a0")


def _missing_file(folder: _Folder, rng: np.random.Generator) -> BrokenReport:
    path = folder.file("usagers")
    path.unlink()
    return BrokenReport("missing_file", path, description="the usagers file is missing")


def _duplicate_candidate(folder: _Folder, rng: np.random.Generator) -> BrokenReport:
    original = folder.file("caracteristiques")
    copy = folder.path / f"Caracteristiques-{folder.year}-v2.csv"
    shutil.copyfile(original, copy)
    return BrokenReport(
        "duplicate_candidate",
        copy,
        value=original.name,
        description=f"{copy.name} and {original.name} both look like caracteristiques",
    )


def _missing_column(folder: _Folder, rng: np.random.Generator) -> BrokenReport:
    header, rows = folder.read("usagers")
    position = header.index("grav")
    path = folder.write(
        "usagers", [[c for i, c in enumerate(r) if i != position] for r in [header, *rows]]
    )
    return BrokenReport("missing_column", path, (1,), "grav", description="usagers has no grav")


def _wrong_separator(folder: _Folder, rng: np.random.Generator) -> BrokenReport:
    header, rows = folder.read("lieux")
    path = folder.write("lieux", [header, *rows], separator=WRONG_SEPARATOR)
    return BrokenReport(
        "wrong_separator",
        path,
        (1,),
        value=WRONG_SEPARATOR,
        description=f"lieux is separated by {WRONG_SEPARATOR!r}",
    )


def _truncated_line(folder: _Folder, rng: np.random.Generator) -> BrokenReport:
    header, rows = folder.read("vehicules")
    row = int(rng.integers(len(rows)))
    kept = len(header) // 2
    rows[row] = rows[row][:kept]
    path = folder.write("vehicules", [header, *rows])
    return BrokenReport(
        "truncated_line",
        path,
        (_line(row),),
        header[kept],
        description=f"vehicules line {_line(row)} stops before column {header[kept]}",
    )


def _undecodable_bytes(folder: _Folder, rng: np.random.Generator) -> BrokenReport:
    header, rows = folder.read("caracteristiques")
    row = int(rng.integers(len(rows)))
    marker = "@@undecodable@@"
    position = header.index("adr")
    rows[row][position] = f"{rows[row][position]}{marker}"
    content = folder.render("caracteristiques", [header, *rows])
    path = folder.file("caracteristiques")
    path.write_bytes(content.replace(marker.encode(), UNDECODABLE))
    return BrokenReport(
        "undecodable_bytes",
        path,
        (_line(row),),
        "adr",
        f"0x{UNDECODABLE.hex()}",
        description="bytes 0x81 0x8d are neither UTF-8 nor cp1252",
    )


def _duplicate_keys(folder: _Folder, rng: np.random.Generator) -> BrokenReport:
    header, rows = folder.read("caracteristiques")
    row = int(rng.integers(len(rows)))
    rows.insert(row + 1, list(rows[row]))
    path = folder.write("caracteristiques", [header, *rows])
    return BrokenReport(
        "duplicate_keys",
        path,
        (_line(row + 1),),
        header[0],
        rows[row][0],
        description=f"accident {rows[row][0]} appears on lines {_line(row)} and {_line(row + 1)}",
    )


def _orphan_persons(folder: _Folder, rng: np.random.Generator) -> BrokenReport:
    header, rows = folder.read("usagers")
    row = int(rng.integers(len(rows)))
    orphan = list(rows[row])
    orphan[header.index("num_veh")] = ORPHAN_LETTER
    for id_column in ("id_vehicule", "id_usager"):
        if id_column in header:
            position = header.index(id_column)
            orphan[position] = _grouped(_ids([r[position] for r in rows]) + 1)
    rows.insert(row + 1, orphan)
    path = folder.write("usagers", [header, *rows])
    return BrokenReport(
        "orphan_persons",
        path,
        (_line(row + 1),),
        "num_veh",
        ORPHAN_LETTER,
        description=f"a person of accident {orphan[0]} belongs to no vehicle",
    )


def _orphan_vehicles(folder: _Folder, rng: np.random.Generator) -> BrokenReport:
    header, rows = folder.read("vehicules")
    _, accidents = folder.read("caracteristiques")
    orphan = list(rows[int(rng.integers(len(rows)))])
    orphan[0] = str(max(int(a[0]) for a in accidents) + 1)
    if "id_vehicule" in header:
        position = header.index("id_vehicule")
        orphan[position] = _grouped(_ids([r[position] for r in rows]) + 1)
    rows.append(orphan)
    path = folder.write("vehicules", [header, *rows])
    return BrokenReport(
        "orphan_vehicles",
        path,
        (_line(len(rows) - 1),),
        header[0],
        orphan[0],
        description=f"a vehicle of accident {orphan[0]}, which caracteristiques lacks",
    )


def _out_of_domain_code(folder: _Folder, rng: np.random.Generator) -> BrokenReport:
    header, rows = folder.read("caracteristiques")
    row = int(rng.integers(len(rows)))
    rows[row][header.index("lum")] = "8"
    path = folder.write("caracteristiques", [header, *rows])
    return BrokenReport(
        "out_of_domain_code", path, (_line(row),), "lum", "8", description="lum 8 is no code"
    )


def _empty_file(folder: _Folder, rng: np.random.Generator) -> BrokenReport:
    path = folder.file("vehicules")
    path.write_bytes(b"")
    return BrokenReport("empty_file", path, description="vehicules has 0 bytes")


def _header_only(folder: _Folder, rng: np.random.Generator) -> BrokenReport:
    header, _ = folder.read("lieux")
    path = folder.write("lieux", [header])
    return BrokenReport("header_only", path, (1,), description="lieux has no data row")


def _year_mismatch(folder: _Folder, rng: np.random.Generator) -> BrokenReport:
    header, rows = folder.read("caracteristiques")
    picked = sorted(int(r) for r in rng.choice(len(rows), size=min(3, len(rows)), replace=False))
    position = header.index("an")
    other = folder.year - 1
    value = str(other) if len(rows[0][position]) == 4 else str(other - 2000)
    for row in picked:
        rows[row][position] = value
    path = folder.write("caracteristiques", [header, *rows])
    return BrokenReport(
        "year_mismatch",
        path,
        tuple(_line(r) for r in picked),
        "an",
        value,
        description=f"{len(picked)} accidents of the {folder.year} file say they are of {other}",
    )


_BREAKERS: dict[BrokenKind, Callable[[_Folder, np.random.Generator], BrokenReport]] = {
    "missing_file": _missing_file,
    "duplicate_candidate": _duplicate_candidate,
    "missing_column": _missing_column,
    "wrong_separator": _wrong_separator,
    "truncated_line": _truncated_line,
    "undecodable_bytes": _undecodable_bytes,
    "duplicate_keys": _duplicate_keys,
    "orphan_persons": _orphan_persons,
    "orphan_vehicles": _orphan_vehicles,
    "out_of_domain_code": _out_of_domain_code,
    "empty_file": _empty_file,
    "header_only": _header_only,
    "year_mismatch": _year_mismatch,
}


def _folder_year(year_dir: Path) -> int:
    """The year of a demo folder, from its file names (the folder may be named anyhow)."""
    years = {int(m.group(1)) for p in year_dir.iterdir() if (m := _YEAR_IN_NAME.search(p.name))}
    if len(years) != 1:
        raise ValueError(f"{year_dir} is not one demo year folder (file years: {sorted(years)})")
    return years.pop()


def write_broken_variant(
    year_dir: Path, out_dir: Path, kind: BrokenKind, seed: int = 0
) -> BrokenReport:
    """Copy the demo year in `year_dir` to `out_dir` (new or empty) with one defect of `kind`;
    `seed` picks the damaged rows."""
    if kind not in _BREAKERS:
        raise ValueError(f"unknown kind {kind!r}; one of {', '.join(BROKEN_KINDS)}")
    year = _folder_year(year_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if any(out_dir.iterdir()):
        raise FileExistsError(f"{out_dir} is not empty")
    folder = _Folder(out_dir, year)
    for table in TABLES:
        shutil.copyfile(year_dir / folder.format(table).name, folder.file(table))
    return _BREAKERS[kind](folder, np.random.default_rng(seed))
