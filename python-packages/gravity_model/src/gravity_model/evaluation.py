"""Evaluation that tells the truth: splits, the decision threshold, metrics and plots.

The primary split is temporal: train on earlier years, test on the latest loaded year, as
the model is used (it predicts accidents of years it has not seen). The random split of the
2024 project is kept for reference only; it mixes years and flatters every model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    f1_score,
    precision_recall_curve,
    precision_score,
    recall_score,
    roc_auc_score,
    roc_curve,
)
from sklearn.model_selection import train_test_split

if TYPE_CHECKING:
    from collections.abc import Mapping

SplitName = Literal["temporal", "random"]
PRIMARY_METRIC = "pr_auc"
"""The metric the champion gate compares: average precision of KSI, as KSI is the class
that matters and is the minority one."""

METRIC_LABELS: dict[str, str] = {
    "roc_auc": "ROC AUC",
    "pr_auc": "PR AUC",
    "f1": "F1 (KSI)",
    "recall": "recall (KSI)",
    "precision": "precision (KSI)",
    "brier": "Brier score",
}


@dataclass(frozen=True)
class Split:
    """Row positions of the training, validation and test parts, and how they were chosen."""

    name: SplitName
    train: np.ndarray
    validation: np.ndarray
    test: np.ndarray
    description: str


def _stratified(rows: np.ndarray, target: np.ndarray, share: float, seed: int) -> tuple:
    """Split `rows` in two, stratified on the target when both classes allow it."""
    labels = target[rows]
    stratify = labels if np.bincount(labels, minlength=2).min() >= 2 else None
    return train_test_split(rows, test_size=share, random_state=seed, stratify=stratify)


def temporal_split(years: np.ndarray, target: np.ndarray, seed: int) -> Split | None:
    """Test on the latest year; validate on the year before it (or on 20 % of training rows
    when only one earlier year exists). None when the data holds a single year."""
    distinct = np.unique(years)
    if len(distinct) < 2:
        return None
    test_year = distinct[-1]
    test = np.flatnonzero(years == test_year)
    if len(distinct) >= 3:
        validation_year = distinct[-2]
        train = np.flatnonzero(years < validation_year)
        validation = np.flatnonzero(years == validation_year)
        how = f"validation {validation_year}"
    else:
        train, validation = _stratified(np.flatnonzero(years < test_year), target, 0.2, seed)
        how = "validation 20 % of those rows"
    description = f"temporal: train {span(years[train])}, {how}, test {test_year}"
    return Split("temporal", np.sort(train), np.sort(validation), test, description)


def span(years: np.ndarray) -> str:
    """`2005-2022` for a run of years, `2021` for one."""
    first, last = int(np.min(years)), int(np.max(years))
    return str(first) if first == last else f"{first}-{last}"


def random_split(target: np.ndarray, seed: int) -> Split:
    """The 2024 project's 70/30 random split, with 20 % of the 70 % kept for validation."""
    rows = np.arange(len(target))
    rest, test = _stratified(rows, target, 0.3, seed)
    train, validation = _stratified(np.sort(rest), target, 0.2, seed)
    return Split(
        "random",
        np.sort(train),
        np.sort(validation),
        np.sort(test),
        "random: 70/30 stratified, all years mixed",
    )


def choose_threshold(target: np.ndarray, probability: np.ndarray) -> float:
    """The probability cut that maximises F1 of KSI on validation data."""
    precision, recall, thresholds = precision_recall_curve(target, probability)
    if len(thresholds) == 0:
        return 0.5
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
    return float(thresholds[int(np.argmax(f1[:-1]))])


def metrics(target: np.ndarray, probability: np.ndarray, threshold: float) -> dict[str, float]:
    """Ranking, decision and calibration quality on one set of accidents."""
    predicted = probability >= threshold
    both_classes = len(np.unique(target)) == 2
    return {
        "roc_auc": float(roc_auc_score(target, probability)) if both_classes else float("nan"),
        "pr_auc": float(average_precision_score(target, probability))
        if both_classes
        else float("nan"),
        "f1": float(f1_score(target, predicted, zero_division=0)),
        "recall": float(recall_score(target, predicted, zero_division=0)),
        "precision": float(precision_score(target, predicted, zero_division=0)),
        "brier": float(brier_score_loss(target, probability, labels=[0, 1])),
        "ksi_rate": float(np.mean(target)),
        "mean_probability": float(np.mean(probability)),
        "accidents": float(len(target)),
    }


def per_departement(
    departement: pd.Series, target: np.ndarray, probability: np.ndarray, min_accidents: int = 30
) -> pd.DataFrame:
    """Accidents, KSI rate, mean predicted probability and ROC AUC per departement."""
    frame = pd.DataFrame(
        {"dep": departement.astype(str).to_numpy(), "ksi": target, "p": probability}
    )
    rows = []
    for dep, group in frame.groupby("dep", sort=True):
        auc = (
            roc_auc_score(group["ksi"], group["p"])
            if len(group) >= min_accidents and group["ksi"].nunique() == 2
            else float("nan")
        )
        rows.append(
            {
                "dep": dep,
                "accidents": len(group),
                "ksi_rate": group["ksi"].mean(),
                "mean_probability": group["p"].mean(),
                "roc_auc": auc,
            }
        )
    return pd.DataFrame(rows).sort_values("accidents", ascending=False, ignore_index=True)


CALIBRATION_BINS = 10
"""Calibration is read by deciles of the predicted probability (quantile bins)."""
CALIBRATION_ARTIFACT = "calibration.json"
"""The run artifact holding each model's calibration points on the holdout (the dashboards
draw the champion's)."""


def calibration_points(target: np.ndarray, probability: np.ndarray) -> list[dict[str, float | int]]:
    """Per decile of predicted P(KSI) (scikit-learn's quantile bins): its mean prediction,
    the observed KSI rate and how many accidents it holds; what `calibration.json` records
    and the dashboards draw."""
    edges = np.percentile(probability, np.linspace(0, 100, CALIBRATION_BINS + 1))
    bins = np.searchsorted(edges[1:-1], probability)
    total = np.bincount(bins, minlength=CALIBRATION_BINS)
    predicted = np.bincount(bins, weights=probability, minlength=CALIBRATION_BINS)
    observed = np.bincount(bins, weights=np.asarray(target, float), minlength=CALIBRATION_BINS)
    return [
        {
            "predicted": float(predicted[i] / total[i]),
            "observed": float(observed[i] / total[i]),
            "accidents": int(total[i]),
        }
        for i in np.flatnonzero(total)
    ]


def calibration_record(
    target: np.ndarray, probabilities: Mapping[str, np.ndarray], split: str
) -> dict[str, object]:
    """The calibration curve of each model on the holdout, as logged to MLflow."""
    return {
        "split": split,
        "bins": CALIBRATION_BINS,
        "strategy": "quantile",
        "models": {
            name: calibration_points(target, probability)
            for name, probability in probabilities.items()
        },
    }


def calibration_figure(
    target: np.ndarray, probabilities: Mapping[str, np.ndarray], title: str
) -> Figure:
    """Observed KSI rate against predicted probability, by deciles of prediction."""
    figure = Figure(figsize=(5, 5))
    axes = figure.subplots()
    axes.plot([0, 1], [0, 1], linestyle=":", color="grey", label="perfect")
    for name, probability in probabilities.items():
        points = calibration_points(target, probability)
        axes.plot(
            [p["predicted"] for p in points],
            [p["observed"] for p in points],
            marker="o",
            label=name,
        )
    axes.set(xlabel="predicted P(KSI)", ylabel="observed KSI rate", title=title)
    axes.legend()
    figure.tight_layout()
    return figure


def curves_figure(
    target: np.ndarray, probabilities: Mapping[str, np.ndarray], title: str
) -> Figure:
    """ROC and precision-recall curves of several models on the same accidents."""
    figure = Figure(figsize=(10, 4.5))
    roc_axes, pr_axes = figure.subplots(1, 2)
    for name, probability in probabilities.items():
        fpr, tpr, _ = roc_curve(target, probability)
        precision, recall, _ = precision_recall_curve(target, probability)
        roc_axes.plot(fpr, tpr, label=name)
        pr_axes.plot(recall, precision, label=name)
    roc_axes.plot([0, 1], [0, 1], linestyle=":", color="grey")
    roc_axes.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC")
    pr_axes.axhline(float(np.mean(target)), linestyle=":", color="grey")
    pr_axes.set(xlabel="recall (KSI)", ylabel="precision (KSI)", title="precision-recall")
    roc_axes.legend()
    figure.suptitle(title)
    figure.tight_layout()
    return figure
