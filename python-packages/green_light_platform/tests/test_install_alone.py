"""Every package installs into a fresh virtualenv from its own `pyproject.toml` (plus the
workspace packages it declares) and its entry points import: a dependency that only arrives
through a sibling fails here."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

PACKAGES_DIR = Path(__file__).resolve().parents[2]
LOCK = PACKAGES_DIR.parent / "requirements.lock"
PACKAGES = sorted(p.name for p in PACKAGES_DIR.iterdir() if (p / "pyproject.toml").is_file())

IMPORT_ENTRY_POINTS = """
import importlib
import pkgutil
import sys
from importlib.metadata import distribution

package = importlib.import_module(sys.argv[1])
for module in pkgutil.iter_modules(package.__path__, f"{sys.argv[1]}."):
    if not module.ispkg and module.name.rsplit(".", 1)[1] in ("settings", "steps", "cli"):
        importlib.import_module(module.name)
for entry in distribution(sys.argv[1]).entry_points:
    if entry.group != "pytest11":  # the test plugin needs the test extra
        entry.load()
        print(entry.group, entry.name)
print("imported", package.__name__)
"""


def workspace_dependencies(package: str) -> list[str]:
    """The workspace packages `package` needs, itself first, then what they need in turn."""
    found: list[str] = []
    pending = [package]
    while pending:
        name = pending.pop()
        if name in found:
            continue
        found.append(name)
        project = tomllib.loads((PACKAGES_DIR / name / "pyproject.toml").read_text())["project"]
        pending.extend(d for d in project["dependencies"] if d in PACKAGES)
    return found


def run(*command: str | Path) -> str:
    done = subprocess.run([str(c) for c in command], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"{' '.join(map(str, command))}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.mark.slow
@pytest.mark.parametrize("package", PACKAGES)
def test_the_package_installs_and_imports_alone(package, tmp_path):
    uv = Path(sys.executable).parent / "uv"
    constraints = tmp_path / "constraints.txt"
    constraints.write_text(
        "\n".join(line for line in LOCK.read_text().splitlines() if not line.startswith("-e"))
    )
    venv = tmp_path / "venv"
    run(uv, "venv", "--quiet", "--python", sys.executable, venv)
    python = venv / "bin" / "python"
    sources = [PACKAGES_DIR / name for name in workspace_dependencies(package)]
    run(uv, "pip", "install", "--quiet", "--python", python, "-c", constraints, *sources)
    loaded = run(python, "-c", IMPORT_ENTRY_POINTS, package)
    assert f"imported {package}" in loaded
