"""The two scikit-learn Pipelines; both take the raw feature frame of `features.py`.

- `baseline`: the 2024 project's approach, a RandomForest on its columns with codes used
  as plain numbers (an order-preserving encoding of the codes, so trees split the same way).
- `main`: HistGradientBoosting with native categorical splits over every feature, balanced
  class weights, and calibration fitted on validation data (isotonic, or sigmoid on few
  rows), so that the output is a probability of KSI again despite the weighting.

Only scikit-learn types are used, so MLflow's default skops serialisation applies; the few
types skops does not trust by default are listed, reviewed, in `TRUSTED_TYPES`.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from functools import cache
from typing import TYPE_CHECKING, Literal

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OrdinalEncoder
from threadpoolctl import ThreadpoolController

from gravity_model.features import BASELINE_FEATURES, FEATURES, Feature, feature

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pandas as pd
    from sklearn.base import ClassifierMixin

ModelName = Literal["baseline", "main"]

TRUSTED_TYPES: tuple[str, ...] = (
    # HistGradientBoosting's trees and its input validation helper; the files we load are
    # the ones our own training wrote to our own registry.
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.utils.validation.check_array",
    "functools.partial",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.tree._tree.Tree",
    "numpy.dtype",
)

MISSING_NUMBER = -999.0
"""Below every feature's domain (latitudes and longitudes included)."""

SMALL_DATA = 50_000
"""Below this many rows, OpenMP threads cost more than they bring (worse on a busy machine)."""

ISOTONIC_MIN_ROWS = 5_000
"""Isotonic calibration needs many validation rows; on fewer, its steps tie scores that the
model ranked apart, so a sigmoid (Platt) calibration is used instead."""

BASELINE_MAX_SAMPLES = 100_000
"""Rows drawn per baseline tree: fully grown trees on a million rows would need gigabytes."""

MAIN_PARAMS: dict[str, object] = {
    "learning_rate": 0.08,
    "max_iter": 400,
    "max_leaf_nodes": 31,
    "min_samples_leaf": 40,
    "l2_regularization": 1.0,
    "early_stopping": True,
    "validation_fraction": 0.1,
    "n_iter_no_change": 20,
    "class_weight": "balanced",
}


@cache
def _threadpools() -> ThreadpoolController:
    # Inspecting the loaded libraries takes milliseconds: do it once per process.
    return ThreadpoolController()


def threads_for(n_rows: int) -> AbstractContextManager[object]:
    """A context limiting scikit-learn's OpenMP threads to one for small data."""
    if n_rows >= SMALL_DATA:
        return nullcontext()
    return _threadpools().limit(limits=1, user_api="openmp")


def _encoder(specs: Sequence[Feature]) -> OrdinalEncoder:
    """Codes to 0..n-1 in domain order; unknown and missing codes become NaN."""
    return OrdinalEncoder(
        categories=[list(spec.domain) for spec in specs],
        handle_unknown="use_encoded_value",
        unknown_value=np.nan,
        encoded_missing_value=np.nan,
    )


def _columns(names: Sequence[str]) -> ColumnTransformer:
    """Categoricals encoded first, then the other columns; nothing else kept.

    Missing numbers become the sentinel `MISSING_NUMBER`, which trees isolate like a missing
    value; HistGradientBoosting cannot bin a column that is entirely missing, as `vma` is
    when training only on years before 2019.
    """
    specs = [feature(name) for name in names]
    categorical = [s for s in specs if s.kind == "categorical"]
    other = [s.name for s in specs if s.kind != "categorical"]
    return ColumnTransformer(
        [
            ("codes", _encoder(categorical), [s.name for s in categorical]),
            (
                "values",
                SimpleImputer(
                    strategy="constant", fill_value=MISSING_NUMBER, keep_empty_features=True
                ),
                other,
            ),
        ],
        remainder="drop",
        verbose_feature_names_out=False,
    )


def categorical_count(names: Sequence[str]) -> int:
    return sum(feature(name).kind == "categorical" for name in names)


def build_baseline(seed: int, n_rows: int) -> Pipeline:
    """The 2024 project's model: a RandomForest on its columns, codes as numbers."""
    forest = RandomForestClassifier(
        n_estimators=100,
        max_samples=min(n_rows, BASELINE_MAX_SAMPLES) if n_rows > BASELINE_MAX_SAMPLES else None,
        n_jobs=-1,
        random_state=seed,
    )
    return Pipeline([("columns", _columns(BASELINE_FEATURES)), ("forest", forest)])


def build_main(seed: int) -> Pipeline:
    """Gradient boosting over every feature, categorical codes split natively."""
    names = [spec.name for spec in FEATURES]
    n_categorical = categorical_count(names)
    mask = [i < n_categorical for i in range(len(names))]
    boosting = HistGradientBoostingClassifier(
        categorical_features=mask, random_state=seed, **MAIN_PARAMS
    )
    return Pipeline([("columns", _columns(names)), ("boosting", boosting)])


def fit(
    name: ModelName,
    train_x: pd.DataFrame,
    train_y: np.ndarray,
    validation_x: pd.DataFrame,
    validation_y: np.ndarray,
    seed: int,
) -> ClassifierMixin:
    """Fit one model on training rows; the main model is calibrated on the validation rows."""
    with threads_for(len(train_y)):
        if name == "baseline":
            return build_baseline(seed, len(train_y)).fit(train_x, train_y)
        pipeline = build_main(seed).fit(train_x, train_y)
        method = "isotonic" if len(validation_y) >= ISOTONIC_MIN_ROWS else "sigmoid"
        return CalibratedClassifierCV(FrozenEstimator(pipeline), method=method).fit(
            validation_x, validation_y
        )
