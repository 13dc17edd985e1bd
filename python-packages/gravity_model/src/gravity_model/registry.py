"""The registered model `accident_gravity`: loading a served version and guarding its aliases.

A version carries, in its MLmodel metadata, everything serving needs besides the Pipeline:
the decision threshold chosen on validation data, its holdout metrics, the data years, the
training time and the reference values `explain` compares against. Models are loaded with
skops and the allow-list of `pipelines.TRUSTED_TYPES` defined here in code, not read from
the model, so serving does not need `MLFLOW_ALLOW_PICKLE_DESERIALIZATION`.

The alias `champion` moves only when a new version beats the current champion on the same
holdout by the promotion margin, or when an operator forces it; otherwise the new version
becomes `challenger`.
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import mlflow
import numpy as np
import pandas as pd
import skops.io
from mlflow.exceptions import MlflowException
from mlflow.models import Model
from mlflow.tracking import MlflowClient

from gravity_model.features import FEATURE_NAMES, records_to_frame
from gravity_model.pipelines import TRUSTED_TYPES, threads_for
from gravity_model.scoring import Scorer, UnscorableValue, compile_scorer

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

MODEL_NAME = "accident_gravity"
CHAMPION = "champion"
CHALLENGER = "challenger"
PromotionMode = Literal["auto", "never", "force"]


class NoChampionError(LookupError):
    """The registered model has no version under the requested alias (or does not exist)."""


@dataclass(frozen=True)
class Contribution:
    """How much one feature's value moves P(KSI) away from its reference value."""

    feature: str
    value: Any
    effect: float


@dataclass(frozen=True)
class ServedModel:
    """One registered version, loaded: the Pipeline and what serving says about it."""

    name: str
    version: str
    alias: str | None
    threshold: float
    metrics: dict[str, float]
    data_years: list[int]
    trained_at: datetime
    model: Any = field(repr=False)
    reference: Mapping[str, Any] = field(repr=False)
    scorer: Scorer | None = field(default=None, repr=False)
    """The model's verified fast path (`scoring.py`), None when it has none."""

    def predict_proba(self, frame: pd.DataFrame) -> np.ndarray:
        """P(KSI) for each row of a feature frame (`features.records_to_frame`)."""
        with threads_for(len(frame)):
            return self.model.predict_proba(frame)[:, 1]

    def predict_records(self, records: Sequence[Mapping[str, Any]]) -> np.ndarray:
        """P(KSI) for raw feature records, through the fast path whenever it applies."""
        if self.scorer is not None:
            try:
                return self.scorer.predict(records)
            except UnscorableValue:
                pass  # a value to normalise first (`"1"` for 1...): the full model does it
        return self.predict_proba(records_to_frame(records))

    def explain(self, record: Mapping[str, Any], top: int = 5) -> list[Contribution]:
        """The features that move this record's P(KSI) most, signed, largest first.

        Each feature's effect is P(record) minus P(record with that feature set to its
        reference value: the training mode or median); one batched prediction, a few ms.
        """
        references = [{**record, name: self.reference.get(name)} for name in FEATURE_NAMES]
        probability = self.predict_records([record, *references])
        values = records_to_frame([record])
        contributions = [
            Contribution(name, _plain(values.at[0, name]), float(probability[0] - probability[i]))
            for i, name in enumerate(FEATURE_NAMES, start=1)
        ]
        contributions.sort(key=lambda c: abs(c.effect), reverse=True)
        return contributions[:top]


def _plain(value: Any) -> Any:
    """A JSON-friendly scalar: None for missing, Python numbers for numpy ones."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    return value.item() if isinstance(value, np.generic) else value


def load_version(tracking_uri: str, version: str, alias: str | None = None) -> ServedModel:
    """Download and load one version of `accident_gravity`."""
    with tempfile.TemporaryDirectory(prefix="gls-model-") as folder:
        # The version's own artifact location: `models:/` URIs would be resolved against the
        # process-wide registry URI, whatever registry this call names.
        client = MlflowClient(tracking_uri, registry_uri=tracking_uri)
        location = client.get_model_version_download_uri(MODEL_NAME, version)
        local = Path(
            mlflow.artifacts.download_artifacts(
                artifact_uri=location, dst_path=folder, tracking_uri=tracking_uri
            )
        )
        description = Model.load(local / "MLmodel")
        model_file = local / description.flavors["sklearn"]["pickled_model"]
        model = skops.io.load(model_file, trusted=list(TRUSTED_TYPES))
    metadata = description.metadata or {}
    return ServedModel(
        name=MODEL_NAME,
        version=str(version),
        alias=alias,
        threshold=float(metadata["threshold"]),
        metrics={k: float(v) for k, v in metadata["metrics"].items()},
        data_years=[int(y) for y in metadata["data_years"]],
        trained_at=datetime.fromisoformat(metadata["trained_at"]),
        model=model,
        reference=metadata["reference_values"],
        scorer=compile_scorer(model),
    )


def aliased_version(client: MlflowClient, alias: str) -> str | None:
    """The version number under `alias`, None when there is none."""
    try:
        return str(client.get_model_version_by_alias(MODEL_NAME, alias).version)
    except MlflowException as error:
        if error.error_code in {"RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE"}:
            return None
        raise


def load_served_model(tracking_uri: str, alias: str = CHAMPION) -> ServedModel:
    """The version under `alias`; NoChampionError when nothing is there."""
    version = aliased_version(MlflowClient(tracking_uri, registry_uri=tracking_uri), alias)
    if version is None:
        raise NoChampionError(f"no version of {MODEL_NAME} has the alias {alias!r}")
    return load_version(tracking_uri, version, alias)


@dataclass(frozen=True)
class Decision:
    """Which alias a new version gets, and why."""

    alias: Literal["champion", "challenger"]
    reason: str


def decide_promotion(
    mode: PromotionMode,
    new_score: float,
    champion_version: str | None,
    champion_score: float | None,
    margin: float,
) -> Decision:
    """The champion gate: promote only a version better than the champion by `margin`.

    `champion_score` is the champion's primary metric on the new version's holdout; None
    with a champion present means it could not be scored there (e.g. a changed feature set),
    and then only an operator's `force` promotes.
    """
    if mode == "force":
        return Decision(CHAMPION, "promotion forced by the operator")
    if mode == "never":
        return Decision(CHALLENGER, "promotion disabled for this training")
    if champion_version is None:
        return Decision(CHAMPION, "there was no champion")
    if champion_score is None or math.isnan(champion_score):
        return Decision(
            CHALLENGER,
            f"champion v{champion_version} could not be scored on this holdout; "
            "use --promote force after review",
        )
    if new_score > champion_score + margin:
        return Decision(
            CHAMPION,
            f"beats champion v{champion_version}: {new_score:.4f} > {champion_score:.4f} "
            f"+ margin {margin}",
        )
    return Decision(
        CHALLENGER,
        f"does not beat champion v{champion_version}: {new_score:.4f} <= "
        f"{champion_score:.4f} + margin {margin}",
    )
