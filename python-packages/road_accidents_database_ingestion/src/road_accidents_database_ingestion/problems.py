"""What can go wrong with accident files, said precisely enough to fix the file.

A `Reject` is one bad row (it is left out and recorded in the `rejects` table); a
`FileProblem` makes a whole file, and so its year, fail with a reason naming the file and,
where there is one, the line, column and value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


@dataclass(frozen=True)
class Reject:
    line: int | None
    column: str | None
    value: str | None
    rule: str
    message: str


class FileProblem(Exception):
    """A file (or a year folder) that cannot be ingested at all."""

    def __init__(
        self,
        path: Path,
        problem: str,
        *,
        line: int | None = None,
        column: int | str | None = None,
        value: str | None = None,
    ) -> None:
        self.path = path
        self.problem = problem
        self.line = line
        self.column = column
        self.value = value
        where = [str(path)]
        if line is not None:
            where.append(f"line {line}")
        if column is not None:
            where.append(f"column {column}")
        detail = f" (value {value!r})" if value is not None else ""
        super().__init__(f"{', '.join(where)}: {problem}{detail}")
