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
        self._not_given: dict[str, list[pa.Array]] = {}
        self._unknown: dict[str, np.ndarray] = {}
        self._cleaned: dict[str, pa.Array] = {}

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

    def _count_not_given(self, column: str, mask: pa.Array) -> None:
        """Remember the "not given" cells of `column` (counted once, by `profile`)."""
        self._not_given.setdefault(column, []).append(mask)

    def cleaned(self, column: str, *, numeric: bool = False) -> pa.Array:
        """Trimmed cells, with the column's "not given" text markers as NULL (numeric columns
        match their numeric markers by value once parsed)."""
        key = f"{column}#{numeric}"
        if key not in self._cleaned:
            trimmed = pc.utf8_trim(self.raw(column), _TRIM)
            found = self.markers(column)
            texts = found.texts if numeric else found.all_texts
            given = pc.is_in(trimmed, pa.array(sorted(texts), pa.string()))
            if self.has(column):
                self._count_not_given(column, given)
            self._cleaned[key] = pc.if_else(given, None, trimmed)
        return self._cleaned[key]

    def _without_numbers(self, column: str, values: pa.Array) -> pa.Array:
        """NULL for the column's numeric "not given" markers (`0` matches `00` and `0.0`)."""
        numbers = self.markers(column).numbers
        if not numbers or not self.has(column):
            return values
        if len(numbers) == 1:
            given = pc.fill_null(
                pc.equal(values, pa.scalar(next(iter(numbers)), values.type)), False
            )
        else:
            given = pc.is_in(values, pa.array(sorted(numbers), values.type))
        if not given.true_count:
            return values
        self._count_not_given(column, given)
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

    def _invalid(self, cells: pa.Array, pattern: str) -> np.ndarray:
        matches = pc.match_substring_regex(cells, pattern)
        return pc.fill_null(pc.invert(matches), False).to_numpy(zero_copy_only=False)

    def _parse(
        self, column: str, cells: pa.Array, target: pa.DataType, pattern: str, what: str
    ) -> pa.Array:
        """Cast `cells`; only when the fast cast fails, find the cells that don't fit."""
        try:
            return pc.cast(cells, target)
        except pa.ArrowInvalid:
            invalid = self._invalid(cells, pattern)
            self.invalid(invalid, column, "type", what)
            return pc.cast(pc.if_else(pa.array(invalid), None, cells), target)

    def _whole(self, column: str, cells: pa.Array) -> pa.Array:
        """int64 from integer text, accepting integers printed as floats (`1.0`)."""
        try:
            return pc.cast(cells, pa.int64())
        except pa.ArrowInvalid:
            points = pc.replace_substring(cells, ",", ".")
            numbers = self._parse(column, points, pa.float64(), _DECIMAL, "is not an integer")
            not_whole = pc.or_(
                pc.invert(pc.is_finite(numbers)), pc.not_equal(numbers, pc.floor(numbers))
            )
            fractional = pc.fill_null(not_whole, False)
            self.invalid(
                fractional.to_numpy(zero_copy_only=False), column, "type", "is not an integer"
            )
            return pc.cast(pc.if_else(fractional, None, numbers), pa.int64())

    def integer(self, column: str) -> pa.Array:
        """int64 cells; integers printed as floats (`1.0`) are accepted."""
        return self.whole(column, self.cleaned(column, numeric=True))

    def whole(self, column: str, cells: pa.Array) -> pa.Array:
        """int64 of `cells` (cleaned cells of `column`, perhaps narrowed by the caller)."""
        return self._without_numbers(column, self._whole(column, cells))

    def decimal(self, column: str) -> pa.Array:
        """float64 cells; decimal commas are accepted."""
        cells = pc.replace_substring(self.cleaned(column, numeric=True), ",", ".")
        numbers = self._parse(column, cells, pa.float64(), _DECIMAL, "is not a number")
        return self._without_numbers(column, numbers)

    def identifier(self, column: str) -> pa.Array:
        """int64 ids printed with (no-break) space thousands separators: `201 764`."""
        compact = pc.replace_substring_regex(self.cleaned(column), "[ \u00a0\u202f]", "")
        return self._whole(column, compact)

    def code(self, column: str) -> pa.Array:
        """Text codes (`actp`: digits and letters); integers printed as floats lose `.0`."""
        return pc.replace_substring_regex(self.cleaned(column), r"^(\d+)\.0*$", r"\1")

    def text(self, column: str) -> pa.Array:
        """Free text kept verbatim (spaces included); NULL when only a "not given" marker."""
        raw = self.raw(column)
        return pc.if_else(pc.is_null(self.cleaned(column)), None, raw)

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

    def profile(self, columns: tuple[str, ...]) -> dict[str, ColumnProfile]:
        """Per column of the file: rows, "not given" and unknown cells (among kept rows)."""
        kept = ~self.bad
        bad_rows = pa.array(np.flatnonzero(self.bad))
        out = {}
        for column in columns:
            if not self.has(column):
                continue
            masks = self._not_given.get(column, [])
            given = 0
            if masks:
                mask = masks[0] if len(masks) == 1 else pc.or_(*masks[:2])
                for more in masks[2:]:
                    mask = pc.or_(mask, more)
                given = pc.sum(mask).as_py() or 0
                if len(bad_rows):
                    given -= pc.sum(mask.take(bad_rows)).as_py() or 0
            unknown = self._unknown.get(column)
            out[column] = ColumnProfile(
                int(kept.sum()), given, int((unknown & kept).sum()) if unknown is not None else 0
            )
        return out
