"""docs/reliability.md from the test run itself: every claim a test proves, and how it went.

A test proves a reliability claim by carrying the `reliability` marker:
`@pytest.mark.reliability(kind="fault", case="what is tried", expect="what the test proves")`.
This pytest plugin (entry point `pytest11`) registers and checks that marker, collects the
outcome of every marked test, and, when the run is given `--reliability-report PATH` (as
`make test` does) and at least one marked test ran, writes PATH: one table per kind, with the
run it comes from. The document is never written by hand, so it cannot claim more than the
run showed; claims that need minutes are measured by the scripts in `benchmarks/` instead,
which the document lists.
"""

from __future__ import annotations

import ast
import os
import platform
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pathlib import Path

MARKER = "reliability"
KINDS = ("fault", "bad input", "attack", "load")
OPTION = "--reliability-report"


@dataclass(frozen=True)
class Claim:
    kind: str
    case: str
    expect: str


@dataclass
class Result:
    """What the run observed of one marked test (all its phases together)."""

    nodeid: str
    claims: tuple[Claim, ...]
    outcome: str = "not run"
    detail: str = ""
    seconds: float = 0.0

    @property
    def test(self) -> str:
        """The test function's node id, without the parameters."""
        return self.nodeid.split("[", 1)[0]

    @property
    def parameters(self) -> str | None:
        return self.nodeid[len(self.test) + 1 : -1] if "[" in self.nodeid else None


@dataclass
class RunFacts:
    """The run a report comes from; the database fixtures add the server they used."""

    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    environment: dict[str, str] = field(default_factory=dict)


FACTS = pytest.StashKey[RunFacts]()


def record_environment(config: pytest.Config, name: str, value: str) -> None:
    """Note a fact of the run's environment (e.g. the PostgreSQL version) for the report."""
    config.stash.setdefault(FACTS, RunFacts()).environment[name] = value


def claims_of(item: pytest.Item) -> tuple[Claim, ...]:
    """The item's claims, checked: a known kind, a case and an expected outcome."""
    claims = []
    for marker in item.iter_markers(MARKER):
        kind, case, expect = (marker.kwargs.get(k) for k in ("kind", "case", "expect"))
        if marker.args or kind not in KINDS or not case or not expect:
            raise pytest.UsageError(
                f"{item.nodeid}: the {MARKER} marker takes kind= (one of {', '.join(KINDS)}),"
                f" case= and expect= as keywords, got args={marker.args} kwargs={marker.kwargs}"
            )
        claims.append(Claim(kind, str(case), str(expect)))
    return tuple(claims)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("green light").addoption(
        OPTION,
        metavar="PATH",
        default=None,
        help="write the reliability report (docs/reliability.md) of the marked tests to PATH",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(kind, case, expect): proves a fault, bad-input, attack or load claim;"
        " listed in docs/reliability.md",
    )
    config.stash.setdefault(FACTS, RunFacts())
    config.pluginmanager.register(ReliabilityReport(config), "gls_reliability_report")


class ReliabilityReport:
    """The hooks of one run: which tests carry claims, how each went, the report at the end."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.results: dict[str, Result] = {}
        self.written: Path | None = None
        self.deselected = 0

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        self.deselected += len(items)

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            if claims := claims_of(item):
                self.results[item.nodeid] = Result(item.nodeid, claims)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        result = self.results.get(report.nodeid)
        if result is None:
            return
        result.seconds += report.duration
        if report.when == "call" or result.outcome == "not run":
            result.outcome, result.detail = _outcome(report)
        elif report.failed:
            result.outcome, result.detail = "error", f"{report.when}: {_crash(report)}"

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        target = self.config.getoption(OPTION)
        ran = [r for r in self.results.values() if r.outcome != "not run"]
        if not target or not ran:
            return
        path = self.config.invocation_params.dir / target
        path.parent.mkdir(parents=True, exist_ok=True)
        counts = (session.testscollected + self.deselected, self.deselected)
        path.write_text(render(ran, self.config, counts), encoding="utf-8")
        self.written = path

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        target = self.config.getoption(OPTION)
        if not target:
            return
        if self.written is not None:
            terminalreporter.write_line(f"reliability report written to {self.written}")
        else:
            terminalreporter.write_line(f"reliability report: no marked test ran, {target} kept")


def _outcome(report: pytest.TestReport) -> tuple[str, str]:
    if hasattr(report, "wasxfail"):
        return ("xfailed" if report.skipped else "xpassed"), str(report.wasxfail)
    if report.skipped:
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        return "skipped", reason.removeprefix("Skipped: ")
    if report.failed:
        return ("failed" if report.when == "call" else "error"), _crash(report)
    return ("passed" if report.when == "call" else "not run"), ""


def _crash(report: pytest.TestReport) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    message = (crash.message if crash is not None else str(report.longrepr)).strip()
    return message.splitlines()[0][:200] if message else "no message"


def render(results: list[Result], config: pytest.Config, counts: tuple[int, int]) -> str:
    """The report: where the run comes from, then a table per kind, then the benchmarks."""
    facts = config.stash.setdefault(FACTS, RunFacts())
    rows = {kind: [(c, r) for r in results for c in r.claims if c.kind == kind] for kind in KINDS}
    lines = [
        "# Reliability: what is tried and what is observed",
        "",
        "Generated by the `reliability` pytest plugin"
        " (`green_light_platform.reliability_report`) from the run below; do not edit by hand."
        " Each row is a test marked `@pytest.mark.reliability(kind=..., case=..., expect=...)`:"
        " the case tried, the test that tries it, the outcome it asserts, and what the run saw.",
        "",
        "## The run",
        "",
        *_run_lines(config, facts, results, counts),
    ]
    for kind in KINDS:
        lines += ["", f"## {kind.capitalize()}", ""]
        if not rows[kind]:
            lines.append("No test of this kind ran.")
            continue
        lines += [
            "| case | how it is tested | expected outcome | observed outcome |",
            "| --- | --- | --- | --- |",
        ]
        groups: dict[tuple[Claim, str], list[Result]] = {}
        for claim, result in rows[kind]:
            groups.setdefault((claim, result.test), []).append(result)
        lines += [
            f"| {_cell(claim.case)} | {_tested(test, group)} | {_cell(claim.expect)}"
            f" | {_cell(_observed(group))} |"
            for (claim, test), group in groups.items()
        ]
    lines += ["", *_benchmark_lines(config.rootpath / "benchmarks")]
    return "\n".join(lines) + "\n"


def _tested(test: str, group: list[Result]) -> str:
    """The test's node id, with its parameter sets when it has several."""
    parameters = [r.parameters for r in group if r.parameters is not None]
    if not parameters:
        return f"`{_cell(test)}`"
    return f"`{_cell(test)}` ({len(parameters)} cases: {_cell(', '.join(parameters))})"


def _observed(group: list[Result]) -> str:
    """How a test went: its outcome, or per outcome how many of its cases and why."""
    seconds = sum(r.seconds for r in group)
    outcomes = sorted({r.outcome for r in group})
    if len(group) == 1 or outcomes == ["passed"]:
        only = group[0]
        count = f"all {len(group)}, " if len(group) > 1 else ""
        text = f"{only.outcome} ({count}{seconds:.1f} s)"
        return f"{text}: {only.detail}" if len(group) == 1 and only.detail else text
    parts = []
    for outcome in outcomes:
        cases = [r for r in group if r.outcome == outcome]
        details = "; ".join(
            f"[{r.parameters}] {r.detail}" if r.detail else f"[{r.parameters}]"
            for r in cases
            if outcome != "passed"
        )
        parts.append(f"{len(cases)} {outcome}" + (f" ({details})" if details else ""))
    return f"{', '.join(parts)} ({seconds:.1f} s)"


def _run_lines(
    config: pytest.Config, facts: RunFacts, results: list[Result], counts: tuple[int, int]
) -> list[str]:
    collected, deselected = counts
    outcomes: dict[str, int] = {}
    for result in results:
        outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
    tally = ", ".join(f"{n} {outcome}" for outcome, n in sorted(outcomes.items()))
    ci = os.environ.get("CI", "").lower() == "true"
    where = "CI" + (
        f" (run {os.environ['GITHUB_RUN_ID']})" if "GITHUB_RUN_ID" in os.environ else ""
    )
    args = " ".join(config.invocation_params.args)
    return [
        f"- Date: {facts.started:%Y-%m-%d %H:%M} UTC",
        f"- Git commit: {_git_commit(config.rootpath)}",
        f"- Python: {platform.python_version()} ({platform.system()} {platform.machine()})",
        *(f"- {name}: {value}" for name, value in sorted(facts.environment.items())),
        f"- Where: {where if ci else 'local'}",
        f"- Command: `pytest {args}`" if args else "- Command: `pytest`",
        f"- Marked tests: {len(results)} ({tally}) of {collected} tests collected"
        + (f", {deselected} of them not selected by this run" if deselected else ""),
    ]


def _git_commit(root: Path) -> str:
    def git(*args: str) -> str:
        return subprocess.run(  # noqa: S603 - git, with fixed arguments
            ["git", "-C", str(root), *args],  # noqa: S607 - the git of the PATH
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    try:
        commit = git("rev-parse", "HEAD")
        changed = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"{commit} (with uncommitted changes)" if changed else commit


def _benchmark_lines(folder: Path) -> list[str]:
    """The benchmarks: load and performance claims need minutes, so no test measures them."""
    scripts = sorted(folder.glob("*.py")) if folder.is_dir() else []
    if not scripts:
        return []
    return [
        "## Measured by benchmarks instead",
        "",
        "Claims that need minutes of load (latency targets held for 5 minutes at 32 clients,"
        " flat memory, a database restart under load) and every speed figure are measured by"
        " these scripts, run by hand (`.venv/bin/python benchmarks/NAME.py`); their figures are"
        " in README.md, not in this run:",
        "",
        *(f"- `benchmarks/{p.name}`: {_summary(p)}" for p in scripts),
    ]


def _summary(script: Path) -> str:
    docstring = ast.get_docstring(ast.parse(script.read_text(encoding="utf-8"))) or ""
    return _cell(docstring.split("\n\n", 1)[0].replace("\n", " ")) or "(no docstring)"


def _cell(text: str) -> str:
    """Text fit for a Markdown table cell: one line, pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|")
