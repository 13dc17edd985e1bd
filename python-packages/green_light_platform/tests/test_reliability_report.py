"""The reliability report plugin, run on small suites of its own with pytester."""

from __future__ import annotations

import subprocess
import textwrap

import pytest

SUITE = """
import pytest

@pytest.mark.reliability(kind="fault", case="server killed", expect="year kept whole")
def test_fault():
    pass

@pytest.mark.reliability(kind="bad input", case="a | pipe", expect="clear error")
def test_bad_input():
    assert 1 == 2, "the reader crashed"

@pytest.mark.reliability(kind="attack", case="forged token", expect="401")
def test_attack():
    pytest.skip("no server here")

@pytest.mark.parametrize("size", [1, 2])
@pytest.mark.reliability(kind="attack", case="big body", expect="413")
def test_sizes(size):
    pass

def test_unmarked():
    pass
"""


def _report(pytester: pytest.Pytester, *args: str) -> tuple[pytest.RunResult, str]:
    result = pytester.runpytest("--reliability-report", "docs/reliability.md", *args)
    path = pytester.path / "docs" / "reliability.md"
    return result, path.read_text(encoding="utf-8") if path.exists() else ""


def test_the_report_has_a_row_per_claim_with_its_observed_outcome(pytester):
    pytester.makepyfile(test_claims=SUITE)
    result, report = _report(pytester)
    result.assert_outcomes(passed=4, failed=1, skipped=1)
    assert "reliability report written to" in result.stdout.str()

    assert report.startswith("# Reliability")
    fault = report.index("## Fault")
    bad_input = report.index("## Bad input")
    attack = report.index("## Attack")
    load = report.index("## Load")
    assert fault < bad_input < attack < load
    assert (
        "| server killed | `test_claims.py::test_fault` | year kept whole | passed ("
        in report[fault:bad_input]
    )
    bad_row = next(line for line in report.splitlines() if "test_bad_input" in line)
    assert bad_row.startswith("| a \\| pipe | `test_claims.py::test_bad_input` | clear error |")
    assert "failed (" in bad_row
    assert "AssertionError: the reader crashed" in bad_row
    attacks = report[attack:load]
    assert "skipped (" in attacks
    assert "no server here" in attacks
    assert (
        "| big body | `test_claims.py::test_sizes` (2 cases: 1, 2) | 413 | passed (all 2, "
        in attacks
    )
    assert "No test of this kind ran." in report[load:]
    assert "test_unmarked" not in report
    assert "- Marked tests: 5 (1 failed, 3 passed, 1 skipped) of 6 tests collected" in report


def test_the_run_is_named_commit_python_server_and_place(pytester, monkeypatch):
    pytester.makepyfile(
        test_server="""
        import pytest

        @pytest.mark.reliability(kind="fault", case="c", expect="e")
        def test_uses_the_server(postgres_server_url):
            pass
        """
    )
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "init", "-q"], cwd=pytester.path, check=True)
    subprocess.run([*git, "add", "."], cwd=pytester.path, check=True)
    subprocess.run([*git, "commit", "-qm", "suite"], cwd=pytester.path, check=True)
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=pytester.path, capture_output=True, text=True
    ).stdout.strip()
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv("GITHUB_RUN_ID", "4242")

    result, report = _report(pytester)
    result.assert_outcomes(passed=1)
    assert f"- Git commit: {commit}\n" in report
    assert "- Python: 3.11." in report
    assert "- PostgreSQL: 1" in report  # a server version, 16 or 17
    assert "- Where: CI (run 4242)" in report
    assert "- Command: `pytest --reliability-report docs/reliability.md" in report


def test_an_uncommitted_change_is_said(pytester):
    pytester.makepyfile(
        test_one='import pytest\n\n@pytest.mark.reliability(kind="load", '
        'case="c", expect="e")\ndef test_one():\n    pass\n'
    )
    subprocess.run(["git", "init", "-q"], cwd=pytester.path, check=True)
    subprocess.run(["git", "add", "."], cwd=pytester.path, check=True)
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "x"],
        cwd=pytester.path,
        check=True,
    )
    (pytester.path / "test_one.py").write_text(
        (pytester.path / "test_one.py").read_text() + "\n# changed\n"
    )
    _, report = _report(pytester)
    assert "(with uncommitted changes)" in report


def test_no_report_without_a_marked_test_run(pytester):
    pytester.makepyfile(test_claims=SUITE)
    target = pytester.path / "docs" / "reliability.md"
    target.parent.mkdir()
    target.write_text("the last whole run's report\n")

    result, report = _report(pytester, "-k", "unmarked")
    result.assert_outcomes(passed=1)
    assert report == "the last whole run's report\n"
    assert "no marked test ran" in result.stdout.str()

    plain = pytester.runpytest()
    plain.assert_outcomes(passed=4, failed=1, skipped=1)
    assert target.read_text() == "the last whole run's report\n"


@pytest.mark.parametrize(
    "marker",
    [
        'kind="flood", case="c", expect="e"',
        'kind="fault", case="c"',
        'kind="fault", case="", expect="e"',
        '"fault", "c", "e"',
    ],
)
def test_a_malformed_marker_stops_the_run(pytester, marker):
    pytester.makepyfile(
        test_bad=f"import pytest\n\n@pytest.mark.reliability({marker})\ndef test_x():\n    pass\n"
    )
    result = pytester.runpytest("--reliability-report", "r.md")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*test_bad.py::test_x: the reliability marker takes kind=*"])
    assert not (pytester.path / "r.md").exists()


def test_the_marker_is_registered_for_strict_runs(pytester):
    pytester.makepyfile(
        test_one='import pytest\n\n@pytest.mark.reliability(kind="load", case="c", expect="e")\n'
        "def test_one():\n    pass\n"
    )
    pytester.runpytest("--strict-markers").assert_outcomes(passed=1)


def test_the_benchmarks_are_listed_as_measured_elsewhere(pytester):
    pytester.makepyfile(test_one=textwrap.dedent(SUITE))
    benchmarks = pytester.path / "benchmarks"
    benchmarks.mkdir()
    (benchmarks / "api_load.py").write_text(
        '"""model_api under load for minutes:\nlatency and memory.\n\nDetails."""\n'
    )
    _, report = _report(pytester)
    section = report[report.index("## Measured by benchmarks instead") :]
    assert "- `benchmarks/api_load.py`: model_api under load for minutes: latency and memory." in (
        section
    )


def test_a_parametrized_claim_is_one_row_that_names_its_failing_cases(pytester):
    pytester.makepyfile(
        test_cases="""
        import pytest

        @pytest.mark.reliability(kind="bad input", case="odd sizes", expect="refused")
        @pytest.mark.parametrize("size", [1, 2, 3])
        def test_sizes(size):
            assert size != 2, "size 2 went through"

        def test_other():
            pass
        """
    )
    result, report = _report(pytester, "-k", "sizes")
    result.assert_outcomes(passed=2, failed=1)
    [row] = [line for line in report.splitlines() if "test_sizes" in line]
    assert row.startswith(
        "| odd sizes | `test_cases.py::test_sizes` (3 cases: 1, 2, 3) | refused |"
    )
    assert "1 failed ([2] AssertionError: size 2 went through" in row
    assert "2 passed" in row
    assert "of 4 tests collected, 1 of them not selected by this run" in report
