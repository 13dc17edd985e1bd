"""Validation of a year's four files: a year is loaded only when all four pass.

Checks key uniqueness, year consistency (folder, `Num_Acc` prefix, `an`) and that every
place, vehicle and person belongs to an accepted accident (and every person to an accepted
vehicle). Bad rows become Rejects; a file whose rejected share exceeds the limit fails, and
with it the whole year. Codes outside their list cost the value, not the row (the readers
make them NULL and keep them as unknowns); a file fails only when one column's share of
unknown values passes its own limit. Each file is checked as soon as the files it depends on
are (accidents alone; places and vehicles against the accepted accidents; persons against the
accepted vehicles too), so the pipeline copies one while it reads the next.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from road_accidents_database_ingestion.problems import Reject

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from road_accidents_database_ingestion.readers import ReadResult
    from road_accidents_database_ingestion.tables import BaacTable

NUM_ACC_YEAR_DIVISOR = 100_000_000
"""`Num_Acc` is the year followed by 8 digits."""
MAX_REJECTS_PER_RULE = 1000


@dataclass(frozen=True)
class Limits:
    """When a file fails: its share of rejected rows, or one column's share of unknown values,
    above these."""

    max_reject_share: float
    max_unknown_share: float


@dataclass
class CheckedFile:
    """A file after validation: the rows to load and every row left out, with why."""

    read: ReadResult
    rows: pa.Table
    rejects: list[Reject] = field(default_factory=list)
    failure: str | None = None

    @property
    def rows_rejected(self) -> int:
        return self.read.rows_read - self.rows.num_rows


@dataclass
class CheckedYear:
    year: int
    files: dict[BaacTable, CheckedFile]

    @property
    def failures(self) -> dict[BaacTable, str]:
        return {t: f.failure for t, f in self.files.items() if f.failure}


class _Checker:
    """Filters one file's rows, turning each failed check into Rejects."""

    def __init__(self, read: ReadResult) -> None:
        self.file = CheckedFile(read, read.rows, list(read.rejects))

    @property
    def rows(self) -> pa.Table:
        return self.file.rows

    def column(self, name: str) -> np.ndarray:
        return self.rows.column(name).to_numpy(zero_copy_only=False)

    def drop(
        self, mask: np.ndarray, column: str | None, rule: str, describe: Callable[[int], str]
    ) -> None:
        """Leave out the rows of `mask`; `describe(row)` says what is wrong with each."""
        rows = np.flatnonzero(mask)
        if rows.size == 0:
            return
        lines = self.column("source_line")
        values = self.rows.column(column).to_pylist() if column else None
        for row in rows[:MAX_REJECTS_PER_RULE]:
            value = values[row] if values is not None else None
            self.file.rejects.append(
                Reject(
                    int(lines[row]),
                    column,
                    None if value is None else str(value),
                    rule,
                    describe(row),
                )
            )
        self.file.rows = self.rows.filter(pa.array(~mask))


def _check_year(checker: _Checker, year: int, label: str) -> None:
    num_acc = checker.column("num_acc")
    prefix = num_acc // NUM_ACC_YEAR_DIVISOR
    checker.drop(
        prefix != year,
        "num_acc",
        "year",
        lambda row: f"Num_Acc {num_acc[row]} does not start with the folder year {year} ({label})",
    )
    if "year" in checker.rows.column_names:
        years = checker.column("year")
        checker.drop(
            years != year,
            "year",
            "year",
            lambda row: f"an {years[row]} does not match the folder year {year}",
        )


def _drop_duplicates(
    checker: _Checker, keys: np.ndarray, column: str, what: str, shown: Callable[[int], str]
) -> None:
    """Leave out every row but the first of each key; `shown(row)` writes a row's key."""
    repeated = pd.Series(keys).duplicated(keep="first").to_numpy()
    if not repeated.any():
        return
    lines = pd.Series(checker.column("source_line"))
    first_line = lines.groupby(keys).transform("first").to_numpy()
    checker.drop(
        repeated,
        column,
        "duplicate_key",
        lambda row: f"duplicate {what} {shown(row)}, first on line {first_line[row]}",
    )


def _drop_orphans(checker: _Checker, parent_keys: pa.Array, parent: str) -> None:
    num_acc = checker.rows.column("num_acc")
    orphan = pc.invert(pc.is_in(num_acc, parent_keys)).to_numpy(zero_copy_only=False)
    values = num_acc.to_numpy(zero_copy_only=False)
    checker.drop(
        orphan,
        "num_acc",
        "orphan",
        lambda row: f"accident {values[row]} is not an accepted {parent} row of this year",
    )


def _vehicle_keys(rows: pa.Table, letters: pa.Array) -> np.ndarray:
    """One integer per (num_acc, num_veh): num_acc, then 1 + the rank of num_veh among the
    year's vehicle `letters` (0 for none of them: a key no vehicle has). Comparing integers
    instead of joined strings spares building a string per row."""
    rank = pc.fill_null(pc.add(pc.index_in(rows.column("num_veh"), value_set=letters), 1), 0)
    num_acc = rows.column("num_acc").to_numpy(zero_copy_only=False)
    return num_acc * (len(letters) + 1) + rank.to_numpy(zero_copy_only=False)


def _drop_persons_without_vehicle(checker: _Checker, vehicles: pa.Table) -> None:
    letters = pc.unique(vehicles.column("num_veh"))
    keys = pa.array(_vehicle_keys(checker.rows, letters))
    known = pa.array(_vehicle_keys(vehicles, letters))
    num_veh = checker.rows.column("num_veh")
    missing = pc.and_(pc.is_valid(num_veh), pc.invert(pc.is_in(keys, value_set=known)))
    mask = pc.fill_null(missing, False).to_numpy(zero_copy_only=False)
    if not mask.any():
        return
    num_acc, letter = checker.column("num_acc"), num_veh.to_pylist()
    checker.drop(
        mask,
        "num_veh",
        "orphan",
        lambda row: (
            f"vehicle {num_acc[row]}/{letter[row]} is not an accepted vehicules row of this year"
        ),
    )


def _with_sequence(rows: pa.Table) -> pa.Table:
    """Number each accident's places or persons 1, 2, ... in file order."""
    num_acc = pd.Series(rows.column("num_acc").to_numpy(zero_copy_only=False))
    seq = num_acc.groupby(num_acc, sort=False).cumcount().to_numpy() + 1
    return rows.append_column("seq", pa.array(seq, type=pa.int64()))


def _enforce_share(checked: CheckedFile, max_share: float) -> None:
    total = checked.read.rows_read
    rejected = checked.rows_rejected
    if total and rejected / total > max_share:
        first = min(checked.rejects, key=lambda r: r.line or 0)
        checked.failure = (
            f"{rejected} of {total} rows rejected ({rejected / total:.1%}), above the limit of "
            f"{max_share:.1%}; first: line {first.line}: {first.message}"
        )


def _enforce_unknown_share(checked: CheckedFile, max_share: float) -> None:
    """Fail the file when one column's unknown values pass `max_share` of its rows."""
    for column, profile in checked.read.profile.items():
        if profile.unknown and profile.unknown_share > max_share:
            first = next(u for u in checked.read.unknowns if u.column == column)
            reason = (
                f"column {column}: {profile.unknown} of {profile.rows} values unknown"
                f" ({profile.unknown_share:.1%}), above the limit of {max_share:.1%}; first:"
                f" line {first.line}: {column}: {first.raw!r} {first.why}"
            )
            checked.failure = f"{checked.failure}; {reason}" if checked.failure else reason
            return


def check_accidents(
    year: int, read: ReadResult, max_reject_share: float, max_unknown_share: float
) -> CheckedFile:
    """Check the accidents file alone: its accepted rows are final before the others are read."""
    checker = _Checker(read)
    _check_year(checker, year, "caracteristiques")
    num_acc = checker.column("num_acc")
    _drop_duplicates(checker, num_acc, "num_acc", "Num_Acc", lambda row: str(num_acc[row]))
    _enforce_share(checker.file, max_reject_share)
    _enforce_unknown_share(checker.file, max_unknown_share)
    return checker.file


def _dependent(year: int, read: ReadResult, accidents: CheckedFile, table: str) -> _Checker:
    checker = _Checker(read)
    _check_year(checker, year, table)
    _drop_orphans(checker, accidents.rows.column("num_acc"), "caracteristiques")
    return checker


def _finish(checker: _Checker, year: int, limits: Limits) -> CheckedFile:
    """Tag the rows with the year and fail the file past either limit."""
    years = pa.array([year] * checker.rows.num_rows, type=pa.int64())
    checker.file.rows = checker.rows.append_column("year", years)
    _enforce_share(checker.file, limits.max_reject_share)
    _enforce_unknown_share(checker.file, limits.max_unknown_share)
    return checker.file


def check_places(
    year: int, read: ReadResult, accidents: CheckedFile, limits: Limits
) -> CheckedFile:
    """Places against the accepted accidents, numbered within each accident."""
    places = _dependent(year, read, accidents, "lieux")
    places.file.rows = _with_sequence(places.rows)
    return _finish(places, year, limits)


def check_vehicles(
    year: int, read: ReadResult, accidents: CheckedFile, limits: Limits
) -> CheckedFile:
    """Vehicles against the accepted accidents, each (accident, vehicle) once."""
    vehicles = _dependent(year, read, accidents, "vehicules")
    keys = _vehicle_keys(vehicles.rows, pc.unique(vehicles.rows.column("num_veh")))
    num_acc, letter = vehicles.column("num_acc"), vehicles.rows.column("num_veh")
    _drop_duplicates(
        vehicles, keys, "num_veh", "vehicle", lambda row: f"{num_acc[row]}/{letter[row]}"
    )
    return _finish(vehicles, year, limits)


def check_persons(
    year: int,
    read: ReadResult,
    accidents: CheckedFile,
    vehicles: CheckedFile,
    limits: Limits,
) -> CheckedFile:
    """Persons against the accepted accidents and vehicles, numbered within each accident."""
    persons = _dependent(year, read, accidents, "usagers")
    _drop_persons_without_vehicle(persons, vehicles.rows)
    persons.file.rows = _with_sequence(persons.rows)
    return _finish(persons, year, limits)


def check_dependents(
    year: int,
    reads: Mapping[BaacTable, ReadResult],
    accidents: CheckedFile,
    max_reject_share: float,
    max_unknown_share: float,
) -> dict[BaacTable, CheckedFile]:
    """Check places, vehicles and persons against the accepted accidents (and vehicles); each
    file only needs the files before it, so the pipeline checks each one as it is read."""
    limits = Limits(max_reject_share, max_unknown_share)
    vehicles = check_vehicles(year, reads["vehicules"], accidents, limits)
    return {
        "lieux": check_places(year, reads["lieux"], accidents, limits),
        "vehicules": vehicles,
        "usagers": check_persons(year, reads["usagers"], accidents, vehicles, limits),
    }


def validate_year(
    year: int,
    reads: Mapping[BaacTable, ReadResult],
    max_reject_share: float,
    max_unknown_share: float,
) -> CheckedYear:
    """Check a year's four files together; the returned rows are exactly what may be loaded."""
    limits = (max_reject_share, max_unknown_share)
    accidents = check_accidents(year, reads["caracteristiques"], *limits)
    dependents = check_dependents(year, reads, accidents, *limits)
    return CheckedYear(year, {"caracteristiques": accidents, **dependents})
