"""How each BAAC layout writes "not given" or "not applicable", column by column, as data.

The readers turn exactly these cells into NULL (and count them in the file's profile); the
data dictionary prints this table. Nothing else in the code decides that a cell means "not
given". Cells are compared after trimming spaces; in a numeric column a numeric entry matches
by value, so `0` also covers `00`, `000` and `0.0`, and `-1` covers `" -1"` and `-1.0`.

`0` is "not given" in the 2005-2018 files only in columns whose code list has no 0; where the
list has a 0 ("none", "unknown"), the 0 is a code and stays.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

Meaning = Literal["not given", "not applicable"]
ANY = "*"
"""In `table`, `column` or `layout`: every one."""


@dataclass(frozen=True)
class NotGiven:
    """One way a layout writes that a column's value is missing."""

    table: str
    """BAAC table (`caracteristiques`, `lieux`, `vehicules`, `usagers`) or ANY."""
    column: str
    """Column as named in the file's header (lower case), or ANY."""
    layout: str
    """`2005-2018`, `2019+` or ANY."""
    value: str
    """The cell, trimmed (numbers match by value in numeric columns)."""
    meaning: Meaning
    note: str = ""

    @property
    def number(self) -> int | None:
        """The value as an integer when it is one (it then matches by value)."""
        try:
            return int(self.value)
        except ValueError:
            return None


def _each(
    table: str, columns: str, layout: str, value: str, meaning: Meaning, note: str = ""
) -> tuple[NotGiven, ...]:
    return tuple(NotGiven(table, c, layout, value, meaning, note) for c in columns.split())


OLD, NEW = "2005-2018", "2019+"

NOT_GIVEN: tuple[NotGiven, ...] = (
    NotGiven(ANY, ANY, ANY, "", "not given", 'An empty cell (`""` when quoted).'),
    NotGiven(ANY, ANY, ANY, "-1", "not given", 'The 2019+ marker, often written `" -1"`.'),
    NotGiven(ANY, ANY, ANY, "N/A", "not given", "2019+ text columns (`adr`, `voie`, `v2`)."),
    NotGiven(ANY, ANY, ANY, "NA", "not given", "Files re-saved by R or a spreadsheet."),
    NotGiven(ANY, ANY, ANY, "#ERREUR", "not given", "A spreadsheet error left in the file."),
    *_each("lieux", "pr pr1", ANY, "(1)", "not given", "Milestone unknown."),
    *_each(
        "caracteristiques",
        "lat long",
        ANY,
        "0",
        "not given",
        "No coordinates (the other one of the pair is then dropped too).",
    ),
    *_each(
        "caracteristiques",
        "lum agg int atm col",
        OLD,
        "0",
        "not given",
        "The code list has no 0.",
    ),
    *_each("lieux", "catr circ prof plan surf", OLD, "0", "not given", "The code list has no 0."),
    *_each("lieux", "larrout", OLD, "0", "not given", "`000`: no carriageway width given."),
    *_each("usagers", "place catu grav sexe", OLD, "0", "not given", "The code list has no 0."),
    *_each("usagers", "secu", OLD, "0", "not given", "No equipment kind nor use given."),
    *_each(
        "vehicules",
        "occutc",
        OLD,
        "0",
        "not applicable",
        "`000`: not a public-transport vehicle (2019+ files leave the cell empty).",
    ),
)


@dataclass(frozen=True)
class Markers:
    """The "not given" cells of one column of one layout."""

    texts: frozenset[str]
    numbers: frozenset[int]

    @property
    def all_texts(self) -> frozenset[str]:
        """Every marker as text, for columns read as text codes."""
        return self.texts | {str(n) for n in self.numbers}


def _applies(entry: NotGiven, table: str, layout: str, column: str) -> bool:
    return (
        entry.table in (ANY, table)
        and entry.layout in (ANY, layout)
        and entry.column in (ANY, column)
    )


@cache
def markers(table: str, layout: str, column: str) -> Markers:
    """What means "not given" in `column` of `table` files of `layout`."""
    entries = [e for e in NOT_GIVEN if _applies(e, table, layout, column)]
    return Markers(
        frozenset(e.value for e in entries if e.number is None),
        frozenset(e.number for e in entries if e.number is not None),
    )
