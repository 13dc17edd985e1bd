"""Readers of BAAC files of any vintage into the harmonised columns.

`read_table` decodes a file (UTF-8 or cp1252; `;`, `,` or tab), finds its layout from the
header, parses it with Arrow's CSV reader and converts every column; lines that do not parse
and cells that do not convert become Rejects with their line numbers.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv

from road_accidents_database_ingestion.codes import variables_by_column
from road_accidents_database_ingestion.problems import FileProblem, Reject
from road_accidents_database_ingestion.readers.columns import (
    ColumnConverter,
    ColumnProfile,
    Unknown,
)
from road_accidents_database_ingestion.readers.layouts import (
    BAAC_COLUMNS,
    CONVERTERS,
    KEY_ALIASES,
    Layout,
    detect_layout,
    missing_columns,
    normalise_header,
)
from road_accidents_database_ingestion.readers.textfile import read_text_file
from road_accidents_database_ingestion.tables import BY_BAAC_NAME, BaacTable, HarmonisedTable

if TYPE_CHECKING:
    from pathlib import Path

_KEY_NAMES = ("num_acc", *KEY_ALIASES)


@dataclass
class ReadResult:
    """One file read into harmonised columns; `rows` holds only the rows that converted."""

    path: Path
    table: BaacTable
    layout: Layout
    encoding: str
    separator: str
    rows_read: int
    rows: pa.Table
    rejects: list[Reject] = field(default_factory=list)
    unknowns: list[Unknown] = field(default_factory=list)
    """Cells kept as written whose value became NULL: no code of the column, or unreadable."""
    profile: dict[str, ColumnProfile] = field(default_factory=dict)
    """Per column of the file, among the rows kept: cells "not given" and unknown."""


class Skipped(NamedTuple):
    """A row Arrow could not split into the header's columns."""

    text: str
    fields: int
    expected: int


def _parse(
    path: Path, data: bytes, separator: str, header: tuple[str, ...]
) -> tuple[pa.Table, dict[int, Skipped]]:
    """The rows as text, and those skipped by their row number (Arrow counts rows, the
    header being 1, not lines: `_line_numbers` finds their lines)."""
    skipped: dict[int, Skipped] = {}

    def on_invalid_row(row: csv.InvalidRow) -> str:
        skipped[row.number] = Skipped(row.text, row.actual_columns, row.expected_columns)
        return "skip"

    names = [f"c{i}" for i in range(len(header))]
    try:
        parsed = csv.read_csv(
            io.BytesIO(data),
            read_options=csv.ReadOptions(
                use_threads=False, skip_rows=1, column_names=names, block_size=1 << 24
            ),
            parse_options=csv.ParseOptions(
                delimiter=separator,
                quote_char='"',
                ignore_empty_lines=False,
                invalid_row_handler=on_invalid_row,
            ),
            convert_options=csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as error:
        raise FileProblem(path, f"cannot parse the CSV: {error}") from error
    return parsed, skipped


def _data_lines(data: bytes) -> int:
    """Physical lines after the header (a missing final newline still ends a line)."""
    return data.count(b"\n") - 1 + (0 if data.endswith(b"\n") else 1)


def _line_numbers(
    parsed: pa.Table, skipped: dict[int, Skipped], data_lines: int
) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int]]]:
    """The first physical line of each parsed row, the newlines inside each row's cells,
    and the first and last line of each skipped row.

    Rows are lines, except where a quote opened in a cell is closed lines later: that row
    holds the lines between (an unbalanced quote swallows the rows after it), and every
    later row starts that many lines further down. Newlines are looked for only when the
    rows do not add up to the lines.
    """
    rows = parsed.num_rows + len(skipped)
    kept = np.ones(rows, dtype=bool)
    kept[np.asarray(list(skipped), dtype=np.int64) - 2] = False
    inner = np.zeros(parsed.num_rows, dtype=np.int64)
    extra = np.zeros(rows, dtype=np.int64)
    if rows != data_lines:
        for column in parsed.columns:
            inner += pc.count_substring(column, "\n").to_numpy(zero_copy_only=False)
        extra[kept] = inner
        for number, row in skipped.items():
            extra[number - 2] = row.text.count("\n")
    starts = 2 + np.concatenate(([0], np.cumsum(1 + extra)[:-1]))
    spans = [(int(starts[n - 2]), int(starts[n - 2] + extra[n - 2])) for n in skipped]
    return starts[kept], inner, spans


def _malformed_line(first: int, last: int, text: str, detail: str) -> Reject:
    """A row that cannot be used as read; when it spans lines, it names them."""
    if last > first:
        detail = f"lines {first}-{last} read as one row (an unbalanced quote?): {detail}"
    return Reject(first, None, text[:200], "malformed_line", detail)


def _malformed(skipped: dict[int, Skipped], spans: list[tuple[int, int]]) -> list[Reject]:
    """One Reject per row Arrow skipped, at its physical lines."""
    rejects = []
    for row, (first, last) in zip(skipped.values(), spans, strict=True):
        fields = f"{row.fields} fields, the header has {row.expected}"
        detail = fields if last > first else f"line has {fields}"
        rejects.append(_malformed_line(first, last, row.text, detail))
    return rejects


def _spanning_rejects(lines: np.ndarray, inner: np.ndarray, parsed: pa.Table) -> list[Reject]:
    """One Reject per row whose cells hold newlines: a quote that closes lines later."""
    return [
        _malformed_line(
            int(lines[row]),
            int(lines[row] + inner[row]),
            ",".join(str(cell[row]) for cell in parsed.columns),
            f"a quote opened on line {int(lines[row])} closes only on line"
            f" {int(lines[row] + inner[row])}",
        )
        for row in np.flatnonzero(inner)
    ]


def _rows_with_nul(
    parsed: pa.Table, header: tuple[str, ...], lines: np.ndarray
) -> tuple[np.ndarray, list[Reject]]:
    """Rows with a NUL byte in a cell: a damaged file, and a value no PostgreSQL text takes,
    so the row is rejected (one Reject each, at the first such cell)."""
    hit = np.zeros(parsed.num_rows, dtype=bool)
    rejects = []
    for name, column in zip(header, parsed.columns, strict=True):
        mask = pc.match_substring(column, "\x00").to_numpy(zero_copy_only=False) & ~hit
        for row in np.flatnonzero(mask):
            value = column[int(row)].as_py()
            rejects.append(
                Reject(
                    int(lines[row]),
                    name,
                    value[:200],
                    "nul_byte",
                    f"{name}: a NUL byte in {value[:60]!r} (a damaged file?)",
                )
            )
        hit |= mask
    return hit, rejects


def read_table(path: Path, table: BaacTable) -> ReadResult:
    """Read one BAAC file of `table`; raises FileProblem when the file cannot be used at all."""
    decoded = read_text_file(path, _KEY_NAMES)
    header = tuple(normalise_header(name) for name in decoded.header)
    spec = detect_layout(table, header)
    missing = missing_columns(spec, header)
    if missing:
        raise FileProblem(
            path,
            f"missing column(s) {', '.join(missing)} of the {spec.layout} {table} layout",
            line=1,
        )
    parsed, skipped = _parse(path, decoded.data, decoded.separator, header)
    lines, inner, spans = _line_numbers(parsed, skipped, _data_lines(decoded.data))
    rejects = _malformed(skipped, spans)
    if inner.any():
        rejects += _spanning_rejects(lines, inner, parsed)
        single = inner == 0
        parsed, lines = parsed.filter(pa.array(single)), lines[single]
    dropped = int(np.count_nonzero(inner))
    if b"\x00" in decoded.data:
        nul, nul_rejects = _rows_with_nul(parsed, header, lines)
        rejects += nul_rejects
        parsed, lines = parsed.filter(pa.array(~nul)), lines[~nul]
        dropped += len(nul_rejects)
    blank = np.ones(parsed.num_rows, dtype=bool)
    for column in parsed.columns:
        blank &= pc.equal(column, "").to_numpy(zero_copy_only=False)
        if not blank.any():
            break
    wanted = set(spec.required) | set(spec.optional)
    raw = {
        name: parsed.column(i).combine_chunks() for i, name in enumerate(header) if name in wanted
    }
    if blank.any():
        keep = pa.array(~blank)
        raw = {name: values.filter(keep) for name, values in raw.items()}
        lines = lines[~blank]
    converter = ColumnConverter(raw, lines, table, spec.layout)
    converted = CONVERTERS[table](converter, spec.layout)
    harmonised = BY_BAAC_NAME[table]
    _check_codes(converter, harmonised.name, converted)
    _check_ranges(converter, harmonised, converted)
    columns = {
        column.name: converted[column.name]
        for column in harmonised.read_columns
        if column.name in converted
    }
    if converter.bad.any():
        good = pa.array(~converter.bad)
        columns = {name: values.filter(good) for name, values in columns.items()}
    columns["source_line"] = pa.array(lines[~converter.bad], type=pa.int64())
    return ReadResult(
        path=path,
        table=table,
        layout=spec.layout,
        encoding=decoded.encoding,
        separator=decoded.separator,
        rows_read=len(lines) + len(skipped) + dropped,
        rows=pa.table(columns),
        rejects=rejects + converter.rejects,
        unknowns=converter.unknowns,
        profile=converter.profile(tuple(n for n in header if n in wanted)),
    )


SQL_INTEGER_RANGES = {"smallint": (-(2**15), 2**15 - 1), "integer": (-(2**31), 2**31 - 1)}
"""What PostgreSQL's integer columns hold: a bigger number (a `vma` of 70000) would make the
whole load fail at COPY, so it is an unknown value of its column instead."""


def _check_ranges(
    converter: ColumnConverter, harmonised: HarmonisedTable, converted: dict[str, pa.Array]
) -> None:
    for column in harmonised.read_columns:
        bounds = SQL_INTEGER_RANGES.get(column.sql_type)
        source = BAAC_COLUMNS.get(column.name, column.name)
        values = converted.get(column.name)
        if (
            bounds is None
            or values is None
            or not pa.types.is_integer(values.type)
            or not converter.has(source)
        ):
            continue  # derived columns (month, hour, seq...) are bounded where they are made
        converted[column.name] = converter.within(
            source, values, *bounds, f"does not fit a {column.sql_type} column"
        )


def _check_codes(converter: ColumnConverter, table: str, converted: dict[str, pa.Array]) -> None:
    """Codes outside a column's list become NULL and are kept as unknowns of their column."""
    for (table_name, column), variable in variables_by_column().items():
        source = BAAC_COLUMNS.get(column, column)
        if table_name != table or column not in converted or not converter.has(source):
            continue
        values = converted[column]
        allowed = pa.array(sorted(variable.values, key=str), type=values.type)
        converted[column] = converter.domain(
            source, values, allowed, f"is not a code of {variable.en}"
        )
