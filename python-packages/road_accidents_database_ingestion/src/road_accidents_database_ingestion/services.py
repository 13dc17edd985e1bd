"""Background services of the local platform (MLflow, model_api, the UI, ...) for `gls up`.

Packages declare their services through the `gls.services` entry-point group: a callable
taking the settings and returning `ServiceSpec`s. `gls up` starts each one detached from the
terminal with its log under `Volumes/logs/` and its pid under `Volumes/run/`, then waits
until its health URL answers; `gls down` stops them in reverse order.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from road_accidents_database_ingestion.settings import GlsSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    command: list[str]
    url: str
    health_url: str
    login: str = ""
    env: dict[str, str] = field(default_factory=dict)
    start_timeout_s: float = 120.0
    order: int = 50
    """Services start in increasing order (MLflow before the API that reads from it)."""
    prepare: Callable[[], object] | None = None
    """Run before each start (create a database, a folder, ...); must be idempotent."""


class ServiceError(RuntimeError):
    """A service did not start or stop as asked."""


def declared_services(settings: GlsSettings) -> list[ServiceSpec]:
    """Every service the installed packages declare, in start order."""
    specs: list[ServiceSpec] = []
    for entry in entry_points(group="gls.services"):
        specs.extend(entry.load()(settings))
    return sorted(specs, key=lambda s: (s.order, s.name))


@dataclass(frozen=True)
class Supervisor:
    """Starts, checks and stops services; state lives in files so any process can ask."""

    run_dir: Path
    log_dir: Path

    def _pid_file(self, spec: ServiceSpec) -> Path:
        return self.run_dir / f"{spec.name}.pid"

    def log_file(self, spec: ServiceSpec) -> Path:
        return self.log_dir / f"{spec.name}.log"

    def pid(self, spec: ServiceSpec) -> int | None:
        """The service's pid when its process is alive."""
        try:
            pid = int(self._pid_file(spec).read_text())
        except (FileNotFoundError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        return pid

    @staticmethod
    def healthy(spec: ServiceSpec) -> bool:
        try:
            with urllib.request.urlopen(spec.health_url, timeout=2) as response:  # noqa: S310
                return 200 <= response.status < 300
        except (urllib.error.URLError, OSError):
            return False

    def start(self, spec: ServiceSpec) -> bool:
        """Start the service unless it runs; wait until healthy. False if it already ran."""
        if self.pid(spec) is not None:
            return False
        if spec.prepare is not None:
            spec.prepare()
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with self.log_file(spec).open("ab") as log_handle:
            process = subprocess.Popen(  # noqa: S603 - commands come from installed packages
                spec.command,
                stdout=log_handle,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                env={**os.environ, **spec.env},
            )
        self._pid_file(spec).write_text(str(process.pid))
        deadline = time.monotonic() + spec.start_timeout_s
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise ServiceError(
                    f"{spec.name} exited with code {process.returncode}; see {self.log_file(spec)}"
                )
            if self.healthy(spec):
                log.info("service started", extra={"service": spec.name, "url": spec.url})
                return True
            time.sleep(0.5)
        self.stop(spec)
        raise ServiceError(
            f"{spec.name} did not answer {spec.health_url} within {spec.start_timeout_s:.0f} s; "
            f"see {self.log_file(spec)}"
        )

    def stop(self, spec: ServiceSpec, timeout_s: float = 20.0) -> bool:
        """Stop the service and its children; False if it was not running."""
        pid = self.pid(spec)
        self._pid_file(spec).unlink(missing_ok=True)
        if pid is None:
            return False
        os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            _reap(pid)
            try:
                os.killpg(pid, 0)
            except ProcessLookupError:
                log.info("service stopped", extra={"service": spec.name})
                return True
            time.sleep(0.2)
        os.killpg(pid, signal.SIGKILL)
        log.warning("service killed after %.0f s", timeout_s, extra={"service": spec.name})
        return True


def _reap(pid: int) -> None:
    """Collect the exit status when the service is our own child (tests), so it can vanish."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def supervisor(settings: GlsSettings) -> Supervisor:
    volumes = settings.volumes_dir.resolve()
    return Supervisor(run_dir=volumes / "run", log_dir=volumes / "logs")
