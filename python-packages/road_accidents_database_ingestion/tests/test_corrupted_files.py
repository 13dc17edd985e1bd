"""Files corrupted at random (hypothesis): a clear FileProblem or a clean read, never a crash,
and never part of a year in the tables.

The base files are demo years the test writes, one of each layout: 2016 (cp1252, `,`, quoted
only where needed) and 2021 (UTF-8, `;`, every value quoted). Each example corrupts one or two
of a year's files with a few of the corruptions below, then reads and checks the year as
ingestion does; a few examples per layout are ingested into a real database, over the clean
year loaded first.
"""

from __future__ import annotations

import re
import shutil
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from baac_demo_data import generate_demo_data
from road_accidents_database_ingestion.discovery import find_table_files
from road_accidents_database_ingestion.pipeline import ingest
from road_accidents_database_ingestion.problems import FileProblem
from road_accidents_database_ingestion.readers import read_table
from road_accidents_database_ingestion.settings import (
    DEFAULT_MAX_REJECT_SHARE,
    DEFAULT_MAX_UNKNOWN_SHARE,
)
from road_accidents_database_ingestion.validation import check_accidents, check_dependents

from .ingestion_support import counts, query

if TYPE_CHECKING:
    from collections.abc import Callable

    from road_accidents_database_ingestion.readers import ReadResult
    from road_accidents_database_ingestion.tables import BaacTable

LAYOUTS = {2016: (",", "cp1252"), 2021: (";", "utf-8")}
TABLES: tuple[BaacTable, ...] = ("caracteristiques", "lieux", "vehicules", "usagers")
LIMITS = (DEFAULT_MAX_REJECT_SHARE, DEFAULT_MAX_UNKNOWN_SHARE)
SEPARATORS = (",", ";", "\t", "|", " ", "")


@pytest.fixture(scope="module")
def base_years(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """One small clean demo year of each layout: `{year: folder}`."""
    root = tmp_path_factory.mktemp("clean")
    report = generate_demo_data(root, list(LAYOUTS), scale=0.002, seed=3)
    return {y.year: y.folder for y in report.years}


class Corruption:
    """One drawn corruption: `apply` changes a file's bytes; the repr says what was drawn."""

    def __init__(self, description: str, apply: Callable[[bytes], bytes]) -> None:
        self.description, self.apply = description, apply

    def __repr__(self) -> str:
        return self.description


def _lines(raw: bytes) -> list[bytes]:
    return raw.split(b"\n")


def _inserting(byte: bytes, spots: list[float]) -> Callable[[bytes], bytes]:
    """Insert `byte` at each spot (a fraction of the file's length)."""

    def insert(raw: bytes) -> bytes:
        for where in spots:
            at = int(where * len(raw))
            raw = raw[:at] + byte + raw[at:]
        return raw

    return insert


@st.composite
def corruption(draw: st.DrawFn, year: int) -> Corruption:
    """One corruption of a file's bytes, drawn with its parameters."""
    return Corruption(*_drawn_corruption(draw, year))


def _drawn_corruption(draw: st.DrawFn, year: int) -> tuple[str, Callable[[bytes], bytes]]:
    separator, encoding = LAYOUTS[year]
    sep = separator.encode()
    kind = draw(
        st.sampled_from(
            [
                "bytes",
                "encoding",
                "separator",
                "quotes",
                "truncate",
                "shuffle",
                "drop column",
                "duplicate column",
                "huge field",
                "big number",
                "nul",
                "line endings",
                "lines",
                "emptied",
            ]
        ),
        label="corruption",
    )
    if kind == "bytes":
        changes = draw(st.lists(st.tuples(st.floats(0, 1), st.binary(min_size=1, max_size=3))))

        def flip(raw: bytes) -> bytes:
            for where, value in changes:
                at = int(where * max(len(raw) - 1, 0))
                raw = raw[:at] + value + raw[at + len(value) :]
            return raw

        return f"bytes {changes}", flip
    if kind == "encoding":
        target = draw(st.sampled_from(["utf-16", "utf-8-sig", "latin-1", "cp1252", "utf-32"]))
        return f"re-encoded {target}", lambda raw: raw.decode(encoding, "replace").encode(
            target, "replace"
        )
    if kind == "separator":
        other = draw(st.sampled_from(SEPARATORS)).encode()
        return f"separator {other!r}", lambda raw: raw.replace(sep, other)
    if kind == "quotes":
        spots = draw(st.lists(st.floats(0, 1), min_size=1, max_size=5))
        return f"quotes at {spots}", _inserting(b'"', spots)
    if kind == "truncate":
        keep = draw(st.floats(0, 1))
        return f"truncated to {keep:.3f}", lambda raw: raw[: int(keep * len(raw))]
    if kind == "shuffle":
        keep_header = draw(st.booleans())
        rng = draw(st.randoms(use_true_random=False))

        def shuffle(raw: bytes) -> bytes:
            lines = _lines(raw)
            head, body = (lines[:1], lines[1:]) if keep_header else ([], lines)
            rng.shuffle(body)
            return b"\n".join(head + body)

        return f"shuffled (header kept: {keep_header})", shuffle
    if kind in {"drop column", "duplicate column"}:
        which = draw(st.integers(0, 20))

        def columns(raw: bytes) -> bytes:
            rows = []
            for line in _lines(raw):
                cells = line.split(sep)
                at = which % max(len(cells), 1)
                if kind == "drop column":
                    del cells[at : at + 1]
                else:
                    cells.insert(at, cells[at] if cells else b"")
                rows.append(sep.join(cells))
            return b"\n".join(rows)

        return f"{kind} {which}", columns
    if kind == "huge field":
        size = draw(st.sampled_from([10_000, 1_000_000]))
        line_at, filler = draw(st.integers(0, 30)), draw(st.sampled_from([b"x", b"9", b'"', sep]))

        def huge(raw: bytes) -> bytes:
            lines = _lines(raw)
            at = line_at % len(lines)
            cells = lines[at].split(sep)
            cells[-1] = filler * size
            lines[at] = sep.join(cells)
            return b"\n".join(lines)

        return f"huge field {filler!r} * {size} on line {line_at}", huge
    if kind == "big number":
        line_at, cell_at = draw(st.integers(1, 40)), draw(st.integers(0, 20))
        number = draw(st.sampled_from([32768, 70000, -40000, 2**31, 10**12, 10**20]))

        def big(raw: bytes) -> bytes:
            lines = _lines(raw)
            at = line_at % len(lines)
            cells = lines[at].split(sep)
            cells[cell_at % len(cells)] = str(number).encode()
            lines[at] = sep.join(cells)
            return b"\n".join(lines)

        return f"number {number} in cell {cell_at} of line {line_at}", big
    if kind == "nul":
        spots = draw(st.lists(st.floats(0, 1), min_size=1, max_size=3))
        return f"NUL bytes at {spots}", _inserting(b"\x00", spots)
    if kind == "line endings":
        ending = draw(st.sampled_from([b"\r\n", b"\r", b"\n\n", b"\x00\n"]))
        return f"line endings {ending!r}", lambda raw: raw.replace(b"\n", ending)
    if kind == "lines":
        picks = draw(st.lists(st.tuples(st.integers(0, 40), st.booleans()), min_size=1))

        def edit(raw: bytes) -> bytes:
            lines = _lines(raw)
            for at, duplicate in picks:
                at %= len(lines)
                if duplicate:
                    lines.insert(at, lines[at])
                elif len(lines) > 1:
                    del lines[at]
            return b"\n".join(lines)

        return f"lines duplicated or deleted {picks}", edit
    header_only = draw(st.booleans())
    if header_only:
        return "header only", lambda raw: _lines(raw)[0] + b"\n"
    return "emptied", lambda _raw: b""


@st.composite
def corrupted_year(draw: st.DrawFn, year: int) -> dict[BaacTable, list[Corruption]]:
    """Which files of the year get which corruptions (one or two files, one to three each)."""
    tables = draw(st.lists(st.sampled_from(TABLES), min_size=1, max_size=2, unique=True))
    return {t: draw(st.lists(corruption(year), min_size=1, max_size=3)) for t in tables}


def _write_corrupted(source: Path, target: Path, plan: dict[BaacTable, list[Corruption]]) -> Path:
    shutil.copytree(source, target)
    for table, path in find_table_files(target).items():
        raw = path.read_bytes()
        for corrupt in plan.get(table, []):
            raw = corrupt.apply(raw)
        path.write_bytes(raw)
    return target


def _read_and_check(folder: Path, year: int) -> None:
    """Read and check the year as ingestion does: every failure must be a clear FileProblem."""
    reads: dict[BaacTable, ReadResult] = {}
    for table, path in find_table_files(folder).items():
        try:
            reads[table] = read_table(path, table)
        except FileProblem as problem:
            assert str(path) in str(problem)
            assert problem.line is None or problem.line >= 1
            continue
        lines = len(
            re.split(rb"\r\n|\r|\n", path.read_bytes())
        )  # lines as the CSV reader ends them
        for reject in reads[table].rejects:
            assert reject.line is None or 1 <= reject.line <= lines
            assert reject.message
        kept = reads[table].rows.column("source_line").to_pylist()
        assert kept == sorted(set(kept)), "each row at its own line, in file order"
        assert all(2 <= line <= lines for line in kept)
    if "caracteristiques" not in reads:
        return
    accidents = check_accidents(year, reads["caracteristiques"], *LIMITS)
    if accidents.failure is None and set(reads) == set(TABLES):
        check_dependents(year, reads, accidents, *LIMITS)


@pytest.mark.reliability(
    kind="bad input",
    case="files of both layouts corrupted at random (hypothesis): bytes, encodings, separators,"
    " quotes, truncation, shuffled lines, missing or duplicated columns, huge fields, numbers"
    " too big for their column, NUL bytes, line endings, emptied",
    expect="reading and checking end in a clean read or a FileProblem naming the file"
    " (and line where there is one), never another exception; every row kept and every"
    " reject sits at a line of the file",
)
@pytest.mark.parametrize("year", list(LAYOUTS))
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_readers_never_crash_on_corrupted_files(base_years, tmp_path, year, data):
    plan = data.draw(corrupted_year(year), label="plan")
    folder = _write_corrupted(base_years[year], tmp_path / uuid.uuid4().hex / str(year), plan)
    _read_and_check(folder, year)


@pytest.mark.slow
@pytest.mark.reliability(
    kind="bad input",
    case="a corrupted version of a loaded year ingested (hypothesis, a few examples per layout)",
    expect="ingest never raises; the year is the old one whole (failed, reason recorded) or the"
    " new one whole (loaded): tables hold exactly the rows the registry says were loaded",
)
@pytest.mark.parametrize("year", list(LAYOUTS))
@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_ingestion_never_loads_part_of_a_corrupted_year(
    database_url, base_years, tmp_path, year, data
):
    if not query(database_url, "SELECT 1 FROM ingested_years WHERE year = %s", year):
        [clean] = ingest(database_url, base_years[year].parent, [year]).outcomes
        assert clean.status == "loaded", clean.reason
    before = counts(database_url)
    plan = data.draw(corrupted_year(year), label="plan")
    root = tmp_path / uuid.uuid4().hex
    _write_corrupted(base_years[year], root / str(year), plan)

    [outcome] = ingest(database_url, root, [year]).outcomes

    [(status, reason, *registered)] = query(
        database_url,
        "SELECT status, reason, accidents, places, vehicles, persons FROM ingested_years"
        " WHERE year = %s",
        year,
    )
    assert status == outcome.status
    if outcome.status == "failed":
        assert reason == outcome.reason
        assert reason
        assert counts(database_url) == before
    else:
        assert outcome.status == "loaded", outcome.reason
        now = counts(database_url)
        assert list(now.values()) == registered
        assert now == outcome.rows_loaded
        assert query(
            database_url,
            "SELECT sum(rows_read), sum(rows_loaded + rows_rejected) FROM source_files"
            " WHERE year = %s AND status = 'loaded' AND path LIKE %s",
            year,
            f"{root}%",
        ) == [(sum(outcome.rows_loaded.values()) + outcome.rows_rejected,) * 2]
