"""The watcher that starts the ingestion DAG when year folders are dropped or changed.

An Airflow event trigger (run by the triggerer) that looks at the data directory every few
seconds: the names, sizes and modification times of its files, never their contents. It
fires once the listing has changed and then stayed the same for one more look, so a year
still being copied does not start a run. After a triggerer restart it fires once more; the
ingestion skips unchanged years in well under a second, so that costs nothing.
"""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from airflow.triggers.base import BaseEventTrigger, TriggerEvent

if TYPE_CHECKING:
    from collections.abc import AsyncIterator


def listing(folder: Path) -> tuple[str, int]:
    """A digest of every file's path, size and modification time, and the number of files."""
    entries = sorted(
        f"{path.relative_to(folder)}|{stat.st_size}|{stat.st_mtime_ns}"
        for path in folder.rglob("*")
        if path.is_file() and (stat := path.stat())
    )
    return hashlib.sha256("\n".join(entries).encode()).hexdigest(), len(entries)


class DataDirectoryChanged(BaseEventTrigger):
    def __init__(self, folder: str, poll_seconds: float = 2.0) -> None:
        super().__init__()
        self.folder = folder
        self.poll_seconds = poll_seconds

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {"folder": self.folder, "poll_seconds": self.poll_seconds},
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        fired: str | None = None
        previous: str | None = None
        while True:
            digest, files = await asyncio.to_thread(listing, Path(self.folder))
            if files and digest == previous and digest != fired:
                fired = digest
                yield TriggerEvent({"listing": digest, "files": files})
            previous = digest
            await asyncio.sleep(self.poll_seconds)
