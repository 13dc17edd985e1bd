"""The model being served: loaded whole, checked, then swapped in with one assignment.

Requests read `ModelHolder.serving` once and keep that object for their whole prediction, so
a refresh never mixes two models in one answer, and a failed load leaves the previous model
serving. `PredictionBatcher` merges single-record predictions that arrive together into one
model call: a call's fixed cost dwarfs its per-record cost, so under load this is what keeps
latency flat.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, NoReturn

import requests
from fastapi.concurrency import run_in_threadpool
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient

from gravity_model.registry import NoChampionError, aliased_version, load_served_model

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from gravity_model.registry import ServedModel
    from model_api.metrics import ApiMetrics

log = logging.getLogger(__name__)

Record = dict[str, object]


class ModelLoadError(Exception):
    """The champion could not be loaded; the message says why, for the refresh caller.

    `unreachable`: MLflow did not answer, which trying again may mend (a missing alias or a
    broken artifact waits for someone to act: a new champion, a refresh).
    """

    def __init__(self, reason: str, *, unreachable: bool = False) -> None:
        super().__init__(reason)
        self.unreachable = unreachable


@dataclass(frozen=True)
class Serving:
    model: ServedModel
    loaded_at: datetime


def probabilities(model: ServedModel, records: Sequence[Mapping[str, object]]) -> list[float]:
    """P(killed or seriously injured) for each record, as plain floats."""
    return model.predict_records(records).tolist()


class ModelHolder:
    """The served model and why there is none, swapped only by a complete, working load."""

    def __init__(
        self, tracking_uri: str, alias: str, metrics: ApiMetrics, warmup_record: Record
    ) -> None:
        self._tracking_uri = tracking_uri
        self._alias = alias
        self._metrics = metrics
        self._warmup_record = warmup_record
        self._serving: Serving | None = None
        self.problem: str | None = "no model loaded yet"
        self._lock = threading.Lock()

    @property
    def serving(self) -> Serving | None:
        return self._serving

    def load(self) -> Serving:
        """Load the model the alias points to, try it, then serve it (blocking).

        Raises ModelLoadError, and keeps the previous model serving, when any step fails.
        """
        with self._lock:
            try:
                model = load_served_model(self._tracking_uri, alias=self._alias)
                probabilities(model, [self._warmup_record])
            except NoChampionError as error:
                self._failed(f"no model has the alias {self._alias!r} yet: {error}")
            except Exception as error:  # any failure of MLflow or the model keeps the old one
                if _unreachable(error):
                    self._failed(f"MLflow unreachable at {self._tracking_uri}", unreachable=True)
                self._failed(f"loading the {self._alias!r} model failed: {error!r}")
            self._serving = Serving(model, datetime.now(UTC))
            self.problem = None
        self._metrics.model_loads.labels("ok").inc()
        self._metrics.serving(model.name, str(model.version), model.alias)
        log.info(
            "model loaded",
            extra={
                "model": model.name,
                "version": model.version,
                "alias": model.alias,
                "fast_path": model.scorer is not None,
            },
        )
        return self._serving

    def follow_alias(self) -> None:
        """Load the aliased version if it is not the one served (blocking).

        Each replica calls this on a timer, so all of them pick up a new champion even though
        `POST /refresh` reaches only one; a removed alias leaves the current model serving.
        """
        client = MlflowClient(self._tracking_uri, registry_uri=self._tracking_uri)
        version = aliased_version(client, self._alias)
        serving = self._serving
        if version is not None and (serving is None or serving.model.version != version):
            log.info("the model alias moved", extra={"alias": self._alias, "version": version})
            self.load()

    def _failed(self, reason: str, *, unreachable: bool = False) -> NoReturn:
        self.problem = reason
        self._metrics.model_loads.labels("failed").inc()
        current = self._serving
        log.warning(
            "model load failed",
            extra={
                "reason": reason,
                "still_serving": None if current is None else current.model.version,
            },
        )
        raise ModelLoadError(reason, unreachable=unreachable)


def _unreachable(error: BaseException) -> bool:
    """Whether an MLflow failure comes from not reaching the server (refused, timed out).

    The MLflow client raises its own exception inside its handler of the `requests` one, so
    the cause is in the exception's context chain.
    """
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, requests.ConnectionError | requests.Timeout):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class BackgroundLoader:
    """Loads the first model in a daemon thread, retrying with capped exponential back-off
    while MLflow is unreachable.

    The API answers from its first second whatever MLflow does: `/health` is up, `/ready`
    and the prediction routes say why there is no model. It stops after `attempts` failures,
    or at the first failure MLflow answered (no champion, a broken model: trying again changes
    nothing); the alias follower keeps trying every `GLS_MODEL_POLL_SECONDS`, and
    `POST /refresh` loads at once. A daemon thread, waiting on an event, never holds up
    shutdown: SIGTERM ends the process even in mid-load.
    """

    def __init__(
        self, holder: ModelHolder, *, attempts: int, backoff: float, backoff_max: float
    ) -> None:
        self._holder = holder
        self._attempts = attempts
        self._backoff = backoff
        self._backoff_max = backoff_max
        self._stop = threading.Event()
        self.done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="model-loader", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        delay = self._backoff
        try:
            for attempt in range(1, self._attempts + 1):
                if self._stop.is_set() or self._holder.serving is not None:
                    return
                try:
                    self._holder.load()
                except ModelLoadError as error:  # the holder logged it, and /ready says it
                    if not error.unreachable:
                        return
                else:
                    # What is loaded now lives as long as the process: out of the collector's
                    # sight, full collections stop pausing requests for tens of ms.
                    gc.collect()
                    gc.freeze()
                    return
                if attempt < self._attempts:
                    log.info(
                        "model load retry scheduled",
                        extra={"attempt": attempt, "of": self._attempts, "in_seconds": delay},
                    )
                    if self._stop.wait(delay):
                        return
                    delay = min(delay * 2, self._backoff_max)
            log.warning(
                "MLflow still unreachable after every attempt: the alias follower keeps trying",
                extra={"attempts": self._attempts},
            )
        finally:
            self.done.set()


async def follow_alias_every(holder: ModelHolder, seconds: float) -> None:
    """Run `holder.follow_alias` every `seconds` until cancelled; failures are logged only."""
    while True:
        await asyncio.sleep(seconds)
        try:
            await run_in_threadpool(holder.follow_alias)
        except ModelLoadError:
            pass  # the holder logged it and keeps serving
        except MlflowException as error:
            log.warning("could not read the model alias", extra={"reason": str(error)})


class PredictionBatcher:
    """Coalesces concurrent single-record predictions into batched model calls.

    No timer: the first waiting record is predicted at once, and whatever arrives while that
    call runs forms the next batch, so a lone request pays nothing and a burst pays one model
    call per batch instead of one per record. A model with its fast path (`scoring.py`: about
    0.3 ms for one record, 1 ms for 32) is called on the event loop, which is cheaper than a
    thread hop; the full model (tens of ms) runs in a worker thread so as not to stall it.
    """

    def __init__(self, max_batch: int = 512) -> None:
        self._max_batch = max_batch
        self._pending: list[tuple[ServedModel, Record, asyncio.Future[float]]] = []
        self._drainer: asyncio.Task[None] | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="predict")

    async def probability(self, model: ServedModel, record: Record) -> float:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._pending.append((model, record, future))
        if self._drainer is None:
            self._drainer = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        try:
            while self._pending:
                await asyncio.sleep(0)  # requests already received join this batch
                batch = self._pending[: self._max_batch]
                del self._pending[: self._max_batch]
                for model in {id(item[0]): item[0] for item in batch}.values():
                    group = [item for item in batch if item[0] is model]
                    try:
                        results = await self._predict(model, [record for _, record, _ in group])
                    except Exception as error:  # every waiting request gets the error
                        for _, _, future in group:
                            if not future.done():
                                future.set_exception(error)
                        continue
                    for (_, _, future), result in zip(group, results, strict=True):
                        if not future.done():
                            future.set_result(result)
        finally:
            self._drainer = None

    async def _predict(self, model: ServedModel, records: list[Record]) -> list[float]:
        if model.scorer is not None:
            return probabilities(model, records)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, probabilities, model, records)

    def close(self) -> None:
        self._executor.shutdown(wait=True)
