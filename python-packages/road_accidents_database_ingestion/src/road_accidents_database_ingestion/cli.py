"""`gls ingest`, `gls load-reference` and `gls dictionary` (entry point `gls.commands`).

`gls ingest PATH` loads BAAC year folders with a progress bar, a closing summary and the
data-quality profile of what was loaded; `--profile` shows the profile without loading.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from green_light_platform.cli.runtime import exit_on, load_settings
from green_light_platform.db.engine import connect
from green_light_platform.settings import DatabaseSettings
from road_accidents_database_ingestion.analytics_refresh import refresh_analytics
from road_accidents_database_ingestion.dictionary import DICTIONARY_PATH, render_dictionary
from road_accidents_database_ingestion.discovery import YearFolder, discover_year_folders
from road_accidents_database_ingestion.loader import refresh_current_communes
from road_accidents_database_ingestion.pipeline import IngestReport, YearOutcome, ingest
from road_accidents_database_ingestion.problems import FileProblem
from road_accidents_database_ingestion.quality import FileProfile, profile_files
from road_accidents_database_ingestion.reference.loader import load_reference_tables
from road_accidents_database_ingestion.settings import IngestionSection, IngestionSettings

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from road_accidents_database_ingestion.readers.columns import ColumnProfile

console = Console(stderr=True)

_STATUS_STYLE = {"loaded": "green", "skipped": "cyan", "failed": "red"}


def _summary(report: IngestReport) -> Table:
    table = Table(title="Ingestion summary")
    for name in ("year", "status", "files", "accidents", "places", "vehicles", "persons"):
        table.add_column(name, justify="left" if name == "status" else "right", no_wrap=True)
    table.add_column("rejected", justify="right", no_wrap=True)
    table.add_column("unknown", justify="right", no_wrap=True)
    table.add_column("seconds", justify="right", no_wrap=True)
    table.add_column("reason", overflow="fold", min_width=20)
    for o in report.outcomes:
        counts = [
            str(o.rows_loaded.get(t, "")) for t in ("accidents", "places", "vehicles", "persons")
        ]
        table.add_row(
            str(o.year),
            f"[{_STATUS_STYLE[o.status]}]{o.status}[/]",
            str(o.files),
            *counts,
            str(o.rows_rejected),
            str(o.unknown_values),
            f"{o.seconds:.2f}",
            o.reason or "",
        )
    return table


def _shares(columns: Mapping[str, ColumnProfile], unknown: bool) -> str:
    """`circ 5.5%, plan 2.2%`: the columns with a share of "not given" (or unknown) cells."""
    shares = [
        (
            p.unknown_share if unknown else p.not_given_share,
            p.unknown if unknown else p.not_given,
            c,
        )
        for c, p in columns.items()
    ]
    return ", ".join(
        f"{c} {share:.1%}" for share, count, c in sorted(shares, reverse=True) if count
    )


def _profile(rows: Iterable[FileProfile]) -> Table:
    table = Table(title='Data-quality profile: share of cells "not given" and unknown (NULL)')
    for name in ("year", "table", "layout", "rows", "rejected"):
        table.add_column(name, justify="left" if name in ("table", "layout") else "right")
    table.add_column("not given", overflow="fold", min_width=30)
    table.add_column("unknown (no code: kept in unknown_values)", overflow="fold", min_width=20)
    for p in rows:
        if p.problem:
            table.add_row(str(p.year), p.table or "", "", "", "", f"[red]{p.problem}[/]", "")
            continue
        table.add_row(
            str(p.year),
            p.table or "",
            p.layout or "",
            f"{p.rows:,}",
            f"{p.rejected:,}",
            _shares(p.columns, unknown=False),
            f"[yellow]{_shares(p.columns, unknown=True)}[/]",
        )
    return table


def _loaded_profiles(report: IngestReport) -> list[FileProfile]:
    return [profile for o in report.outcomes for profile in o.profile.values()]


def _print_profile(root: Path, years: list[int]) -> None:
    ingestion = load_settings(IngestionSection)
    with console.status("reading") as status:
        profiles = profile_files(
            root,
            years,
            on_file=lambda path: status.update(f"reading {path.name}"),
            limits=(ingestion.max_reject_share, ingestion.max_unknown_share),
        )
    Console(width=max(Console().width, 160)).print(_profile(profiles))
    if any(p.problem for p in profiles):
        raise typer.Exit(1)


def ingest_command(
    path: Annotated[
        Path | None,
        typer.Argument(help="A folder of year folders, or one year folder; default the data dir."),
    ] = None,
    year: Annotated[
        list[int] | None, typer.Option("--year", "-y", help="Only this year (repeatable).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Reload years whose files are unchanged.")
    ] = False,
    profile: Annotated[
        bool,
        typer.Option(
            "--profile",
            help="Only read and check the files and show, per table and column, the share of"
            ' "not given" and unknown cells, and what would be rejected or fail (no database'
            " needed, nothing loaded).",
        ),
    ] = False,
) -> None:
    """Ingest BAAC year folders into RoadAccidents; exits 1 when any year failed."""
    root = path or load_settings(IngestionSection).data_directories
    with exit_on(FileProblem, code=2):
        folders = [f for f in discover_year_folders(root) if not year or f.year in year]
    if not folders:
        typer.secho(f"no year folder found in {root}", err=True, fg="yellow")
        raise typer.Exit(0)
    if profile:
        _print_profile(root, [f.year for f in folders])
        return
    settings = load_settings(IngestionSettings)
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("ingesting", total=len(folders))

        def on_year(folder: YearFolder, outcome: YearOutcome | None) -> None:
            if outcome is None:
                progress.update(task, description=f"year {folder.year}")
            else:
                progress.advance(task)

        report = ingest(
            settings.database.url,
            root,
            [f.year for f in folders],
            force=force,
            max_reject_share=settings.ingestion.max_reject_share,
            max_unknown_share=settings.ingestion.max_unknown_share,
            on_year=on_year,
        )
    out = Console(width=max(Console().width, 140))
    out.print(_summary(report))
    loaded = _loaded_profiles(report)
    if loaded:
        out.print(_profile(loaded))
    if not report.ok:
        raise typer.Exit(1)


def load_reference_command() -> None:
    """Reload the communes reference, re-resolve every accident's current commune and
    refresh the dashboards' aggregates (populations and communes feed them)."""
    url = load_settings(DatabaseSettings).url
    with connect(url) as conn:
        counts = load_reference_tables(conn)
        changed = refresh_current_communes(conn)
    typer.echo(f"reference reloaded {counts}; {changed} accidents changed commune")
    seconds = refresh_analytics(url, communes_changed=changed > 0)
    typer.echo(f"analytics refreshed in {sum(seconds.values()):.1f} s")


def dictionary_command(
    out: Annotated[Path, typer.Option(help="Where to write the Markdown.")] = Path(DICTIONARY_PATH),
) -> None:
    """Write the data dictionary of the harmonised tables and code lists."""
    out.write_text(render_dictionary() + "\n", encoding="utf-8")
    typer.echo(f"wrote {out}")


def register(app: typer.Typer) -> None:
    app.command(name="ingest")(ingest_command)
    app.command(name="load-reference")(load_reference_command)
    app.command(name="dictionary")(dictionary_command)
