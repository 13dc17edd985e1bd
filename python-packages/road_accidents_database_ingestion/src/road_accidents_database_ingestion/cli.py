"""`gls ingest`, `gls load-reference` and `gls dictionary` (entry point `gls.commands`).

`gls ingest PATH` loads BAAC year folders with a progress bar and a closing summary.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from green_light_platform.cli.runtime import exit_on, load_settings
from green_light_platform.db.engine import connect
from green_light_platform.settings import DatabaseSettings
from road_accidents_database_ingestion.dictionary import DICTIONARY_PATH, render_dictionary
from road_accidents_database_ingestion.discovery import YearFolder, discover_year_folders
from road_accidents_database_ingestion.loader import refresh_current_communes
from road_accidents_database_ingestion.pipeline import IngestReport, YearOutcome, ingest
from road_accidents_database_ingestion.problems import FileProblem
from road_accidents_database_ingestion.reference.loader import load_reference_tables
from road_accidents_database_ingestion.settings import IngestionSettings

console = Console(stderr=True)

_STATUS_STYLE = {"loaded": "green", "skipped": "cyan", "failed": "red"}


def _summary(report: IngestReport) -> Table:
    table = Table(title="Ingestion summary")
    for name in ("year", "status", "files", "accidents", "places", "vehicles", "persons"):
        table.add_column(name, justify="left" if name == "status" else "right", no_wrap=True)
    table.add_column("rejected", justify="right", no_wrap=True)
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
            f"{o.seconds:.2f}",
            o.reason or "",
        )
    return table


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
) -> None:
    """Ingest BAAC year folders into RoadAccidents; exits 1 when any year failed."""
    settings = load_settings(IngestionSettings)
    root = path or settings.ingestion.data_directories
    with exit_on(FileProblem, code=2):
        folders = [f for f in discover_year_folders(root) if not year or f.year in year]
    if not folders:
        typer.secho(f"no year folder found in {root}", err=True, fg="yellow")
        raise typer.Exit(0)
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
            on_year=on_year,
        )
    Console(width=max(Console().width, 140)).print(_summary(report))
    if not report.ok:
        raise typer.Exit(1)


def load_reference_command() -> None:
    """Reload the communes reference and re-resolve every accident's current commune."""
    with connect(load_settings(DatabaseSettings).url) as conn:
        counts = load_reference_tables(conn)
        changed = refresh_current_communes(conn)
    typer.echo(f"reference reloaded {counts}; {changed} accidents changed commune")


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
