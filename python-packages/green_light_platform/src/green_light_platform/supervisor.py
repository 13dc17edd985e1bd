"""Starting, checking and stopping the platform's background services.

Each service runs detached from the terminal, its log under `Volumes/logs/` and its pid under
`Volumes/run/`, so that any later `gls` process (`gls status`, `gls down`) can find it.
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
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from green_light_platform.settings import RuntimeSettings
    from green_light_platform.steps import Service

log = logging.getLogger(__name__)


class ServiceError(RuntimeError):
    """A service did not start or stop as asked."""


@dataclass(frozen=True)
class Supervisor:
    """Starts, checks and stops services; state lives in files so any process can ask."""

    run_dir: Path
    log_dir: Path

    @classmethod
    def of(cls, runtime: RuntimeSettings) -> Supervisor:
        return cls(run_dir=runtime.volume("run"), log_dir=runtime.volume("logs"))

    def _pid_file(self, service: Service) -> Path:
        return self.run_dir / f"{service.name}.pid"

    def log_file(self, service: Service) -> Path:
        return self.log_dir / f"{service.name}.log"

    def pid(self, service: Service) -> int | None:
        """The service's pid when its process is alive."""
        try:
            pid = int(self._pid_file(service).read_text())
        except (FileNotFoundError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        return pid

    @staticmethod
    def healthy(service: Service) -> bool:
        if service.health is not None:
            return service.health()
        try:
            with urllib.request.urlopen(service.health_url, timeout=2) as response:  # noqa: S310
                return 200 <= response.status < 300
        except (urllib.error.URLError, OSError):
            return False

    def start(self, service: Service) -> bool:
        """Start the service unless it runs; wait until healthy. False if it already ran."""
        if self.pid(service) is not None:
            return False
        if service.prepare is not None:
            service.prepare()
        extra = service.env_factory() if service.env_factory is not None else {}
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with self.log_file(service).open("ab") as log_handle:
            process = subprocess.Popen(  # noqa: S603 - commands come from installed packages
                service.command,
                stdout=log_handle,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                env={**os.environ, **service.env, **extra},
            )
        self._pid_file(service).write_text(str(process.pid))
        deadline = time.monotonic() + service.start_timeout_s
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise ServiceError(
                    f"{service.name} exited with code {process.returncode};"
                    f" see {self.log_file(service)}"
                )
            if self.healthy(service):
                log.info("service started", extra={"service": service.name, "url": service.url})
                return True
            time.sleep(0.5)
        self.stop(service)
        raise ServiceError(
            f"{service.name} did not answer {service.health_url} within"
            f" {service.start_timeout_s:.0f} s; see {self.log_file(service)}"
        )

    def stop(self, service: Service, timeout_s: float = 20.0) -> bool:
        """Stop the service and its children; False if it was not running."""
        pid = self.pid(service)
        self._pid_file(service).unlink(missing_ok=True)
        if pid is None:
            return False
        os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            _reap(pid)
            try:
                os.killpg(pid, 0)
            except ProcessLookupError:
                log.info("service stopped", extra={"service": service.name})
                return True
            time.sleep(0.2)
        os.killpg(pid, signal.SIGKILL)
        log.warning("service killed after %.0f s", timeout_s, extra={"service": service.name})
        return True


def _reap(pid: int) -> None:
    """Collect the exit status when the service is our own child (tests), so it can vanish."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
