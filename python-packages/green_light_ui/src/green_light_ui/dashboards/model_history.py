"""The gravity model as the registry knows it: the champion, every version with its holdout
metrics, and the champion's calibration curve, read from MLflow.

An unreachable tracking server is answered within seconds (`MlflowUnreachable`): the HTTP
server is probed first, since MLflow's own client retries for minutes before it gives up.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pandas as pd
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient

from gravity_model.evaluation import CALIBRATION_ARTIFACT, METRIC_LABELS
from gravity_model.registry import CHALLENGER, CHAMPION, MODEL_NAME, aliased_version

if TYPE_CHECKING:
    from mlflow.entities.model_registry import ModelVersion

PROBE_TIMEOUT = httpx.Timeout(5.0, connect=3.0)
METRICS = tuple(METRIC_LABELS)
"""The holdout metrics shown, in the training's own order and labels."""
COLUMNS = [
    "version",
    "alias",
    "registered",
    "data_years",
    "holdout",
    *METRICS,
    "threshold",
    "decision",
    "run_id",
]


class MlflowUnreachable(Exception):
    """The tracking server does not answer, or answered with an error."""


@dataclass(frozen=True)
class ModelHistory:
    """Every registered version (newest first) and the champion's calibration."""

    tracking_uri: str
    versions: pd.DataFrame
    """version, alias, registered, data_years, holdout, decision, threshold, run_id and one
    column per metric of `METRICS`."""
    champion: str | None
    calibration: pd.DataFrame | None
    """model, predicted, observed, accidents per decile; None when the run logged none."""
    calibration_split: str | None = None

    @property
    def champion_row(self) -> pd.Series | None:
        if self.champion is None:
            return None
        return self.versions.loc[self.versions["version"] == self.champion].iloc[0]


def _probe(tracking_uri: str) -> None:
    if not tracking_uri.startswith(("http://", "https://")):
        return
    try:
        response = httpx.get(f"{tracking_uri.rstrip('/')}/health", timeout=PROBE_TIMEOUT)
    except httpx.HTTPError as error:
        raise MlflowUnreachable(
            f"MLflow does not answer at {tracking_uri} ({type(error).__name__})"
        ) from error
    if response.status_code != 200:
        raise MlflowUnreachable(
            f"MLflow at {tracking_uri} answered {response.status_code} to its health check"
        )


def _calibration(client: MlflowClient, run_id: str) -> tuple[pd.DataFrame | None, str | None]:
    """The run's calibration points; None for a run trained before they were logged."""
    names = {artifact.path for artifact in client.list_artifacts(run_id)}
    if CALIBRATION_ARTIFACT not in names:
        return None, None
    with tempfile.TemporaryDirectory(prefix="gls-calibration-") as folder:
        path = client.download_artifacts(run_id, CALIBRATION_ARTIFACT, folder)
        record = json.loads(Path(path).read_text(encoding="utf-8"))
    rows = [
        {"model": model, **point} for model, points in record["models"].items() for point in points
    ]
    return pd.DataFrame(rows), record.get("split")


def year_spans(years: str) -> str:
    """ "2005,2006,2007,2019" as "2005-2007, 2019": a version's years at a glance."""
    numbers = sorted({int(y) for y in years.split(",") if y.strip().isdigit()})
    spans: list[list[int]] = []
    for year in numbers:
        if spans and year == spans[-1][1] + 1:
            spans[-1][1] = year
        else:
            spans.append([year, year])
    return ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in spans) or years


def _version_row(
    client: MlflowClient, version: ModelVersion, aliases: dict[str, str]
) -> dict[str, object]:
    run = client.get_run(version.run_id)
    number = str(version.version)
    tags = version.tags or {}
    return {
        "version": number,
        "alias": aliases.get(number, ""),
        "registered": datetime.fromtimestamp(version.creation_timestamp / 1000, tz=UTC),
        "data_years": year_spans(tags.get("data_years", "")),
        "holdout": tags.get("holdout", ""),
        **{metric: run.data.metrics.get(metric) for metric in METRICS},
        "threshold": run.data.metrics.get("threshold"),
        "decision": tags.get("decision", ""),
        "run_id": version.run_id,
    }


def model_history(tracking_uri: str) -> ModelHistory:
    """Read the registry: a handful of calls per version (the registry holds few)."""
    _probe(tracking_uri)
    client = MlflowClient(tracking_uri, registry_uri=tracking_uri)
    try:
        champion = aliased_version(client, CHAMPION)
        challenger = aliased_version(client, CHALLENGER)
        aliases = {v: a for a, v in ((CHALLENGER, challenger), (CHAMPION, champion)) if v}
        found = client.search_model_versions(f"name = '{MODEL_NAME}'")
        rows = [_version_row(client, version, aliases) for version in found]
        versions = pd.DataFrame(rows, columns=COLUMNS)
        versions = versions.sort_values(
            "version", key=lambda v: v.astype(int), ascending=False, ignore_index=True
        )
        calibration, split = (None, None)
        if champion is not None:
            run_id = versions.loc[versions["version"] == champion, "run_id"].iloc[0]
            calibration, split = _calibration(client, run_id)
    except (MlflowException, OSError) as error:
        raise MlflowUnreachable(
            f"MLflow at {tracking_uri} failed to answer: {type(error).__name__}: {error}"
        ) from error
    return ModelHistory(tracking_uri, versions, champion, calibration, split)
