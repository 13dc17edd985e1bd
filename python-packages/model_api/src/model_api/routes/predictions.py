"""Predictions of the served model: one record, a batch, an explanation.

Every answer names the model that gave it, and every predicted record goes to the
prediction log. The batch body's size limit is a setting, so this router is built per app.
"""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic_core import to_json

from gravity_model.features import FEATURES
from model_api.deps import PredictingUser, ServicesDep, ServingDep
from model_api.prediction_log import LoggedPrediction
from model_api.routes import errors
from model_api.schemas import (
    AccidentRecord,
    BatchPrediction,
    Contribution,
    Explanation,
    ModelRef,
    Prediction,
)
from model_api.services import Services
from model_api.serving import Serving, probabilities
from model_api.users import User

LABELS = {feature.name: feature.label_en for feature in FEATURES}
ERRORS = errors(400, 401, 413, 429, 503)


def _model_ref(serving: Serving) -> ModelRef:
    model = serving.model
    return ModelRef(name=model.name, version=str(model.version), alias=model.alias)


def _record(
    services: Services,
    user: User,
    endpoint: str,
    ref: ModelRef,
    records: list[dict[str, object]],
    probs: list[float],
    classes: list[int],
) -> None:
    """Count the predictions in the metrics and queue them for the prediction log."""
    services.metrics.predicted(endpoint, ref.version, probs, classes)
    now = datetime.now(UTC)
    services.prediction_log.submit(
        [
            LoggedPrediction(now, ref.name, ref.version, endpoint, user.username, r, p, c)
            for r, p, c in zip(records, probs, classes, strict=True)
        ]
    )


def _answer(
    services: Services,
    user: User,
    endpoint: str,
    serving: Serving,
    values: dict,
    probability: float,
) -> dict[str, object]:
    """The fields every single-record answer shares, once the prediction is recorded."""
    model = serving.model
    predicted = int(probability >= model.threshold)
    ref = _model_ref(serving)
    _record(services, user, endpoint, ref, [values], [probability], [predicted])
    return {
        "probability": probability,
        "predicted_class": predicted,
        "prediction": [predicted],
        "threshold": model.threshold,
        "model": ref,
    }


def build_router(batch_limit: int) -> APIRouter:
    router = APIRouter(tags=["predictions"])
    batch_request: type[BaseModel] = create_model(
        "BatchRequest",
        __config__=ConfigDict(extra="forbid", strict=True),
        records=(
            list[AccidentRecord],
            Field(min_length=1, max_length=batch_limit, description="The records to predict."),
        ),
    )

    @router.post("/predict", responses=ERRORS)
    async def predict(
        record: AccidentRecord, user: PredictingUser, services: ServicesDep, serving: ServingDep
    ) -> Prediction:
        """P(killed or seriously injured) for one accident scenario, and its class."""
        values = dict(record)
        probability = await services.batcher.probability(serving.model, values)
        return Prediction(**_answer(services, user, "predict", serving, values, probability))

    @router.post("/predict/batch", response_model=BatchPrediction, responses=ERRORS)
    async def predict_batch(
        body: batch_request,  # type: ignore[valid-type]
        user: PredictingUser,
        services: ServicesDep,
        serving: ServingDep,
    ) -> Response:
        """Up to the configured limit of records (GLS_API_BATCH_LIMIT) in one call.

        The answer is serialised directly (its schema is `BatchPrediction`): building 10,000
        response objects would cost more than predicting them.
        """
        model = serving.model
        records = body.records
        probs = await run_in_threadpool(probabilities, model, records)
        classes = [int(p >= model.threshold) for p in probs]
        ref = _model_ref(serving)
        _record(services, user, "predict/batch", ref, records, probs, classes)
        answer = {
            "model": ref.model_dump(),
            "threshold": model.threshold,
            "predictions": [
                {"probability": p, "predicted_class": c}
                for p, c in zip(probs, classes, strict=True)
            ],
        }
        return Response(to_json(answer), media_type="application/json")

    @router.post("/explain", responses=ERRORS)
    async def explain(
        record: AccidentRecord,
        user: PredictingUser,
        services: ServicesDep,
        serving: ServingDep,
        top: Annotated[int, Query(ge=1, le=len(FEATURES))] = 5,
    ) -> Explanation:
        """The prediction, and the features pushing this record's probability up or down most."""
        model = serving.model
        values = dict(record)

        def run() -> tuple[float, list]:
            return probabilities(model, [values])[0], model.explain(values, top=top)

        probability, contributions = await run_in_threadpool(run)
        return Explanation(
            **_answer(services, user, "explain", serving, values, probability),
            contributions=[
                Contribution(
                    feature=c.feature,
                    label=LABELS.get(c.feature, c.feature),
                    value=c.value,
                    effect=float(c.effect),
                )
                for c in contributions
            ],
        )

    return router
