"""Every DAG file imports without error, documents itself, and touches no database or
network while it is parsed."""

from __future__ import annotations

import pytest

from green_light_pipelines.dags import INGEST_DAG_ID, OWNER, TRAIN_DAG_ID

from .conftest import DAGS_FOLDER


@pytest.fixture
def dag_bag(airflow_metadata, monkeypatch, tmp_path):
    """The DAGs parsed with every server of the platform unreachable (a closed port)."""
    from airflow.dag_processing.dagbag import DagBag

    monkeypatch.setenv("GLS_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    monkeypatch.setenv("GLS_MLFLOW_TRACKING_URI", "http://127.0.0.1:1")
    monkeypatch.setenv("GLS_MODEL_API_URL", "http://127.0.0.1:1")
    monkeypatch.setenv("ROAD_ACCIDENTS_DATA_DIRECTORIES", str(tmp_path))
    monkeypatch.setenv("ADMIN_PASSWORD", "unused")
    return DagBag(str(DAGS_FOLDER))


def test_every_dag_file_imports(dag_bag):
    assert dag_bag.import_errors == {}
    assert set(dag_bag.dag_ids) == {INGEST_DAG_ID, TRAIN_DAG_ID}


@pytest.mark.parametrize("dag_id", [INGEST_DAG_ID, TRAIN_DAG_ID])
def test_each_dag_has_an_owner_tags_retries_backoff_and_documentation(dag_bag, dag_id):
    dag = dag_bag.dags[dag_id]
    assert "green-light" in dag.tags
    assert dag.doc_md and dag.doc_md.strip().startswith("###")
    for task in dag.tasks:
        assert task.owner == OWNER
        assert task.retries >= 1
        assert task.retry_exponential_backoff
        assert task.on_failure_callback


def test_the_ingestion_is_started_by_a_watcher_and_training_by_its_asset_or_weekly(dag_bag):
    ingest = dag_bag.dags[INGEST_DAG_ID]
    train = dag_bag.dags[TRAIN_DAG_ID]
    [watched] = ingest.timetable.asset_condition.objects
    assert watched.watchers, "the data directory asset must carry a watcher"
    assert [t.task_id for t in ingest.tasks if t.outlets] == ["publish"]
    assert "road_accidents_db" in str(train.timetable.asset_condition)
    assert train.timetable.timetable.description == "At 03:00, only on Monday"
