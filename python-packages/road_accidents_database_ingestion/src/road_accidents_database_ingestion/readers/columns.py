"""Vectorised conversion of raw BAAC text columns, counting what is not given or unknown.

Every conversion first trims the cell and turns the layout's "not given" cells (the table of
`not_given.py`, nothing else) into NULL, then parses it. A cell that does not parse, or a code
outside its column's list, costs the value, not the row: it becomes NULL and is kept as an
`Unknown` (line, column, raw text). Only the columns that make a row usable (`ROW_COLUMNS`:
the keys and the date) reject the row instead, with a Reject naming line, column and value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from road_accidents_database_ingestion.not_given import Markers, markers
from road_accidents_database_ingestion.problems import Reject

if TYPE_CHECKING:
    from collections.abc import Mapping

_DECIMAL = r"^[+-]?(\d+(\.\d*)?|\.\d+)$"
_TRIM = " \t\u00a0"
_THOUSANDS = (" ", "\u00a0", "\u202f")
"""Thousands separators found in ids: space, no-break space, narrow no-break space."""
MAX_REJECTS_PER_COLUMN = 1000
ROW_COLUMNS = frozenset({"num_acc", "an", "mois", "jour", "dep", "num_veh"})
"""Columns without which a row is unusable: a bad cell there rejects the row."""


@dataclass(frozen=True)
class Unknown:
    """A cell that is neither a value of its column nor a "not given": kept as written."""

    line: int
    column: str
    raw: str
    why: str


@dataclass(frozen=True)
class ColumnProfile:
    """Of one column of one file: cells read, cells "not given", cells unknown."""

    rows: int
    not_given: int
    unknown: int

    @property
    def not_given_share(self) -> float:
        return self.not_given / self.rows if self.rows else 0.0

    @property
    def unknown_share(self) -> float:
        return self.unknown / self.rows if self.rows else 0.0


@dataclass(frozen=True)
class _Cells:
    """The cells a conversion works on: a column's distinct cells (`positions` maps every row
    to its cell), or every row's own cell (`positions` None). A coded column of 100,000 rows
    has a dozen distinct cells: trimming, matching the "not given" markers and parsing them
    once each, then spreading the results to the rows, costs a fraction of doing it per row."""

    values: pa.Array
    positions: pa.Array | None = None

    def spread(self, values: pa.Array) -> pa.Array:
        """Per row, from per cell."""
        return values if self.positions is None else values.take(self.positions)

    def rows(self, mask: pa.Array) -> np.ndarray:
        """A per-cell mask (NULL = False) as a per-row boolean array."""
        cells = pc.fill_null(mask, False).to_numpy(zero_copy_only=False)
        if self.positions is None:
            return cells
        return cells[self.positions.to_numpy(zero_copy_only=False)]


def _parsed(cells: pa.Array, target: pa.DataType, pattern: str) -> tuple[pa.Array, pa.Array]:
    """`cells` cast to `target`, and which did not fit (NULL there); only when the fast cast
    fails are the cells that don't fit looked for."""
    try:
        return pc.cast(cells, target), pa.array(np.zeros(len(cells), dtype=bool))
    except pa.ArrowInvalid:
        invalid = pc.fill_null(pc.invert(pc.match_substring_regex(cells, pattern)), False)
        return pc.cast(pc.if_else(invalid, None, cells), target), invalid


def _whole_numbers(cells: pa.Array) -> tuple[pa.Array, pa.Array]:
    """int64 from integer text, accepting integers printed as floats (`1.0`), and which cells
    are not integers that int64 holds (NULL there)."""
    try:
        return pc.cast(cells, pa.int64()), pa.array(np.zeros(len(cells), dtype=bool))
    except pa.ArrowInvalid:
        numbers, invalid = _parsed(pc.replace_substring(cells, ",", "."), pa.float64(), _DECIMAL)
        not_whole = pc.or_(
            pc.or_(pc.invert(pc.is_finite(numbers)), pc.not_equal(numbers, pc.floor(numbers))),
            pc.or_(pc.less(numbers, -(2.0**63)), pc.greater_equal(numbers, 2.0**63)),
        )  # ... or beyond int64: `100000000000000000000` is no count and no identifier
        fractional = pc.fill_null(not_whole, False)
        whole = pc.cast(pc.if_else(fractional, None, numbers), pa.int64())
        return whole, pc.or_(invalid, fractional)


class ColumnConverter:
    """Converts the columns of one file, remembering bad rows, unknown cells and "not given"."""

    def __init__(
        self, raw: Mapping[str, pa.Array], lines: np.ndarray, table: str, layout: str
    ) -> None:
        self._raw = raw
        self._table = table
        self._layout = layout
        self.lines = lines
        self.bad = np.zeros(len(lines), dtype=bool)
        self.rejects: list[Reject] = []
        self.unknowns: list[Unknown] = []
        self._not_given: dict[str, np.ndarray] = {}
        self._unknown: dict[str, np.ndarray] = {}
        self._distinct: dict[str, _Cells] = {}
        self._cleaned: dict[tuple[str, bool, bool], pa.Array] = {}

    @property
    def row_count(self) -> int:
        return len(self.lines)

    def has(self, column: str) -> bool:
        return column in self._raw

    def raw(self, column: str) -> pa.Array:
        """The cells of a column as written (a column the layout lacks is all NULL)."""
        if column not in self._raw:
            return pa.nulls(self.row_count, pa.string())
        return self._raw[column]

    def markers(self, column: str) -> Markers:
        return markers(self._table, self._layout, column)

    def _cells(self, column: str, *, distinct: bool) -> _Cells:
        """The column's distinct cells (a column with few values), or every row's cell."""
        if not distinct:
            return _Cells(self.raw(column))
        if column not in self._distinct:
            encoded = pc.dictionary_encode(self.raw(column))
            self._distinct[column] = _Cells(encoded.dictionary, encoded.indices)
        return self._distinct[column]

    def _count_not_given(self, column: str, rows: np.ndarray) -> None:
        """Remember the "not given" rows of `column` (counted once each, by `profile`)."""
        seen = self._not_given.get(column)
        self._not_given[column] = rows if seen is None else seen | rows

    def _clean(self, column: str, cells: _Cells, *, numeric: bool) -> pa.Array:
        """Per cell of `cells`: trimmed, with the column's "not given" text markers as NULL
        (numeric columns match their numeric markers by value once parsed)."""
        key = (column, numeric, cells.positions is not None)
        if key not in self._cleaned:
            trimmed = pc.utf8_trim(cells.values, _TRIM)
            found = self.markers(column)
            texts = found.texts if numeric else found.all_texts
            given = pc.is_in(trimmed, pa.array(sorted(texts), pa.string()))
            if given.true_count:
                self._count_not_given(column, cells.rows(given))
            self._cleaned[key] = pc.if_else(given, None, trimmed)
        return self._cleaned[key]

    def cleaned(self, column: str, *, numeric: bool = False) -> pa.Array:
        """Trimmed cells, with the column's "not given" text markers as NULL (numeric columns
        match their numeric markers by value once parsed)."""
        if not self.has(column):
            return pa.nulls(self.row_count, pa.string())
        cells = self._cells(column, distinct=True)
        return cells.spread(self._clean(column, cells, numeric=numeric))

    def _without_numbers(self, column: str, values: pa.Array, cells: _Cells) -> pa.Array:
        """NULL for the column's numeric "not given" markers (`0` matches `00` and `0.0`)."""
        numbers = self.markers(column).numbers
        if not numbers or not self.has(column):
            return values
        given = pc.fill_null(pc.is_in(values, pa.array(sorted(numbers), values.type)), False)
        if not given.true_count:
            return values
        self._count_not_given(column, cells.rows(given))
        return pc.if_else(given, None, values)

    def reject(self, mask: np.ndarray, column: str, values: pa.Array, rule: str, what: str) -> None:
        """Mark the rows of `mask` bad, recording one Reject per row (bounded per column)."""
        rows = np.flatnonzero(mask & ~self.bad)
        if rows.size == 0:
            return
        self.bad[rows] = True
        shown = values.take(pa.array(rows[:MAX_REJECTS_PER_COLUMN]))
        for row, value in zip(rows[:MAX_REJECTS_PER_COLUMN], shown.to_pylist(), strict=True):
            self.rejects.append(
                Reject(int(self.lines[row]), column, value, rule, f"{column}: {value!r} {what}")
            )

    def unknown(self, mask: np.ndarray, column: str, what: str) -> None:
        """Record the cells of `mask` as unknown values of `column` (the caller NULLs them)."""
        rows = np.flatnonzero(mask)
        if rows.size == 0:
            return
        seen = self._unknown.get(column)
        if seen is None:
            seen = self._unknown[column] = np.zeros(self.row_count, dtype=bool)
        seen[rows] = True
        raw = self.raw(column).take(pa.array(rows)).to_pylist()
        self.unknowns.extend(
            Unknown(int(self.lines[row]), column, value, what)
            for row, value in zip(rows, raw, strict=True)
        )

    def invalid(self, mask: np.ndarray, column: str, rule: str, what: str) -> None:
        """A cell that cannot be used: rejects the row in a ROW_COLUMNS column, else unknown."""
        if column in ROW_COLUMNS:
            self.reject(mask, column, self.raw(column), rule, what)
        else:
            self.unknown(mask, column, what)

    def _invalid_cells(self, column: str, cells: _Cells, invalid: pa.Array, what: str) -> None:
        if invalid.true_count:
            self.invalid(cells.rows(invalid), column, "type", what)

    def _numbers(self, column: str, target: pa.DataType) -> pa.Array:
        """The column parsed as int64 or float64 once per distinct cell, then spread."""
        if not self.has(column):
            return pa.nulls(self.row_count, target)
        cells = self._cells(column, distinct=True)
        cleaned = self._clean(column, cells, numeric=True)
        if target == pa.int64():
            values, invalid = _whole_numbers(cleaned)
            self._invalid_cells(column, cells, invalid, "is not an integer")
        else:
            points = pc.replace_substring(cleaned, ",", ".")
            values, invalid = _parsed(points, target, _DECIMAL)
            self._invalid_cells(column, cells, invalid, "is not a number")
        return cells.spread(self._without_numbers(column, values, cells))

    def integer(self, column: str) -> pa.Array:
        """int64 cells; integers printed as floats (`1.0`) are accepted."""
        return self._numbers(column, pa.int64())

    def whole(self, column: str, cells: pa.Array) -> pa.Array:
        """int64 of `cells` (cleaned cells of `column`, perhaps narrowed by the caller)."""
        rows = _Cells(cells)
        values, invalid = _whole_numbers(cells)
        self._invalid_cells(column, rows, invalid, "is not an integer")
        return self._without_numbers(column, values, rows)

    def decimal(self, column: str) -> pa.Array:
        """float64 cells; decimal commas are accepted."""
        return self._numbers(column, pa.float64())

    def identifier(self, column: str) -> pa.Array:
        """int64 ids printed with (no-break) space thousands separators: `201 764` (ids are
        nearly all distinct: converted row by row)."""
        if not self.has(column):
            return pa.nulls(self.row_count, pa.int64())
        rows = self._cells(column, distinct=False)
        compact = self._clean(column, rows, numeric=False)
        # Separators are removed only while some cell has one: a cast that fails costs a
        # formatted error per bad cell.
        for separator in _THOUSANDS:
            if pc.all(pc.ascii_is_decimal(compact)).as_py() is not False:
                break
            compact = pc.replace_substring(compact, separator, "")
        values, invalid = _whole_numbers(compact)
        self._invalid_cells(column, rows, invalid, "is not an integer")
        return values

    def code(self, column: str) -> pa.Array:
        """Text codes (`actp`: digits and letters); integers printed as floats lose `.0`."""
        if not self.has(column):
            return pa.nulls(self.row_count, pa.string())
        cells = self._cells(column, distinct=True)
        cleaned = self._clean(column, cells, numeric=False)
        return cells.spread(pc.replace_substring_regex(cleaned, r"^(\d+)\.0*$", r"\1"))

    def text(self, column: str) -> pa.Array:
        """Free text kept verbatim (spaces included); NULL when only a "not given" marker
        (nearly all distinct: matched row by row)."""
        raw = self.raw(column)
        if not self.has(column):
            return raw
        cleaned = self._clean(column, self._cells(column, distinct=False), numeric=False)
        return pc.if_else(pc.is_null(cleaned), None, raw)

    def require(self, column: str, values: pa.Array) -> None:
        """Reject rows where a mandatory value is missing."""
        missing = pc.is_null(values).to_numpy(zero_copy_only=False) & ~self.bad
        self.reject(missing, column, self.raw(column), "required", "is required")

    def domain(self, column: str, values: pa.Array, allowed: pa.Array, what: str) -> pa.Array:
        """`values` with codes outside `allowed` as NULL, each kept as an unknown of `column`."""
        inside = pc.is_in(values, allowed)
        if inside.true_count + values.null_count == len(values):
            return values
        outside = pc.and_(pc.is_valid(values), pc.invert(inside))
        mask = pc.fill_null(outside, False).to_numpy(zero_copy_only=False)
        self.invalid(mask, column, "domain", what)
        return pc.if_else(pa.array(mask), None, values)

    def within(self, column: str, values: pa.Array, low: int, high: int, what: str) -> pa.Array:
        """`values` with numbers outside [low, high] as NULL, each kept as an unknown."""
        outside = pc.or_(pc.less(values, low), pc.greater(values, high))
        if not pc.any(outside).as_py():
            return values
        mask = pc.fill_null(outside, False).to_numpy(zero_copy_only=False)
        self.invalid(mask, column, "range", what)
        return pc.if_else(pa.array(mask), None, values)

    def profile(self, columns: tuple[str, ...]) -> dict[str, ColumnProfile]:
        """Per column of the file: rows, "not given" and unknown cells (among kept rows)."""
        kept = ~self.bad
        rows = int(kept.sum())
        out = {}
        for column in columns:
            if not self.has(column):
                continue
            given = self._not_given.get(column)
            unknown = self._unknown.get(column)
            out[column] = ColumnProfile(
                rows,
                int((given & kept).sum()) if given is not None else 0,
                int((unknown & kept).sum()) if unknown is not None else 0,
            )
        return out
