"""Readers of BAAC files of any vintage into the harmonised columns.

`read_table` decodes a file (UTF-8 or cp1252; `;`, `,` or tab), finds its layout from the
header, parses it with Arrow's CSV reader and converts every column; lines that do not parse
and cells that do not convert become Rejects with their line numbers.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

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
from road_accidents_database_ingestion.tables import BY_BAAC_NAME, BaacTable

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


def _parse(
    path: Path, data: bytes, separator: str, header: tuple[str, ...]
) -> tuple[pa.Table, list[Reject], list[int]]:
    malformed: list[Reject] = []
    skipped: list[int] = []

    def on_invalid_row(row: csv.InvalidRow) -> str:
        skipped.append(row.number)
        malformed.append(
            Reject(
                row.number,
                None,
                row.text[:200],
                "malformed_line",
                f"line has {row.actual_columns} fields, the header has {row.expected_columns}",
            )
        )
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
    return parsed, malformed, skipped


def _line_numbers(row_count: int, skipped: list[int]) -> np.ndarray:
    """Physical line of each parsed row: lines from 2 on, minus the skipped (malformed) ones."""
    lines = np.arange(2, 2 + row_count + len(skipped), dtype=np.int64)
    if skipped:
        lines = lines[~np.isin(lines, np.asarray(skipped, dtype=np.int64))]
    return lines


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
    parsed, rejects, skipped = _parse(path, decoded.data, decoded.separator, header)
    lines = _line_numbers(parsed.num_rows, skipped)
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
        rows_read=len(lines) + len(skipped),
        rows=pa.table(columns),
        rejects=rejects + converter.rejects,
        unknowns=converter.unknowns,
        profile=converter.profile(tuple(n for n in header if n in wanted)),
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
