"""The GitHub workflows without GitHub: valid against the workflow schema (vendored by a pinned
PyPI package), with the jobs CI and releases need, building the images compose builds."""

from __future__ import annotations

import jsonschema
import pytest
import yaml

from .deployment_support import ROOT, dockerfiles, vendored_schema

WORKFLOWS = ROOT / ".github" / "workflows"


def workflow(name: str) -> dict:
    document = yaml.safe_load((WORKFLOWS / name).read_text())
    document["on"] = document.pop(True, document.get("on"))  # YAML 1.1 reads `on` as true
    return document


def image_matrix(job: dict) -> dict[str, str]:
    return {entry["name"]: entry["dockerfile"] for entry in job["strategy"]["matrix"]["include"]}


@pytest.mark.parametrize("name", ["ci.yml", "release.yml"])
def test_the_workflow_follows_the_github_schema(name):
    schema = vendored_schema("github-workflows.json")
    document = yaml.safe_load((WORKFLOWS / name).read_text())
    document["on"] = document.pop(True)
    jsonschema.validate(document, schema)


def test_the_schema_check_catches_a_broken_workflow():
    schema = vendored_schema("github-workflows.json")
    broken = workflow("ci.yml")
    broken["jobs"]["lint"]["steps"] = "make lint"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_ci_lints_tests_with_postgres_validates_compose_and_builds_every_image():
    jobs = workflow("ci.yml")["jobs"]
    assert set(jobs) >= {"lint", "test", "compose", "images"}
    assert any("make lint" in step.get("run", "") for step in jobs["lint"]["steps"])
    assert "postgres" in jobs["test"]["services"]
    assert any(".ci/run" in step.get("run", "") for step in jobs["test"]["steps"])
    assert any("docker compose config" in step.get("run", "") for step in jobs["compose"]["steps"])
    expected = {name: str(path.relative_to(ROOT)) for name, path in dockerfiles().items()}
    assert image_matrix(jobs["images"]) == expected


def test_release_pushes_version_latest_and_sha_on_version_tags():
    document = workflow("release.yml")
    assert document["on"] == {"push": {"tags": ["v*.*.*"]}}
    job = document["jobs"]["images"]
    expected = {name: str(path.relative_to(ROOT)) for name, path in dockerfiles().items()}
    assert image_matrix(job) == expected
    login = next(s for s in job["steps"] if s.get("uses", "").startswith("docker/login-action"))
    assert login["with"]["password"] == "${{ secrets.GLS_REGISTRY_PASSWORD }}"
    assert login["with"]["registry"].startswith("${{ vars.")
    push = next(s for s in job["steps"] if s.get("uses", "").startswith("docker/build-push"))
    assert push["with"]["push"] is True
    tags = push["with"]["tags"].splitlines()
    registry = "${{ vars.GLS_REGISTRY }}/${{ matrix.name }}"
    assert tags == [
        f"{registry}:${{{{ github.ref_name }}}}",
        f"{registry}:latest",
        f"{registry}:${{{{ github.sha }}}}",
    ]
