"""Every image's Dockerfile without a Docker engine: what it copies exists and is not ignored,
it runs as an ordinary user, declares a health check, keeps dependencies in their own layer and
ships neither the embedded PostgreSQL nor the demo data."""

from __future__ import annotations

import fnmatch
import re

import pytest

from .deployment_support import ROOT, dockerfiles

DOCKERFILES = dockerfiles()
IGNORED = [
    line
    for line in (ROOT / ".dockerignore").read_text().splitlines()
    if line and not line.startswith("#")
]


def instructions(name: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = DOCKERFILES[name].read_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    found = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, arguments = line.strip().partition(" ")
            found.append((keyword.upper(), arguments.strip()))
    return found


def copied_sources(name: str) -> list[str]:
    sources = []
    for keyword, arguments in instructions(name):
        if keyword in ("COPY", "ADD"):
            parts = [p for p in arguments.split() if not p.startswith("--")]
            if "--from=" not in arguments:
                sources.extend(parts[:-1])
    return sources


def ignored(path: str) -> bool:
    for pattern in IGNORED:
        plain = pattern.removeprefix("**/")
        if any(fnmatch.fnmatch(part, plain) for part in path.split("/")) and pattern != plain:
            return True
        if path == pattern or path.startswith(pattern + "/"):
            return True
    return False


def test_compose_builds_one_image_per_service_package():
    assert sorted(DOCKERFILES) == ["airflow", "mlflow", "model_api", "ui"]
    for path in DOCKERFILES.values():
        assert path.parent.parent == ROOT / "python-packages"


@pytest.mark.parametrize("name", sorted(DOCKERFILES))
def test_every_copied_source_exists_and_reaches_the_build(name):
    sources = copied_sources(name)
    assert sources
    for source in sources:
        assert (ROOT / source).exists(), f"{DOCKERFILES[name]}: COPY {source} does not exist"
        assert not ignored(source), f"{DOCKERFILES[name]}: COPY {source} is in .dockerignore"


def test_the_ignore_check_sees_ignored_paths():
    assert ignored("python-packages/model_api/tests")
    assert ignored("Volumes/db")
    assert not ignored("python-packages/model_api/src")


@pytest.mark.parametrize("name", sorted(DOCKERFILES))
def test_the_image_runs_as_an_ordinary_user_with_a_health_check(name):
    steps = instructions(name)
    users = [arguments for keyword, arguments in steps if keyword == "USER"]
    assert users, "no USER: the image would run as root"
    assert users[-1].split(":")[0] not in ("root", "0")
    checks = [arguments for keyword, arguments in steps if keyword == "HEALTHCHECK"]
    assert checks and "CMD" in checks[-1] and checks[-1] != "NONE"


@pytest.mark.parametrize("name", sorted(DOCKERFILES))
def test_dependencies_are_installed_before_the_code_is_copied(name):
    steps = instructions(name)
    copies = [i for i, (k, a) in enumerate(steps) if k == "COPY" and "/src " in a + " "]
    installs = [i for i, (k, a) in enumerate(steps) if k == "RUN" and "install" in a]
    if copies:
        assert installs[0] < copies[0], "dependencies are not in a layer of their own"


@pytest.mark.parametrize("name", sorted(DOCKERFILES))
def test_no_embedded_postgres_nor_demo_data_in_the_image(name):
    text = DOCKERFILES[name].read_text()
    assert "embedded" not in text
    assert "baac_demo_data" not in text
    assert "[test]" not in text


@pytest.mark.parametrize("name", ["mlflow", "model_api", "ui"])
def test_our_python_images_are_slim_and_multi_stage(name):
    steps = instructions(name)
    assert len([a for k, a in steps if k == "FROM"]) >= 2
    assert "slim" in DOCKERFILES[name].read_text()
    assert any(k == "COPY" and "--from=build" in a for k, a in steps)


def test_the_airflow_image_is_the_official_one_with_our_packages():
    steps = instructions("airflow")
    assert steps[0] == ("ARG", "AIRFLOW_VERSION=3.3.2")
    assert [a for k, a in steps if k == "FROM"] == ["apache/airflow:${AIRFLOW_VERSION}-python3.11"]
    copied = " ".join(copied_sources("airflow"))
    for package in (
        "green_light_platform",
        "road_accidents_database_ingestion",
        "gravity_model",
        "green_light_pipelines",
    ):
        assert f"python-packages/{package}" in copied
    assert "apache-airflow==${AIRFLOW_VERSION}" in DOCKERFILES["airflow"].read_text()
