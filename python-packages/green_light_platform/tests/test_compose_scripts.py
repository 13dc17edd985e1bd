"""DEV-/PROD-docker-compose-up.sh run for real, with `docker` on PATH being a recorder of its
calls (no Docker engine here): production refuses the development secrets and names them."""

from __future__ import annotations

import os
import subprocess

import pytest

from .deployment_support import ROOT, env_values, secret_names

RECORDER = """#!/bin/sh
printf '%s|GLS_TAG=%s|GLS_ENVIRONMENT=%s\\n' "$*" "$GLS_TAG" "$GLS_ENVIRONMENT" >> "$DOCKER_CALLS"
"""


@pytest.fixture
def docker(tmp_path):
    """A `docker` that records its arguments; returns a function giving the calls so far."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    recorder = bin_dir / "docker"
    recorder.write_text(RECORDER)
    recorder.chmod(0o755)
    calls = tmp_path / "calls"
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "DOCKER_CALLS": str(calls),
        "HOME": str(tmp_path),
    }
    return env, lambda: calls.read_text().splitlines() if calls.exists() else []


def run(script: str, env: dict[str, str], answer: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ROOT / script)], env=env, input=answer, capture_output=True, text=True, timeout=60
    )


def production_secrets() -> dict[str, str]:
    return {name: f"prod-{name.lower()}-value-0123456789" for name in secret_names()}


def test_every_password_key_and_secret_of_dot_env_is_in_the_secrets_block():
    names = secret_names()
    assert len(names) >= 8
    for name in env_values():
        if any(word in name for word in ("PASSWORD", "SECRET", "FERNET")):
            assert name in names, f"{name} is outside .env's secrets block"


def test_production_refuses_to_start_on_the_development_secrets_and_names_them(docker):
    env, calls = docker
    done = run("PROD-docker-compose-up.sh", {**env, **env_values()})
    assert done.returncode == 1
    for name in secret_names():
        assert f"  {name}\n" in done.stderr
    assert calls() == []


def test_production_names_only_the_secrets_left_unset_or_at_their_development_value(docker):
    env, calls = docker
    secrets = production_secrets()
    secrets["GLS_JWT_SECRET"] = env_values()["GLS_JWT_SECRET"]
    del secrets["GLS_AIRFLOW_FERNET_KEY"]
    done = run("PROD-docker-compose-up.sh", {**env, **secrets})
    assert done.returncode == 1
    named = [line.strip() for line in done.stderr.splitlines() if line.startswith("  ")]
    assert named == ["GLS_JWT_SECRET", "GLS_AIRFLOW_FERNET_KEY"]
    assert calls() == []


def test_production_pulls_the_tag_and_starts_without_building(docker):
    env, calls = docker
    done = run("PROD-docker-compose-up.sh", {**env, **production_secrets(), "GLS_TAG": "v1.2.3"})
    assert done.returncode == 0, done.stderr
    tag = "GLS_TAG=v1.2.3|GLS_ENVIRONMENT=production"
    assert calls() == [f"compose pull|{tag}", f"compose up -d --no-build|{tag}"]


def test_production_prunes_images_when_asked(docker):
    env, calls = docker
    done = run("PROD-docker-compose-up.sh", {**env, **production_secrets()}, answer="y\n")
    assert done.returncode == 0, done.stderr
    assert calls()[0] == "image prune -a -f|GLS_TAG=latest|GLS_ENVIRONMENT=production"


def test_development_builds_locally_then_starts(docker):
    env, calls = docker
    done = run("DEV-docker-compose-up.sh", {**env, "GLS_TAG": "v1.2.3"}, answer="n\n")
    assert done.returncode == 0, done.stderr
    assert [c.split("|")[0] for c in calls()] == ["compose build", "compose up -d"]
    assert all("|GLS_TAG=dev|" in c for c in calls())


def test_the_scripts_say_when_docker_is_missing(tmp_path):
    env = {"PATH": "/nonexistent", "HOME": str(tmp_path), **production_secrets()}
    for script in ("DEV-docker-compose-up.sh", "PROD-docker-compose-up.sh"):
        done = subprocess.run(
            ["/bin/bash", str(ROOT / script)], env=env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 1
        assert "docker is not installed" in done.stderr
    assert os.access(ROOT / "PROD-docker-compose-up.sh", os.X_OK)
