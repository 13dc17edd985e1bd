"""`gls train`: one training from the command line, with a closing comparison table.

Registered on the `gls` app through the `gls.commands` entry-point group. Progress goes to
the log (stderr); the summary comparing baseline, new model and champion goes to stdout.
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from gravity_model.settings import GravityModelSettings
from green_light_platform.cli.runtime import exit_on, load_settings
from road_accidents_database_ingestion.discovery import parse_years

if TYPE_CHECKING:
    from gravity_model.training import TrainingReport


class Promote(StrEnum):
    auto = "auto"
    never = "never"
    force = "force"


def summary(report: TrainingReport) -> str:
    """The comparison table of a training, one row per model and split."""
    # Imported here: `gls` loads every plugin at start, and scikit-learn takes seconds.
    from gravity_model.evaluation import METRIC_LABELS

    names = list(METRIC_LABELS)
    header = f"{'split':<9} {'model':<16}" + "".join(f"{METRIC_LABELS[n]:>17}" for n in names)
    lines = [header, "-" * len(header)]
    for split, models in report.results.items():
        for model, scores in models.items():
            label = {
                "main": f"new v{report.version}",
                "champion": f"champion v{report.previous_champion}",
            }.get(model, model)
            cells = "".join(
                f"{'n/a' if math.isnan(scores[n]) else f'{scores[n]:.4f}':>17}" for n in names
            )
            lines.append(f"{split:<9} {label:<16}{cells}")
    lines += [
        "",
        *(f"{split}: {how}" for split, how in report.split_descriptions.items()),
        f"threshold {report.threshold:.3f} (max F1 on validation)",
        f"version {report.version} is {report.alias}: {report.reason}",
        f"MLflow run {report.run_id}",
    ]
    return "\n".join(lines)


def train_command(
    years: Annotated[
        str | None,
        typer.Option(help="Years to use, e.g. `2005-2023` or `2019,2021`; default all loaded."),
    ] = None,
    promote: Annotated[
        Promote,
        typer.Option(help="auto: champion only if better than the current one; never; force."),
    ] = Promote.auto,
    seed: Annotated[
        int, typer.Option(help="Random seed: the same seed gives the same model.")
    ] = 42,
    reference_split: Annotated[
        bool, typer.Option(help="Also score the random split, for reference (two more fits).")
    ] = True,
) -> None:
    """Train the gravity model, log it to MLflow and register it behind the champion gate."""
    from gravity_model.training import train

    settings = load_settings(GravityModelSettings)
    try:
        chosen = parse_years(years) if years else None
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--years") from error
    with exit_on(ValueError, prefix="cannot train: "):
        report = train(
            settings.database.url,
            settings.mlflow.tracking_uri,
            years=chosen,
            promote=promote.value,
            seed=seed,
            promotion_margin=settings.promotion.margin,
            reference_split=reference_split,
            artifacts_dir=settings.artifacts_dir,
        )
    typer.echo(summary(report))


def register(app: typer.Typer) -> None:
    """Add `gls train` to the `gls` app (entry point `gls.commands`)."""
    app.command(name="train")(train_command)
