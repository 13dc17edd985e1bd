"""The model card of a version: a markdown page saying what the model is and how good it is.

Logged with every run and set as the registered version's description, so whoever looks at
a version in MLflow sees its data, its holdout results and its limits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gravity_model.evaluation import METRIC_LABELS, PRIMARY_METRIC
from gravity_model.features import FEATURES, TARGET_DESCRIPTION

if TYPE_CHECKING:
    from collections.abc import Mapping

    import pandas as pd

CAVEATS = (
    "BAAC records injury accidents only: the probability is that of KSI *given* an injury "
    "accident with these characteristics, not the risk of an accident.",
    "ONISR no longer labels 'hospitalised' (grav 3) as an official indicator from 2018 on; "
    "KSI rates across 2018 are not strictly comparable.",
    "The speed limit (`vma`) is published from 2019 on; it is missing for older years.",
    "Features describe the accident as recorded (vehicles, persons, obstacles): for a "
    "scenario, fill them in as the situation to assess.",
)


@dataclass(frozen=True)
class CardFacts:
    """What a model card states; filled by the training."""

    version: str | None
    data_years: list[int]
    primary_split: str
    splits: Mapping[str, str]
    sizes: Mapping[str, Mapping[str, int]]
    results: Mapping[str, Mapping[str, Mapping[str, float]]]
    """split -> model (baseline, main, champion) -> metric -> value."""
    threshold: float
    decision: str
    departements: pd.DataFrame
    extra_caveats: tuple[str, ...] = ()


def _number(value: float) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:.3f}"


def _results_table(results: Mapping[str, Mapping[str, Mapping[str, float]]]) -> list[str]:
    names = list(METRIC_LABELS)
    lines = [
        "| split | model | " + " | ".join(METRIC_LABELS[n] for n in names) + " |",
        "|---|---|" + "---:|" * len(names),
    ]
    for split, models in results.items():
        for model, values in models.items():
            cells = " | ".join(_number(values.get(n, float("nan"))) for n in names)
            lines.append(f"| {split} | {model} | {cells} |")
    return lines


def render(facts: CardFacts) -> str:
    """The markdown text of the card."""
    title = f"version {facts.version}" if facts.version else "unregistered run"
    years = ", ".join(str(y) for y in facts.data_years)
    lines = [
        f"# accident_gravity model card ({title})",
        "",
        f"**Target.** {TARGET_DESCRIPTION}, per accident.",
        "",
        "**Model.** scikit-learn Pipeline: ordinal codes for categorical features, "
        "HistGradientBoosting with native categorical splits and balanced class weights, "
        "calibration on the validation data (isotonic, or sigmoid on few rows). "
        "Baseline: the 2024 project's RandomForest on its columns.",
        "",
        f"**Features.** {len(FEATURES)}: " + ", ".join(f"`{f.name}`" for f in FEATURES) + ".",
        "",
        f"**Data years.** {years}.",
        "",
        "## Splits",
        "",
        "| split | how | train | validation | test |",
        "|---|---|---:|---:|---:|",
    ]
    for split, how in facts.splits.items():
        size = facts.sizes[split]
        lines.append(
            f"| {split} | {how} | {size['train']} | {size['validation']} | {size['test']} |"
        )
    lines += [
        "",
        f"Primary split: **{facts.primary_split}**; primary metric: **{PRIMARY_METRIC}**.",
        f"Decision threshold (max F1 on validation): **{facts.threshold:.3f}**.",
        "",
        "## Results on the test part",
        "",
        *_results_table(facts.results),
        "",
        f"**Promotion.** {facts.decision}",
        "",
        "## By departement (primary split, main model, largest first)",
        "",
        "| dep | accidents | KSI rate | mean P(KSI) | ROC AUC |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in facts.departements.head(15).itertuples():
        lines.append(
            f"| {row.dep} | {row.accidents} | {row.ksi_rate:.3f} | {row.mean_probability:.3f} "
            f"| {_number(row.roc_auc)} |"
        )
    lines += ["", "## Caveats", ""]
    lines += [f"- {caveat}" for caveat in (*facts.extra_caveats, *CAVEATS)]
    return "\n".join(lines) + "\n"
