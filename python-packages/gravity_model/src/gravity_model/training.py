"""One training: data from PostgreSQL, baseline and main model, honest evaluation, MLflow.

`train` is what `gls train`, the Airflow task and the tests call. Every training is a run
of the experiment `accident_gravity`; the main model of the primary split is registered as
a new version of `accident_gravity`, and the champion gate of `registry.py` decides whether
it becomes `champion` or `challenger`, comparing it with the current champion on the same
holdout.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import mlflow
import numpy as np
import pandas as pd
import sklearn
import skops
from mlflow.models import infer_signature
from mlflow.tracking import MlflowClient

from gravity_model import evaluation, model_card
from gravity_model.dataset import Dataset, load_dataset
from gravity_model.evaluation import CALIBRATION_ARTIFACT, PRIMARY_METRIC, Split
from gravity_model.features import BASELINE_FEATURES, FEATURES, plain_frame
from gravity_model.pipelines import MAIN_PARAMS, TRUSTED_TYPES, ModelName, fit
from gravity_model.registry import (
    CHAMPION,
    MODEL_NAME,
    PromotionMode,
    aliased_version,
    decide_promotion,
    load_version,
)
from gravity_model.tracking import experiment_id, mlflow_uris

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

log = logging.getLogger(__name__)

MIN_ACCIDENTS = 100
Results = dict[str, dict[str, dict[str, float]]]


@dataclass(frozen=True)
class TrainingReport:
    """What a training did: the run, the registered version, its alias and every score."""

    run_id: str
    version: str
    alias: str
    reason: str
    previous_champion: str | None
    data_years: list[int]
    accidents: int
    primary_split: str
    split_descriptions: dict[str, str]
    threshold: float
    results: Results
    """split -> model (`baseline`, `main`, `champion`) -> metric -> value, on the test part."""
    model_card: str

    @property
    def primary(self) -> dict[str, dict[str, float]]:
        """Scores of the primary split, by model."""
        return self.results[self.primary_split]


@dataclass(frozen=True)
class _Fitted:
    model: Any
    threshold: float
    probability: np.ndarray
    metrics: dict[str, float]


def _fit_and_score(name: ModelName, data: Dataset, split: Split, seed: int) -> _Fitted:
    train, validation, test = (
        data.subset(rows) for rows in (split.train, split.validation, split.test)
    )
    log.info(
        "fitting",
        extra={"model": name, "split": split.name, "train": len(train), "test": len(test)},
    )
    model = fit(name, train.features, train.target, validation.features, validation.target, seed)
    threshold = evaluation.choose_threshold(
        validation.target, model.predict_proba(validation.features)[:, 1]
    )
    probability = model.predict_proba(test.features)[:, 1]
    scores = evaluation.metrics(test.target, probability, threshold)
    log.info("scored", extra={"model": name, "split": split.name, **_rounded(scores)})
    return _Fitted(model, threshold, probability, scores)


def _rounded(scores: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 4) for k, v in scores.items()}


def _reference_values(frame: pd.DataFrame) -> dict[str, Any]:
    """Per feature, the value `explain` compares against: the mode or the median."""
    reference: dict[str, Any] = {}
    for spec in FEATURES:
        column = frame[spec.name]
        if spec.kind == "numeric":
            median = column.median()
            reference[spec.name] = None if pd.isna(median) else float(median)
        else:
            mode = column.mode(dropna=True)
            value = mode.iloc[0] if len(mode) else None
            reference[spec.name] = value.item() if isinstance(value, np.generic) else value
    return reference


def _score_champion(
    tracking_uri: str, version: str, test: Dataset
) -> tuple[dict[str, float] | None, list[int]]:
    """The champion's metrics on this holdout at its own threshold, and its data years."""
    try:
        champion = load_version(tracking_uri, version, CHAMPION)
        probability = champion.predict_proba(test.features)
    except Exception:
        log.warning("the champion could not be scored", extra={"version": version}, exc_info=True)
        return None, []
    return evaluation.metrics(test.target, probability, champion.threshold), champion.data_years


def _check(data: Dataset) -> None:
    if len(data) < MIN_ACCIDENTS:
        raise ValueError(f"{len(data)} accidents with a known outcome; need {MIN_ACCIDENTS}")
    if len(np.unique(data.target)) < 2:
        raise ValueError("every accident has the same outcome; nothing to learn")


def train(
    database_url: str,
    tracking_uri: str,
    years: Sequence[int] | None = None,
    promote: PromotionMode = "auto",
    seed: int = 42,
    promotion_margin: float = 0.002,
    reference_split: bool = True,
    artifacts_dir: Path | None = None,
) -> TrainingReport:
    """Train, evaluate, log, register and guard the champion; see the module docstring.

    `years` defaults to every loaded year; the latest is the temporal holdout. With a single
    year there is no temporal holdout and the random split is primary (the card says so).
    `reference_split` adds the random split's scores for comparison (two more fits).
    `artifacts_dir` is where a new experiment in a local store keeps its artifacts.
    """
    started = datetime.now(UTC)
    data = load_dataset(database_url, years)
    _check(data)
    data_years = sorted(int(y) for y in np.unique(data.years))
    temporal = evaluation.temporal_split(data.years, data.target, seed)
    splits = [temporal] if temporal else []
    if reference_split or temporal is None:
        splits.append(evaluation.random_split(data.target, seed))
    primary = splits[0]
    extra_caveats = (
        ()
        if temporal
        else (
            "Only one year was loaded: there is no temporal holdout, the random split is primary.",
        )
    )

    fitted: dict[str, dict[str, _Fitted]] = {
        split.name: {name: _fit_and_score(name, data, split, seed) for name in ("baseline", "main")}
        for split in splits
    }
    results: Results = {s: {m: f.metrics for m, f in by.items()} for s, by in fitted.items()}
    main = fitted[primary.name]["main"]
    test = data.subset(primary.test)

    client = MlflowClient(tracking_uri, registry_uri=tracking_uri)
    champion_version = aliased_version(client, CHAMPION)
    champion_note: tuple[str, ...] = ()
    if champion_version is not None:
        champion_scores, champion_years = _score_champion(tracking_uri, champion_version, test)
        if champion_scores is not None:
            results[primary.name]["champion"] = champion_scores
        if set(np.unique(test.years)) & set(champion_years):
            champion_note = (
                f"Champion v{champion_version} was trained on years that include this "
                "holdout, so its holdout scores are optimistic.",
            )

    with (
        mlflow_uris(tracking_uri),
        mlflow.start_run(
            run_name=f"train {evaluation.span(data.years)}",
            experiment_id=experiment_id(client, artifacts_dir),
        ) as run,
    ):
        mlflow.log_params(
            {
                "data_years": ",".join(map(str, data_years)),
                "accidents": len(data),
                "seed": seed,
                "primary_split": primary.description,
                "features": len(FEATURES),
                "baseline_features": ",".join(BASELINE_FEATURES),
                "promote": promote,
                "promotion_margin": promotion_margin,
                "primary_metric": PRIMARY_METRIC,
                **{f"main_{k}": v for k, v in MAIN_PARAMS.items()},
            }
        )
        mlflow.log_metric("threshold", main.threshold)
        for split_name, by_model in results.items():
            for model_name, scores in by_model.items():
                mlflow.log_metrics({f"{model_name}_{split_name}_{k}": v for k, v in scores.items()})
        mlflow.log_metrics({k: main.metrics[k] for k in evaluation.METRIC_LABELS})
        probabilities = {name: f.probability for name, f in fitted[primary.name].items()}
        mlflow.log_figure(
            evaluation.calibration_figure(test.target, probabilities, primary.description),
            "calibration.png",
        )
        mlflow.log_dict(
            evaluation.calibration_record(test.target, probabilities, primary.description),
            CALIBRATION_ARTIFACT,
        )
        mlflow.log_figure(
            evaluation.curves_figure(test.target, probabilities, primary.description),
            "roc_pr.png",
        )
        departements = evaluation.per_departement(
            test.features["dep"], test.target, main.probability
        )
        mlflow.log_text(departements.to_csv(index=False), "per_departement.csv")

        trained_at = datetime.now(UTC)
        train_frame = data.subset(primary.train).features
        example = plain_frame(test.features.head(5))
        info = mlflow.sklearn.log_model(
            main.model,
            name="model",
            signature=infer_signature(
                plain_frame(train_frame.head(2000)),
                main.model.predict_proba(train_frame.head(2000))[:, 1],
            ),
            input_example=example,
            registered_model_name=MODEL_NAME,
            skops_trusted_types=list(TRUSTED_TYPES),
            pip_requirements=[
                f"scikit-learn=={sklearn.__version__}",
                f"skops=={skops.__version__}",
            ],
            metadata={
                "threshold": main.threshold,
                "metrics": main.metrics,
                "data_years": data_years,
                "trained_at": trained_at.isoformat(),
                "split": primary.description,
                "reference_values": _reference_values(train_frame),
            },
        )
        version = str(info.registered_model_version)
        champion_score = results[primary.name].get("champion", {}).get(PRIMARY_METRIC)
        decision = decide_promotion(
            promote,
            main.metrics[PRIMARY_METRIC],
            champion_version,
            champion_score,
            promotion_margin,
        )
        for key, value in {
            "threshold": f"{main.threshold:.6f}",
            "data_years": ",".join(map(str, data_years)),
            "holdout": primary.description,
            PRIMARY_METRIC: f"{main.metrics[PRIMARY_METRIC]:.6f}",
            "decision": decision.reason,
        }.items():
            client.set_model_version_tag(MODEL_NAME, version, key, value)
        mlflow.set_tags({"decision": decision.alias, "decision_reason": decision.reason})

        card = model_card.render(
            model_card.CardFacts(
                version=version,
                data_years=data_years,
                primary_split=primary.name,
                splits={s.name: s.description for s in splits},
                sizes={
                    s.name: {
                        "train": len(s.train),
                        "validation": len(s.validation),
                        "test": len(s.test),
                    }
                    for s in splits
                },
                results=results,
                threshold=main.threshold,
                decision=f"{decision.alias}: {decision.reason}.",
                departements=departements,
                extra_caveats=extra_caveats + champion_note,
            )
        )
        mlflow.log_text(card, "model_card.md")
        client.update_model_version(MODEL_NAME, version, description=card)

    # The commit point: the alias moves only once the version and its run are complete, so a
    # training killed at any earlier moment leaves the champion where it was.
    client.set_registered_model_alias(MODEL_NAME, decision.alias, version)

    log.info(
        "training done",
        extra={
            "version": version,
            "alias": decision.alias,
            "reason": decision.reason,
            "seconds": round((datetime.now(UTC) - started).total_seconds(), 1),
        },
    )
    return TrainingReport(
        run_id=run.info.run_id,
        version=version,
        alias=decision.alias,
        reason=decision.reason,
        previous_champion=champion_version,
        data_years=data_years,
        accidents=len(data),
        primary_split=primary.name,
        split_descriptions={s.name: s.description for s in splits},
        threshold=main.threshold,
        results=results,
        model_card=card,
    )
