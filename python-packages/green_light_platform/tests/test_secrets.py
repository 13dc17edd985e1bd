"""No secret is committed, none goes into an image, and production refuses `.env`'s development
secrets.

Scanned: every file git tracks, and every file the Dockerfiles COPY from the build context
(after `.dockerignore`), tracked or not. Looked for: private keys, AWS and GitHub, Slack and JWT
token shapes, high-entropy values assigned to secret-like names, and passwords written in code or
configuration. The only secrets allowed are `.env`'s development block, which says so in its
values, and which production refuses.
"""

from __future__ import annotations

import base64
import math
import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from green_light_platform.settings import development_secrets

from .deployment_support import ENV_FILE, ROOT, dockerfiles
from .test_dockerfiles import copied_sources, ignored

PATTERNS = {
    "private key": re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"),
    "AWS access key id": re.compile(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}\b"),
    "AWS secret access key": re.compile(
        r"(?i)aws_secret_access_key\s*[=:]\s*[\"']?[A-Za-z0-9/+]{40}\b"
    ),
    "GitHub token": re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{60,})"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    "JSON web token": re.compile(
        r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"
    ),
}
SECRET_NAME = (
    r"(?i)\b(?P<name>[a-z0-9_]*(?:secret|token|passw(?:or)?d|api_?key|private_?key|fernet)"
    r"[a-z0-9_]*)[\"']?\s*(?::=|:|=)\s*"
)
QUOTED = re.compile(SECRET_NAME + r"(?P<quote>[\"'])(?P<value>[^\"'\n]*)(?P=quote)")
"""A secret-like name given a string literal: `name = "value"`, `"name": "value"`, ..."""
BARE = re.compile(SECRET_NAME + r"(?P<value>[^\s\"'`,;)}{]+)")
"""The same in configuration files, where values need no quotes: `NAME=value`, `name: value`."""
REFERENCE = re.compile(
    r"^(?:[$/{<~.%]|[A-Z][A-Z0-9_]*[.:]?$|[A-Za-z_]\w*(?:\.\w+)+$"
    r"|[a-z_]*(?:secret|token|password|key)[a-z_]*$)"
)
"""Not a literal: a variable, a path, a template, another variable's name, a dotted name, a
name that says it holds a secret (`ui_password`)."""
HIGH_ENTROPY = 3.5
"""Bits per character above which a value of 16+ characters, with digits or capitals, looks
generated rather than written (lower-case words like `bring-up-password` are written)."""
DEVELOPMENT = re.compile(r"(?i)(?:dev|test|example|throwaway|unused|changeme)")
"""What a value that is not a real secret says about itself."""
BINARY = (".png", ".gz", ".ipynb", ".lock")
"""Images, compressed reference data, notebook outputs, hash-pinned locks (hashes, no keys)."""


def _entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def tracked_files() -> set[Path]:
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, text=True, check=True
    ).stdout
    return {ROOT / name for name in listed.split("\0") if name}


def image_files() -> set[Path]:
    """Every file of the build context a Dockerfile copies, as `.dockerignore` filters it."""
    found = set()
    for name in dockerfiles():
        for source in copied_sources(name):
            path = ROOT / source
            candidates = path.rglob("*") if path.is_dir() else [path]
            found |= {
                c for c in candidates if c.is_file() and not ignored(c.relative_to(ROOT).as_posix())
            }
    return found


def findings(path: Path, text: str) -> list[str]:
    """What in `text` looks like a committed secret, one line per finding.

    Token shapes count anywhere. A literal given to a secret-like name counts when it looks
    generated (long, high entropy) or, outside tests, when it is a password; either way only
    when it does not say it is a development or test value. Tests' throwaway passwords are
    words ("cli-pass"), never generated keys.
    """
    found = [
        f"{kind}: {match.group(0)[:40]}"
        for kind, pattern in PATTERNS.items()
        for match in pattern.finditer(text)
    ]
    is_test = "tests" in path.parts or path.name == "testing.py"
    literals = list(QUOTED.finditer(text))
    if path.suffix != ".py":
        literals += list(BARE.finditer(text))
    for match in literals:
        value = match["value"]
        if len(value) < 8 or REFERENCE.match(value) or DEVELOPMENT.search(value):
            continue
        generated = (
            len(value) >= 16
            and _entropy(value) > HIGH_ENTROPY
            and (any(c.isdigit() for c in value) or value.lower() != value)
        )
        if generated or ("passw" in match["name"].lower() and not is_test):
            found.append(f"{match['name']} = {value[:6]}... (entropy {_entropy(value):.1f})")
    return found


def _scan(files: set[Path]) -> dict[str, list[str]]:
    report = {}
    for path in sorted(files):
        if path.suffix in BINARY or not path.is_file():
            continue
        raw = path.read_bytes()
        if b"\0" in raw[:8192]:
            continue
        if found := findings(path, raw.decode("utf-8", errors="replace")):
            report[str(path.relative_to(ROOT))] = found
    return report


def _plain(value: str) -> str:
    """A value as text, base64-decoded when it is base64 (a Fernet key)."""
    try:
        return base64.b64decode(value, validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return value


def _in_git_checkout() -> bool:
    return (ROOT / ".git").exists()


@pytest.mark.reliability(
    kind="attack",
    case="secrets committed to the repository (every git-tracked file): private keys, AWS,"
    " GitHub, Slack and JWT tokens, high-entropy secret values, passwords in code or config",
    expect="none found; the only secrets are .env's development values",
)
def test_no_secret_is_committed():
    if not _in_git_checkout():
        pytest.skip("not a git checkout")
    files = tracked_files()
    assert ROOT / ".env" in files and len(files) > 100
    found = _scan(files - {ENV_FILE})
    assert found == {}


@pytest.mark.reliability(
    kind="attack",
    case="secrets in the files the images are built from (the Dockerfiles' COPY sources in the"
    " build context, after .dockerignore, tracked or not)",
    expect="none found, and neither .env nor any tests folder goes into an image",
)
def test_no_secret_goes_into_an_image():
    files = image_files()
    relative = {p.relative_to(ROOT).as_posix() for p in files}
    assert "requirements.lock" in relative
    assert any(r.endswith("model_api/app.py") for r in relative)
    assert ".env" not in relative
    assert not [r for r in relative if "/tests/" in r]
    assert _scan(files) == {}


def test_the_scanner_finds_what_it_looks_for(tmp_path):
    key_header = "-----BEGIN RSA " + "PRIVATE KEY-----"
    samples = {
        "key.pem": key_header + "\nMIIEpAIBAAKCAQEA\n",
        "aws.py": 'KEY = "AKIA' + "ABCDEFGHIJKLMNOP" + '"\n',
        "gh.yml": "token: ghp_" + "a1B2" * 9 + "\n",
        "settings.py": 'jwt_secret = "' + "Zx9Qk2Lm7Np4Rt8Vw1Ys6Bc3Df5Gh0Jk" + '"\n',
        "config.toml": 'password = "hunter2hunter2"\n',
        "app.yml": "admin_password: Password123\n",
    }
    for name, text in samples.items():
        assert findings(tmp_path / name, text), name
    harmless = {
        "settings.py": 'jwt_secret: SecretStr | None = Field(None, alias="GLS_JWT_SECRET")\n',
        "README.md": "ADMIN_PASSWORD=... GLS_JWT_SECRET=...\n",
        "compose.yml": "password: ${ADMIN_PASSWORD}\n",
        "tests/test_x.py": 'ADMIN_PASSWORD="cli-pass"\n',
        ".env": "GLS_SERVICE_PASSWORD=green-light-service-dev\n",
    }
    for name, text in harmless.items():
        assert not findings(tmp_path / name, text), name


@pytest.mark.reliability(
    kind="attack",
    case=".env's secrets block: every value is a development one and says so",
    expect="each secret of the block contains 'dev'; no secret outside the block",
)
def test_dot_env_holds_only_development_secrets():
    secrets = development_secrets(ENV_FILE)
    assert secrets, "the secrets block is there"
    assert all("dev" in _plain(value) for value in secrets.values()), secrets
    outside = {
        name
        for name, value in (
            line.partition("=")[::2]
            for line in ENV_FILE.read_text().splitlines()
            if "=" in line and not line.startswith("#")
        )
        if name not in secrets and value and BARE.match(f"{name}={value}")
    }
    assert outside == set()


@pytest.mark.reliability(
    kind="attack",
    case="a `gls` command run with GLS_ENVIRONMENT=production while a secret still holds the"
    " development value of .env",
    expect="it refuses to run (exit 2) and names the variable; with the secret set in the"
    " environment, or outside production, it runs",
)
def test_production_refuses_the_development_secrets_of_dot_env(gls_cli, tmp_path):
    env_file = tmp_path / "dev.env"
    env_file.write_text(
        "# >>> secrets: DEVELOPMENT VALUES ONLY\nADMIN_PASSWORD=green-light-dev\n# <<< secrets\n"
    )
    base = {k: v for k, v in gls_cli.env.items() if k != "ADMIN_PASSWORD"}
    base["GLS_ENV_FILE"] = str(env_file)
    production = type(gls_cli)(base | {"GLS_ENVIRONMENT": "production"})

    refused = production("db", "url")
    assert refused.returncode == 2
    assert "refusing to run with GLS_ENVIRONMENT=production: ADMIN_PASSWORD" in refused.stderr
    assert "green-light-dev" not in refused.stderr + refused.stdout

    set_here = type(gls_cli)(production.env | {"ADMIN_PASSWORD": "a-production-password"})
    assert set_here("db", "url").returncode == 0
    development = type(gls_cli)(base | {"GLS_ENVIRONMENT": "development"})
    assert development("db", "url").returncode == 0
