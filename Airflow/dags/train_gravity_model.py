"""Retrain the gravity model when new accidents are loaded, and weekly; reload model_api when
the champion changed.

Wiring only: every task calls a function of `green_light_pipelines.tasks`.
"""

from __future__ import annotations

from airflow.sdk import AssetOrTimeSchedule, dag, task
from airflow.sdk.exceptions import AirflowSkipException
from airflow.timetables.trigger import CronTriggerTimetable

from green_light_pipelines import dags, tasks

DOC = """
### Train the gravity model

Runs on each event of the Asset `road_accidents_db` (an ingestion that loaded new data) and
every Monday at 03:00 UTC.

1. **train**: features by SQL, baseline and main model, temporal evaluation, an MLflow run,
   a new version of `accident_gravity`; the alias `champion` moves only when the new version
   beats the champion on the same holdout. With no data loaded yet, the run ends cleanly.
2. **reload_model_api**: when the champion changed, model_api loads it (logged in as the
   pipelines' service account, `GLS_SERVICE_USERNAME`).
"""


@dag(
    dag_id=dags.TRAIN_DAG_ID,
    schedule=AssetOrTimeSchedule(
        timetable=CronTriggerTimetable("0 3 * * 1", timezone="UTC"), assets=dags.road_accidents()
    ),
    catchup=False,
    max_active_runs=1,
    default_args=dags.default_args(),
    tags=["green-light", "training"],
    doc_md=DOC,
)
def train_gravity_model() -> None:
    @task
    def train() -> dict[str, object] | None:
        return tasks.train_and_promote()

    @task
    def reload_model_api(result: dict[str, object] | None) -> dict[str, object]:
        if not result or not result["champion_changed"]:
            raise AirflowSkipException("the champion did not change: model_api keeps its model")
        return tasks.reload_model_api()

    reload_model_api(train())


train_gravity_model()
