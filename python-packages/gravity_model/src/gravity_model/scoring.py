"""The served model's fast path: the main model taken apart once, at load, for scoring records.

Every call of the fitted model goes through CalibratedClassifierCV, a Pipeline, a
ColumnTransformer and HistGradientBoosting's input checks: about 4 ms of validation for one
record, a hundred times the work of walking its trees. An API answering single records
spends that on every request. `compile_scorer` keeps only what the arithmetic needs:
per-feature code lookups (the OrdinalEncoder's categories), the imputer's fill value, the
fitted trees with their known-category bitsets, and the calibration maps.

It reads some of scikit-learn's fitted internals (the trees of HistGradientBoosting, the
calibrators of CalibratedClassifierCV), so it trusts nothing: `compile_scorer` returns a
scorer only when it reproduces the full model's probabilities on probe records covering every
code of every feature and missing values; otherwise, or for a model of another shape, callers
score through the full model.
"""

from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OrdinalEncoder

from gravity_model.features import FEATURE_NAMES, FEATURES, check_fields, records_to_frame
from gravity_model.pipelines import SMALL_DATA

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from sklearn.base import ClassifierMixin

log = logging.getLogger(__name__)

PROBE_TOLERANCE = 1e-12
"""The fast path does the same float operations in the same order: it must agree exactly."""


class UnscorableValue(ValueError):
    """A record value the fast path does not know; the full model normalises or rejects it."""


@dataclass(frozen=True)
class _Encoding:
    """Records to the matrix the trees walk, in one step instead of the model's two.

    Codes are encoded twice in the fitted model: our OrdinalEncoder turns codes into their
    index in the feature's domain, then HistGradientBoosting's internal one turns those into
    the index among the values seen in training (unseen ones become missing). Each lookup
    here maps a code straight to the second index.
    """

    categorical: tuple[tuple[str, dict[Any, float]], ...]
    numeric: tuple[str, ...]
    fill: float

    @classmethod
    def of(
        cls, columns: ColumnTransformer, boosting: HistGradientBoostingClassifier
    ) -> _Encoding | None:
        """The encoding of the fitted pair, None for another shape than `pipelines._columns`."""
        steps = {name: (step, list(cols)) for name, step, cols in columns.transformers_}
        encoder, coded = steps.get("codes", (None, []))
        imputer, numbers = steps.get("values", (None, []))
        inner = boosting._preprocessor
        if not (
            isinstance(encoder, OrdinalEncoder)
            and isinstance(imputer, SimpleImputer)
            and imputer.strategy == "constant"
            and not imputer.add_indicator
            and len(coded) + len(numbers) == boosting.n_features_in_
            and inner is not None
        ):
            return None
        names = [*coded, *numbers]
        domain_index = {
            name: {_plain(code): float(i) for i, code in enumerate(categories)}
            for name, categories in zip(coded, encoder.categories_, strict=True)
        }
        categorical = []
        seen_per_column = inner.named_transformers_["encoder"].categories_
        for position, seen in zip(
            np.flatnonzero(boosting.is_categorical_), seen_per_column, strict=True
        ):
            name = names[position]
            seen_index = {float(v): float(k) for k, v in enumerate(seen) if not math.isnan(v)}
            lookup = {code: seen_index.get(i, math.nan) for code, i in domain_index[name].items()}
            categorical.append((name, lookup))
        numeric = tuple(names[p] for p in np.flatnonzero(~boosting.is_categorical_))
        return cls(tuple(categorical), numeric, float(imputer.statistics_[0]))

    def matrix(self, records: Sequence[Mapping[str, Any]]) -> np.ndarray:
        width = len(self.categorical) + len(self.numeric)
        out = np.empty((len(records), width))
        for i, record in enumerate(records):
            codes = [
                self._code(record.get(name), name, lookup) for name, lookup in self.categorical
            ]
            out[i] = codes + [self._number(record.get(name), name) for name in self.numeric]
        return out

    @staticmethod
    def _code(value: Any, name: str, codes: dict[Any, float]) -> float:
        if value is None:
            return math.nan
        code = codes.get(value)
        if code is None or isinstance(value, bool):
            raise UnscorableValue(f"{name}={value!r}")
        return code

    def _number(self, value: Any, name: str) -> float:
        if value is None:
            return self.fill
        if not isinstance(value, (int, float)):
            raise UnscorableValue(f"{name}={value!r}")
        return self.fill if math.isnan(value) else float(value)


def _plain(value: Any) -> Any:
    """A Python scalar for a numpy one, so that record values hash like it."""
    return value.item() if isinstance(value, np.generic) else value


class _Trees:
    """The fitted trees of a binary HistGradientBoostingClassifier, summed as it sums them."""

    def __init__(self, boosting: HistGradientBoostingClassifier) -> None:
        self.baseline = float(boosting._baseline_prediction.ravel()[0])
        self.trees = [tree for (tree,) in boosting._predictors]
        bitsets, index_map = boosting._bin_mapper.make_known_categories_bitsets()
        self.bitsets, self.index_map = bitsets, index_map

    def decision(self, matrix: np.ndarray) -> np.ndarray:
        threads = 1 if len(matrix) < SMALL_DATA else len(os.sched_getaffinity(0))
        raw = np.zeros(len(matrix)) + self.baseline
        for tree in self.trees:
            raw += tree.predict(matrix, self.bitsets, self.index_map, threads)
        return raw


@dataclass(frozen=True)
class Scorer:
    """P(KSI) for feature records, computed like the full model without its input checks."""

    encoding: _Encoding
    trees: _Trees
    calibrators: tuple[Callable[[np.ndarray], np.ndarray], ...]

    def predict(self, records: Sequence[Mapping[str, Any]]) -> np.ndarray:
        """P(KSI) per record; UnscorableValue for a value the full model must normalise."""
        check_fields(records)
        raw = self.trees.decision(self.encoding.matrix(records))
        total = np.zeros(len(records))
        for calibrate in self.calibrators:
            total += calibrate(raw)
        return total / len(self.calibrators)


def _parts(model: ClassifierMixin) -> Scorer | None:
    """The scorer of a calibrated main model, None for any other shape."""
    if not isinstance(model, CalibratedClassifierCV) or model.method not in {"sigmoid", "isotonic"}:
        return None
    if list(model.classes_) != [0, 1]:
        return None
    frozen = {id(c.estimator): c.estimator for c in model.calibrated_classifiers_}
    if len(frozen) != 1:
        return None
    (estimator,) = frozen.values()
    pipeline = estimator.estimator if isinstance(estimator, FrozenEstimator) else None
    if not isinstance(pipeline, Pipeline) or len(pipeline.steps) != 2:
        return None
    columns, boosting = pipeline.steps[0][1], pipeline.steps[1][1]
    if not isinstance(columns, ColumnTransformer) or not isinstance(
        boosting, HistGradientBoostingClassifier
    ):
        return None
    encoding = _Encoding.of(columns, boosting)
    if encoding is None or boosting.n_trees_per_iteration_ != 1:
        return None
    calibrators = tuple(c.calibrators[0].predict for c in model.calibrated_classifiers_)
    return Scorer(encoding, _Trees(boosting), calibrators)


def probe_records() -> list[dict[str, Any]]:
    """Records that together use every code and bound of every feature, and missing values."""
    longest = max(len(spec.domain) for spec in FEATURES)
    records: list[dict[str, Any]] = [dict.fromkeys(FEATURE_NAMES)]
    for i in range(longest):
        records.append({spec.name: spec.domain[i % len(spec.domain)] for spec in FEATURES})
    midpoints = {
        spec.name: (spec.domain[0] + spec.domain[1]) / 2
        for spec in FEATURES
        if spec.kind == "numeric"
    }
    records.append({**records[1], **midpoints})
    return records


def compile_scorer(model: ClassifierMixin) -> Scorer | None:
    """The fast path of `model` if it has the main model's shape and reproduces its output."""
    scorer = _parts(model)
    if scorer is None:
        log.info("no fast path for this model's shape", extra={"model": type(model).__name__})
        return None
    probes = probe_records()
    expected = model.predict_proba(records_to_frame(probes))[:, 1]
    difference = float(np.max(np.abs(scorer.predict(probes) - expected)))
    if not difference <= PROBE_TOLERANCE:
        log.warning(
            "the fast path disagrees with the model; scoring through the full model",
            extra={"max_difference": difference},
        )
        return None
    return scorer
