"""The dependency audit (`make audit`, run by CI): it never passes silently without having asked
the vulnerability service, and CI requires it where that service answers."""

from __future__ import annotations

import os
import subprocess

import pytest
import yaml

from .deployment_support import ROOT


@pytest.mark.reliability(
    kind="fault",
    case="dependency audit (pip-audit over requirements.lock) with the vulnerability service"
    " unreachable",
    expect="exit 3 and a message saying the audit was NOT done, within seconds: never a silent"
    " pass",
)
def test_the_audit_says_it_was_not_done_when_the_service_does_not_answer():
    closed = "http://127.0.0.1:9"
    env = os.environ | {"HTTPS_PROXY": closed, "HTTP_PROXY": closed, "https_proxy": closed}
    result = subprocess.run(
        ["bash", str(ROOT / ".ci" / "audit")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 3, result.stdout + result.stderr
    assert "audit: NOT done: the vulnerability service did not answer" in result.stderr
    assert "No known vulnerabilities found" not in result.stdout


def test_ci_runs_the_audit_and_requires_it_on_the_runners():
    run = (ROOT / ".ci" / "run").read_text()
    assert "bash .ci/audit" in run
    assert run.index("bash .ci/audit") < run.index("\nmake test")
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    test_steps = workflow["jobs"]["test"]["steps"]
    [ci_step] = [s for s in test_steps if s.get("run") == "bash .ci/run"]
    assert ci_step["env"]["GLS_REQUIRE_AUDIT"] == "true"


def test_every_accepted_vulnerability_gives_its_reason():
    for line in (ROOT / "audit-ignore.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            advisory, _, reason = line.partition(" ")
            assert advisory.startswith(("PYSEC-", "GHSA-", "CVE-")), line
            assert len(reason.split()) >= 3, f"{advisory} needs its reason"
