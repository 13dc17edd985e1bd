"""What the deployment tests share: the repository's files, `.env` and Compose interpolation."""

from __future__ import annotations

import json
import re
from functools import cache
from importlib.resources import files
from pathlib import Path

import yaml

from green_light_platform.settings import development_secrets

ROOT = Path(__file__).resolve().parents[3]
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_FILE = ROOT / ".env"
VARIABLE = re.compile(
    r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|(?<!\$)\$([A-Za-z_]\w*)"
)


def vendored_schema(name: str) -> dict:
    """A JSON schema vendored by the pinned check-jsonschema package (no network)."""
    return json.loads((files("check_jsonschema.builtin_schemas.vendor") / name).read_text())


@cache
def env_values() -> dict[str, str]:
    """The variables `.env` defines, as docker compose reads them."""
    values = {}
    for line in ENV_FILE.read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value
    return values


def secret_names() -> list[str]:
    """The variables of `.env`'s secrets block (the PROD script refuses their values)."""
    return list(development_secrets(ENV_FILE))


def compose() -> dict:
    """docker-compose.yml as YAML (anchors and merge keys resolved), not interpolated."""
    return yaml.safe_load(COMPOSE_FILE.read_text())


def interpolate(value: str, env: dict[str, str] | None = None) -> str:
    """Compose's `${VAR}`, `${VAR:-default}` and `$VAR` with `.env`; `$$` is a literal `$`."""
    env = env_values() if env is None else env

    def replace(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(3)
        return env.get(name) or match.group(2) or ""

    return VARIABLE.sub(replace, value).replace("$$", "$")


def dockerfiles() -> dict[str, Path]:
    """Image name -> Dockerfile of every image compose builds."""
    found = {}
    for service in compose()["services"].values():
        if "build" in service:
            name = interpolate(service["image"]).rsplit("/", 1)[1].split(":")[0]
            found[name] = ROOT / service["build"]["context"] / service["build"]["dockerfile"]
    return found
