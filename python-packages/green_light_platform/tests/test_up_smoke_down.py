"""The README's promise end to end: `gls up` brings every declared service up on a fresh
platform (embedded PostgreSQL, demo data, MLflow, a first champion, model_api, pgAdmin),
`gls smoke` passes, and `gls down` leaves no process of it behind in the process table."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from green_light_platform.db.embedded import free_port
from green_light_platform.testing import GlsCli


def platform_processes(folder: Path) -> dict[int, str]:
    """Every process whose command line or environment names the platform's folder."""
    marker = str(folder).encode()
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            environ = (entry / "environ").read_bytes()
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        if marker in cmdline or marker in environ:
            found[int(entry.name)] = cmdline.replace(b"\0", b" ").decode(errors="replace")[:200]
    return found


@pytest.mark.slow
def test_up_then_smoke_then_down_leaves_no_process_behind(gls_cli, clean_environment):
    cli = GlsCli(
        gls_cli.env
        | {
            "GLS_UP_SERVICES": "all",
            "GLS_MLFLOW_PORT": str(free_port()),
            "GLS_MODEL_API_PORT": str(free_port()),
            "GLS_PGADMIN_PORT": str(free_port()),
            "GLS_DEMO_YEARS": "2021-2022",
            "GLS_DEMO_SCALE": "0.005",
            "GLS_DEMO_SEED": "3",
        }
    )
    up = cli("up", timeout=1200)
    assert up.returncode == 0, up.stdout + up.stderr
    status = cli("status").stdout.splitlines()
    declared = [line.split(":")[0] for line in status[1:]]
    assert {"MLflow", "model_api", "pgAdmin"} <= set(declared), status
    for line in status[1:]:
        assert ": running, pid " in line and ", healthy " in line, line

    smoke = cli("smoke", timeout=300)
    assert smoke.returncode == 0, smoke.stdout + smoke.stderr
    assert "failed" not in smoke.stdout
    for name in ["RoadAccidents PostgreSQL", *declared]:
        assert any(name in row and " ok " in row for row in smoke.stdout.splitlines()), name
    running = platform_processes(clean_environment)
    assert len(running) > len(declared), running

    down = cli("down", timeout=300)
    assert down.returncode == 0, down.stdout + down.stderr
    deadline = time.monotonic() + 15
    while platform_processes(clean_environment) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert platform_processes(clean_environment) == {}

    after = cli("smoke", timeout=300)
    assert after.returncode == 1
    assert "smoke test failed" in after.stderr
