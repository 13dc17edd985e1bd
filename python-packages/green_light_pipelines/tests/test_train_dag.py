"""The training DAG under `dag.test()`: it registers and promotes a model in a real MLflow
store and has the running model_api reload it through the service account; with no data it
ends cleanly."""

from __future__ import annotations

from green_light_pipelines.dags import TRAIN_DAG_ID

from .pipelines_support import run_dag, served_version, states


def test_training_promotes_a_champion_and_model_api_serves_it(airflow_metadata, platform):
    assert served_version(platform) is None, "model_api starts with no champion"
    run = run_dag(TRAIN_DAG_ID)
    assert run.state == "success"
    assert states(run) == {("train", -1): "success", ("reload_model_api", -1): "success"}
    assert served_version(platform) == "1"

    # Same data, same seed: version 2 scores as version 1 does, so the gate keeps the champion
    # and model_api is left alone.
    again = run_dag(TRAIN_DAG_ID)
    assert again.state == "success"
    assert states(again)[("reload_model_api", -1)] == "skipped"
    assert served_version(platform) == "1"


def test_with_no_data_the_run_ends_cleanly(
    airflow_metadata, database_url, tmp_path, monkeypatch, caplog
):
    monkeypatch.setenv("GLS_DATABASE_URL", database_url)
    monkeypatch.setenv("GLS_MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    monkeypatch.setenv("ADMIN_PASSWORD", "unused")
    run = run_dag(TRAIN_DAG_ID)
    assert run.state == "success"
    assert states(run) == {("train", -1): "success", ("reload_model_api", -1): "skipped"}
    assert "no accident data loaded yet: nothing to train" in caplog.text
