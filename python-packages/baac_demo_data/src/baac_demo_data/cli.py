"""`gls demo-data OUT`: BAAC-like year folders to try the platform without the real files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from baac_demo_data import DemoReport, generate_demo_data
from baac_demo_data.layouts import TABLES
from road_accidents_database_ingestion.discovery import parse_years


def _summary(report: DemoReport) -> Table:
    """One row per year: its four files and their rows, then the totals per table."""
    table = Table(title=f"Demo data in {report.out_dir} (scale {report.scale}, seed {report.seed})")
    table.add_column("year", justify="right")
    table.add_column("file", overflow="fold")
    table.add_column("rows", justify="right")
    totals = dict.fromkeys(TABLES, 0)
    for year in report.years:
        for file in year.files:
            totals[file.table] += file.rows
        table.add_row(
            str(year.year),
            "\n".join(file.path.name for file in year.files),
            "\n".join(f"{file.rows:,}" for file in year.files),
        )
    table.add_section()
    table.add_row("total", "\n".join(TABLES), "\n".join(f"{totals[t]:,}" for t in TABLES))
    return table


def demo_data(
    out: Annotated[Path, typer.Argument(help="Folder receiving one sub-folder per year.")],
    years: Annotated[
        str, typer.Option(help="Years: ranges and comma lists (2005-2010,2015).")
    ] = "2005-2023",
    scale: Annotated[
        float, typer.Option(min=0.0001, help="Share of the national accident counts.")
    ] = 0.05,
    seed: Annotated[
        int, typer.Option(help="Random seed: the same seed writes the same bytes.")
    ] = 42,
) -> None:
    """Write demo BAAC files, each year in its official layout (names, encodings, quirks)."""
    try:
        chosen = parse_years(years)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--years") from error
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
    ) as progress:
        task = progress.add_task(f"demo data {chosen[0]}", total=len(chosen))
        remaining = iter(chosen[1:])

        def advance(year: int) -> None:
            upcoming = next(remaining, None)
            label = f"demo data {upcoming}" if upcoming else f"demo data up to {year}"
            progress.update(task, advance=1, description=label)

        report = generate_demo_data(out, chosen, scale=scale, seed=seed, progress=advance)
    Console().print(_summary(report))


def register(app: typer.Typer) -> None:
    app.command("demo-data")(demo_data)
