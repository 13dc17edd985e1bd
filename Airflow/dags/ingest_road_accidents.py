"""Ingest new or changed BAAC year folders: one mapped task per year, then the Asset event.

Wiring only: every task calls a function of `green_light_pipelines.tasks`.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Metadata, Param, dag, get_current_context, task
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from green_light_pipelines import dags, tasks

ROAD_ACCIDENTS = dags.road_accidents()

DOC = """
### Ingest road accidents

Starts by itself when year folders are dropped into (or changed in)
`ROAD_ACCIDENTS_DATA_DIRECTORIES`: a watcher on the data directory (an Asset watcher run by
the triggerer) looks every few seconds and fires once the files stop changing.

1. **find_years**: the years whose files the registry has not loaded as they are (cheap when
   nothing changed), or the `years` of the run's configuration.
2. **ingest_year** (one mapped task per year): read, validate, load the year in one
   transaction. A bad year fails its own task with the file, line and value; nothing of it
   is loaded, and the other years go on.
3. **publish**: when any year loaded new data, the Asset `road_accidents_db` gets an event
   whose extra lists the years and row counts; it starts `train_gravity_model`.
4. **all_years_loaded**: fails the run when a year failed, so the run's colour tells.

Re-run a year: trigger this DAG with `{"years": [2016], "force": true}`, or clear that
year's mapped `ingest_year` task in the UI.
"""


@dag(
    dag_id=dags.INGEST_DAG_ID,
    schedule=[dags.data_directory()],
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=dags.default_args(),
    tags=["green-light", "ingestion"],
    doc_md=DOC,
    params={
        "years": Param(None, type=["null", "array"], description="Only these years."),
        "force": Param(False, type="boolean", description="Reload unchanged years too."),
    },
)
def ingest_road_accidents() -> None:
    @task
    def find_years() -> list[int]:
        params = get_current_context()["params"]
        return tasks.years_to_ingest(params["years"], params["force"])

    @task(max_active_tis_per_dag=1)
    def ingest_year(year: int) -> dict[str, object]:
        try:
            return tasks.ingest_one_year(year, get_current_context()["params"]["force"])
        except tasks.YearFailed as failure:  # bad data: retrying cannot help
            raise AirflowFailException(str(failure)) from failure

    @task(outlets=[ROAD_ACCIDENTS], trigger_rule="all_done")
    def publish(results: list[dict[str, object]]):  # noqa: ANN202 - a generator of Metadata
        loaded = tasks.loaded_data(list(results))
        if loaded is None:
            raise AirflowSkipException("nothing new was loaded: no Asset event")
        yield Metadata(ROAD_ACCIDENTS, extra=loaded)

    @task
    def all_years_loaded() -> None:
        """Reached only when every mapped year succeeded (the default trigger rule)."""

    loaded = ingest_year.expand(year=find_years())
    publish(loaded)
    loaded >> all_years_loaded()


ingest_road_accidents()
