"""Vectorised conversion of raw BAAC text columns, collecting a Reject per bad cell.

Every conversion first normalises the cell (spaces and no-break spaces trimmed, "not given"
markers turned into NULL), then parses it; a cell that does not parse marks its row bad and
yields a Reject naming the line, the column and the value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from road_accidents_database_ingestion.problems import Reject

if TYPE_CHECKING:
    from collections.abc import Mapping

NOT_GIVEN = ["", "-1", "N/A", "#ERREUR", "NA", "(1)"]
"""Cell values meaning "not given": they become NULL."""

_DECIMAL = r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$"
_TRIM = " \t\u00a0"
MAX_REJECTS_PER_COLUMN = 1000


class ColumnConverter:
    """Converts the columns of one file, remembering which rows are bad and why."""

    def __init__(self, raw: Mapping[str, pa.Array], lines: np.ndarray) -> None:
        self._raw = raw
        self.lines = lines
        self.bad = np.zeros(len(lines), dtype=bool)
        self.rejects: list[Reject] = []

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

    def cleaned(self, column: str) -> pa.Array:
        """Trimmed cells, with "not given" markers as NULL."""
        trimmed = pc.utf8_trim(self.raw(column), _TRIM)
        return pc.if_else(pc.is_in(trimmed, pa.array(NOT_GIVEN)), None, trimmed)

    def reject(self, mask: np.ndarray, column: str, values: pa.Array, rule: str, what: str) -> None:
        """Mark the rows of `mask` bad, recording one Reject per row (bounded per column)."""
        rows = np.flatnonzero(mask)
        if rows.size == 0:
            return
        self.bad[rows] = True
        shown = values.take(pa.array(rows[:MAX_REJECTS_PER_COLUMN]))
        for row, value in zip(rows[:MAX_REJECTS_PER_COLUMN], shown.to_pylist(), strict=True):
            self.rejects.append(
                Reject(int(self.lines[row]), column, value, rule, f"{column}: {value!r} {what}")
            )

    def _invalid(self, cells: pa.Array, pattern: str) -> np.ndarray:
        matches = pc.match_substring_regex(cells, pattern)
        return pc.fill_null(pc.invert(matches), False).to_numpy(zero_copy_only=False)

    def _parse(
        self, column: str, cells: pa.Array, target: pa.DataType, pattern: str, what: str
    ) -> pa.Array:
        """Cast `cells`; only when the fast cast fails, find and reject the cells that don't fit."""
        try:
            return pc.cast(cells, target)
        except pa.ArrowInvalid:
            invalid = self._invalid(cells, pattern)
            self.reject(invalid, column, self.raw(column), "type", what)
            return pc.cast(pc.if_else(pa.array(invalid), None, cells), target)

    def _whole(self, column: str, cells: pa.Array) -> pa.Array:
        """int64 from integer text, accepting integers printed as floats (`1.0`)."""
        try:
            return pc.cast(cells, pa.int64())
        except pa.ArrowInvalid:
            numbers = self._parse(column, cells, pa.float64(), _DECIMAL, "is not an integer")
            not_whole = pc.or_(
                pc.invert(pc.is_finite(numbers)), pc.not_equal(numbers, pc.floor(numbers))
            )
            fractional = pc.fill_null(not_whole, False)
            self.reject(
                fractional.to_numpy(zero_copy_only=False),
                column,
                self.raw(column),
                "type",
                "is not an integer",
            )
            return pc.cast(pc.if_else(fractional, None, numbers), pa.int64())

    def integer(self, column: str) -> pa.Array:
        """int64 cells; integers printed as floats (`1.0`) are accepted."""
        return self._whole(column, self.cleaned(column))

    def decimal(self, column: str) -> pa.Array:
        """float64 cells; decimal commas are accepted."""
        cells = pc.replace_substring(self.cleaned(column), ",", ".")
        return self._parse(
            column, cells, pa.float64(), r"^[+-]?(\d+(\.\d*)?|\.\d+)$", "is not a number"
        )

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
