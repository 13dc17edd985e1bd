"""The ingestion DAG under `dag.test()`, against a real PostgreSQL: one mapped task per year,
a broken year fails alone and alerts by e-mail, the Asset event carries what was loaded, and
a second run with nothing new loads nothing and emits nothing."""

from __future__ import annotations

import psycopg

from green_light_pipelines.dags import INGEST_DAG_ID, ROAD_ACCIDENTS_ASSET
from green_light_platform.settings import to_libpq_url

from .pipelines_support import (
    BROKEN,
    GOOD,
    asset_events,
    loaded_years,
    run_dag,
    smtp_server,
    states,
)


def test_each_year_is_its_own_task_and_a_broken_one_fails_alone(
    airflow_metadata, data_directory, database_url, monkeypatch
):
    before = len(asset_events(ROAD_ACCIDENTS_ASSET))
    with smtp_server() as inbox:
        monkeypatch.setenv("GLS_SMTP_HOST", inbox.host)
        monkeypatch.setenv("GLS_SMTP_PORT", str(inbox.port))
        monkeypatch.setenv("AIRFLOW_VAR_ALERT_EMAIL", "road-safety@example.org")
        run = run_dag(INGEST_DAG_ID)

    task_states = states(run)
    assert task_states[("ingest_year", 0)] == "success"  # 2019
    assert task_states[("ingest_year", 1)] == "failed"  # 2020
    assert task_states[("ingest_year", 2)] == "success"  # 2021
    assert task_states[("publish", -1)] == "success"
    assert run.state == "failed", "a failed year must show in the run's state"
    assert loaded_years(database_url) == list(GOOD)

    [*_, event] = asset_events(ROAD_ACCIDENTS_ASSET)
    assert len(asset_events(ROAD_ACCIDENTS_ASSET)) == before + 1
    assert event["years"] == list(GOOD)
    with psycopg.connect(to_libpq_url(database_url)) as conn:
        accidents_2019 = conn.execute("SELECT count(*) FROM accidents WHERE year = 2019").fetchone()
    assert event["rows"]["2019"]["accidents"] == accidents_2019[0]

    [mail] = inbox.messages
    assert mail["To"] == "road-safety@example.org"
    assert f"{INGEST_DAG_ID}.ingest_year[1] failed" in mail["Subject"]
    body = mail.get_payload(decode=True).decode()
    assert f"DAG: {INGEST_DAG_ID}" in body
    assert "Task: ingest_year[1]" in body
    assert "year 2020 failed" in body and "missing column" in body
    assert "Log: " in body


def test_a_second_run_with_nothing_new_loads_nothing_and_emits_no_event(
    airflow_metadata, data_directory, database_url, monkeypatch
):
    (data_directory / str(BROKEN)).rename(data_directory.parent / "set-aside")
    first = run_dag(INGEST_DAG_ID)
    assert first.state == "success"
    events = len(asset_events(ROAD_ACCIDENTS_ASSET))

    second = run_dag(INGEST_DAG_ID)
    assert second.state == "success"
    assert states(second)[("publish", -1)] == "skipped"
    assert len(asset_events(ROAD_ACCIDENTS_ASSET)) == events
    assert loaded_years(database_url) == list(GOOD)


def test_without_the_variable_a_failure_sends_no_mail(
    airflow_metadata, data_directory, monkeypatch, caplog
):
    with smtp_server() as inbox:
        monkeypatch.setenv("GLS_SMTP_HOST", inbox.host)
        monkeypatch.setenv("GLS_SMTP_PORT", str(inbox.port))
        monkeypatch.delenv("AIRFLOW_VAR_ALERT_EMAIL", raising=False)
        run = run_dag(INGEST_DAG_ID, {"years": [BROKEN]})
    assert run.state == "failed"
    assert inbox.messages == []
    assert "the Variable alert_email is not set" in caplog.text


def test_a_year_can_be_rerun_on_its_own(airflow_metadata, data_directory, database_url):
    run_dag(INGEST_DAG_ID, {"years": [2019]})
    again = run_dag(INGEST_DAG_ID, {"years": [2019], "force": True})
    assert again.state == "success"
    assert states(again)[("ingest_year", 0)] == "success"
    assert loaded_years(database_url) == [2019]
