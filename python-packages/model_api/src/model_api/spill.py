"""Prediction log rows the memory cannot keep while the database is away, in files.

Each spill appends one line, a JSON array of rows in `INSERT_STATEMENT` order, to this
process's current file (`spill-<pid>-<random>.jsonl`). A replay first closes that file, so
later spills start a new one, then claims each finished file by renaming it: a rename is
atomic, so two replicas sharing the folder never replay the same file. A file whose rows are
written is deleted; one claimed by a process that died before deleting it (`*.replaying`) is
claimed again at the next start. The folder's size is bounded: past `max_bytes`, `write`
refuses and the caller counts the rows as dropped.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path
    from typing import BinaryIO

log = logging.getLogger(__name__)

SUFFIX = ".jsonl"
CLAIMED = ".replaying"


class SpillFolder:
    def __init__(self, folder: Path, max_bytes: int) -> None:
        self.folder = folder
        self._max_bytes = max_bytes
        self._lock = threading.Lock()
        self._current: BinaryIO | None = None
        self.folder.mkdir(parents=True, exist_ok=True)
        self._bytes = sum(path.stat().st_size for path in self._files("*"))

    def _files(self, pattern: str) -> list[Path]:
        return sorted(path for path in self.folder.glob(pattern) if path.is_file())

    @property
    def holds_rows(self) -> bool:
        return self._bytes > 0

    def write(self, line: bytes) -> bool:
        """Append one JSON array of rows; False when the folder is full or cannot be written."""
        with self._lock:
            if self._bytes + len(line) + 1 > self._max_bytes:
                return False
            try:
                if self._current is None:
                    name = f"spill-{os.getpid()}-{secrets.token_hex(4)}{SUFFIX}"
                    self._current = (self.folder / name).open("ab")
                self._current.write(line + b"\n")
                self._current.flush()
            except OSError:
                log.exception("prediction log spill failed", extra={"folder": str(self.folder)})
                return False
            self._bytes += len(line) + 1
            return True

    def claim(self, *, abandoned: bool = False) -> Iterator[Path]:
        """Finished files, each renamed to be this process's; `abandoned` adds the ones
        claimed by a process that stopped before writing them (at start-up only)."""
        with self._lock:
            if self._current is not None:
                self._current.close()
                self._current = None
        patterns = [f"*{SUFFIX}"] + ([f"*{CLAIMED}"] if abandoned else [])
        for path in (found for pattern in patterns for found in self._files(pattern)):
            claimed = path.with_name(f"{path.stem.split('.')[0]}-{os.getpid()}{SUFFIX}{CLAIMED}")
            try:
                path.rename(claimed)
            except FileNotFoundError:
                continue  # another replica claimed it first
            yield claimed

    def lines(self, path: Path) -> list[bytes]:
        return [line for line in path.read_bytes().splitlines() if line.strip()]

    def give_back(self, path: Path) -> None:
        """Unclaim a file whose rows could not be written, for a later replay."""
        path.rename(path.with_name(path.name.removesuffix(CLAIMED)))

    def release(self, path: Path) -> None:
        """Delete a claimed file whose rows are in the database."""
        size = path.stat().st_size
        path.unlink()
        with self._lock:
            self._bytes = max(self._bytes - size, 0)

    def close(self) -> None:
        with self._lock:
            if self._current is not None:
                self._current.close()
                self._current = None
