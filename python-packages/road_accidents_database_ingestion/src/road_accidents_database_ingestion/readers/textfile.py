"""Turning a BAAC file's bytes into UTF-8 text with a known separator.

Files come in UTF-8 (recent years) or cp1252 (older years), or UTF-16 with a byte-order mark
when a spreadsheet re-saved them, with `;`, `,` or tab separators;
both are told from the content, never from the year, so an odd vintage still reads.
"""

from __future__ import annotations

import codecs
import csv
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyarrow as pa

from road_accidents_database_ingestion.problems import FileProblem

if TYPE_CHECKING:
    from pathlib import Path

log = logging.getLogger(__name__)

SEPARATORS = (";", ",", "\t")
_VISIBLE = re.compile(rb"\S")
"""A byte that is not ASCII whitespace: found at once in a real file, where `strip()` would
copy the whole file."""


@dataclass(frozen=True)
class DecodedFile:
    data: bytes
    """The content as UTF-8, without BOM."""
    encoding: str
    separator: str
    header: tuple[str, ...]
    """Column names as written (quotes removed, surrounding spaces stripped)."""


def _position(raw: bytes, offset: int) -> tuple[int, int]:
    line = raw.count(b"\n", 0, offset) + 1
    column = offset - (raw.rfind(b"\n", 0, offset) + 1) + 1
    return line, column


def decode(path: Path, raw: bytes) -> tuple[bytes, str]:
    """UTF-8 bytes of the file and the encoding it was in; a FileProblem at the first byte
    that no supported encoding accepts."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _utf16(path, raw), "utf-16"
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    if _is_utf8(raw):
        return raw, "utf-8"
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError as cp1252_error:
        if _UTF8_SEQUENCE.search(raw):
            line, column = _position(raw, cp1252_error.start)
            bad = raw[cp1252_error.start : cp1252_error.start + 1]
            raise FileProblem(
                path,
                "undecodable bytes: neither UTF-8 (a damaged byte among UTF-8 text) nor cp1252",
                line=line,
                column=column,
                value=f"0x{bad.hex()}",
            ) from cp1252_error
        text = raw.decode("cp1252", errors=_C1_CONTROLS)
    line, _ = _position(raw, _first_non_utf8(raw))
    log.info("decoded as cp1252", extra={"file": str(path), "first_non_utf8_line": line})
    return text.encode("utf-8"), "cp1252"


def _utf16(path: Path, raw: bytes) -> bytes:
    """A spreadsheet's "Unicode text" export: UTF-16 with its byte-order mark."""
    try:
        return raw.decode("utf-16").encode("utf-8")
    except UnicodeDecodeError as error:
        raise FileProblem(
            path,
            "undecodable bytes: a UTF-16 byte-order mark, but not UTF-16 after it",
            value=f"byte {error.start}",
        ) from error


def _c1_control(error: UnicodeError) -> tuple[str, int]:
    """The five bytes cp1252 leaves undefined (0x81 0x8D 0x8F 0x90 0x9D) as the C1 controls
    latin-1 reads there, as browsers do: one stray byte in a 2005-2018 file then costs the
    cell it sits in (an unknown value), not the whole year."""
    assert isinstance(error, UnicodeDecodeError)
    return chr(error.object[error.start]), error.start + 1


_C1_CONTROLS = "gls-cp1252-c1"
codecs.register_error(_C1_CONTROLS, _c1_control)
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
"""A multi-byte UTF-8 character: a file holding one besides undecodable bytes is damaged
UTF-8, which cp1252 would turn into wrong letters everywhere."""


def _is_utf8(raw: bytes) -> bool:
    """Whether `raw` is UTF-8, checked by Arrow without a copy: several times faster than
    `bytes.decode`, which builds a string only to be thrown away."""
    offsets = pa.array([0, len(raw)], pa.int64()).buffers()[1]
    data = pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(raw)])
    try:
        data.cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True


def _first_non_utf8(raw: bytes) -> int:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start
    return len(raw)


def _header_line(data: bytes) -> str:
    end = data.find(b"\n")
    return (data if end < 0 else data[:end]).decode("utf-8").rstrip("\r")


def detect_separator(path: Path, header_line: str, key_columns: tuple[str, ...]) -> str:
    """The separator that splits the header into a row holding the accident key column."""
    for separator in sorted(SEPARATORS, key=header_line.count, reverse=True):
        names = split_header(path, header_line, separator)
        if len(names) > 1 and any(n.lower() in key_columns for n in names):
            return separator
    raise FileProblem(
        path,
        "cannot find the column separator: the header splits on none of ';', ',', tab "
        f"into columns including {' or '.join(key_columns)}",
        line=1,
        value=header_line[:120],
    )


def split_header(path: Path, header_line: str, separator: str) -> tuple[str, ...]:
    """The header's names; a FileProblem when it holds what no CSV line may (a lone CR, NUL)."""
    try:
        row = next(csv.reader([header_line], delimiter=separator, quotechar='"'))
    except csv.Error as error:
        raise FileProblem(
            path, f"unreadable header line: {error}", line=1, value=header_line[:120]
        ) from error
    return tuple(name.strip() for name in row)


def read_text_file(path: Path, key_columns: tuple[str, ...]) -> DecodedFile:
    """Decode a file and read its header; empty files and header-only files are problems."""
    raw = path.read_bytes()
    if not _VISIBLE.search(raw):
        raise FileProblem(path, "empty file")
    data, encoding = decode(path, raw)
    header_line = _header_line(data)
    separator = detect_separator(path, header_line, key_columns)
    header = split_header(path, header_line, separator)
    duplicates = sorted({n for n in header if header.count(n) > 1})
    if duplicates:
        raise FileProblem(path, f"duplicate column names {duplicates}", line=1)
    if not _VISIBLE.search(data, len(header_line)):
        raise FileProblem(path, "no data rows (header only)")
    return DecodedFile(data, encoding, separator, header)
