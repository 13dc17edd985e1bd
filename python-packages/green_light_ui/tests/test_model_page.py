"""The model and pipelines page against a real MLflow registry and the file registry of a
real ingestion: what it shows is what the registries hold, and it says so plainly when
MLflow is down, when no champion exists and when no data is loaded."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from mlflow.tracking import MlflowClient

from gravity_model.evaluation import CALIBRATION_ARTIFACT, METRIC_LABELS
from gravity_model.registry import CHALLENGER, CHAMPION, MODEL_NAME
from gravity_model.training import train
from green_light_platform.db.engine import make_engine
from green_light_ui.dashboards.data_health import data_health
from green_light_ui.dashboards.model_history import MlflowUnreachable, model_history
from green_light_ui.labels import age

from .conftest import NOWHERE

PAGE = "app_pages/model.py"


def no_exception(test) -> None:
    assert not test.exception, [e.message for e in test.exception]


def metrics(test) -> dict[str, str]:
    return {m.label: m.value for m in test.metric}


def champion_run(tracking_uri: str):
    client = MlflowClient(tracking_uri, registry_uri=tracking_uri)
    version = client.get_model_version_by_alias(MODEL_NAME, CHAMPION)
    return client, version, client.get_run(version.run_id)


def test_the_champion_shown_is_the_registrys(app, trained_registry):
    client, version, run = champion_run(trained_registry.tracking_uri)
    test = app(trained_registry.database_url, PAGE, tracking_uri=trained_registry.tracking_uri)
    no_exception(test)
    assert not test.error
    shown = metrics(test)
    assert shown["Champion version"] == str(version.version)
    for metric, title in METRIC_LABELS.items():
        assert shown[title] == f"{run.data.metrics[metric]:.3f}", metric
    versions = next(d.value for d in test.dataframe if "pr_auc" in d.value.columns)
    registered = client.search_model_versions(f"name = '{MODEL_NAME}'")
    assert sorted(versions["version"]) == sorted(str(v.version) for v in registered)
    row = versions.loc[versions["version"] == str(version.version)].iloc[0]
    assert row["alias"] == CHAMPION
    assert row["pr_auc"] == pytest.approx(run.data.metrics["pr_auc"])
    assert any("by decile of the prediction" in c.value for c in test.caption)
    # The calibration and the profile by year (one version: no chart of versions).
    assert len(test.get("vega_lite_chart")) == 2


@pytest.mark.slow
def test_every_version_is_listed_with_its_own_metrics(app, seeded_database_url, tmp_path):
    tracking_uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    reports = [
        train(
            seeded_database_url,
            tracking_uri,
            promote=promote,
            seed=seed,
            reference_split=False,
            artifacts_dir=tmp_path / "artifacts",
        )
        for promote, seed in (("auto", 1), ("never", 2))
    ]
    test = app(seeded_database_url, PAGE, tracking_uri=tracking_uri)
    no_exception(test)
    assert metrics(test)["Champion version"] == reports[0].version
    versions = next(d.value for d in test.dataframe if "pr_auc" in d.value.columns)
    assert versions["version"].tolist() == [reports[1].version, reports[0].version]
    assert versions["alias"].tolist() == [CHALLENGER, CHAMPION]
    for report, (_, row) in zip(reversed(reports), versions.iterrows(), strict=True):
        for metric in METRIC_LABELS:
            assert row[metric] == pytest.approx(report.primary["main"][metric]), metric
    # The calibration, the metrics by version (two versions or more), the profile by year.
    assert len(test.get("vega_lite_chart")) == 3


def test_the_calibration_is_the_champions_logged_points(trained_registry, tmp_path):
    client, version, _ = champion_run(trained_registry.tracking_uri)
    path = client.download_artifacts(version.run_id, CALIBRATION_ARTIFACT, str(tmp_path))
    logged = json.loads(Path(path).read_text(encoding="utf-8"))
    history = model_history(trained_registry.tracking_uri)
    assert history.champion == str(version.version)
    main = history.calibration[history.calibration["model"] == "main"]
    assert (
        main[["predicted", "observed", "accidents"]].to_dict("records") == logged["models"]["main"]
    )
    assert set(history.calibration["model"]) == set(logged["models"])


def test_the_ingestion_and_data_quality_are_the_file_registrys(app, trained_registry):
    url = trained_registry.database_url
    with psycopg.connect(url) as conn:
        latest, loaded = conn.execute(
            "SELECT max(year), count(*) FROM ingested_years WHERE status = 'loaded'"
        ).fetchone()
        rows, not_given = conn.execute(
            "SELECT sum(p.rows), sum(p.not_given) FROM column_profiles p"
            " JOIN source_files f ON f.id = p.source_file_id"
            " WHERE f.status = 'loaded' AND f.year = %s AND f.table_name = 'usagers'"
            " AND p.column_name = 'an_nais'",
            (latest,),
        ).fetchone()
    test = app(url, PAGE, tracking_uri=trained_registry.tracking_uri)
    no_exception(test)
    shown = metrics(test)
    assert shown["Latest year loaded"] == str(latest)
    assert shown["Years loaded"] == str(loaded)
    assert shown["Aggregates refreshed"] != "never"  # the ingestion refreshed them
    assert any(f"year {latest} loaded" in s.value for s in test.success)
    profile = next(d.value for d in test.dataframe if "not_given_share" in d.value.columns)
    births = profile[(profile["table_name"] == "usagers") & (profile["column_name"] == "an_nais")]
    assert births["not_given_share"].iloc[0] == pytest.approx(not_given / rows)
    assert test.selectbox(key="year").value == latest
    first = min(test.selectbox(key="year").options, key=int)
    test.selectbox(key="year").set_value(int(first)).run()
    no_exception(test)
    assert test.query_params["year"] == first


@pytest.mark.reliability(
    kind="fault",
    case="MLflow does not answer while the model page loads",
    expect="the page says so within seconds and still shows the data and ingestion part",
)
def test_mlflow_down_is_said_plainly(app, seeded_database_url):
    with pytest.raises(MlflowUnreachable):
        model_history(NOWHERE)
    test = app(seeded_database_url, PAGE, tracking_uri=NOWHERE)
    no_exception(test)
    assert any("MLflow does not answer" in e.value for e in test.error)
    assert "Latest year loaded" in metrics(test)


def test_no_champion_is_said_plainly(app, seeded_database_url, tmp_path):
    empty_registry = f"sqlite:///{tmp_path / 'mlflow.db'}"
    test = app(seeded_database_url, PAGE, tracking_uri=empty_registry)
    no_exception(test)
    assert any("No champion model is registered" in i.value for i in test.info)
    assert "Champion version" not in metrics(test)


def test_an_empty_file_registry_is_said_plainly(app, database_url, trained_registry):
    engine = make_engine(database_url)
    health = data_health(engine)
    engine.dispose()
    assert not health.ingested and health.freshness.latest_year is None
    test = app(database_url, PAGE, tracking_uri=trained_registry.tracking_uri)
    no_exception(test)
    assert any("No accident data is loaded yet" in i.value for i in test.info)
    assert "Champion version" in metrics(test)


def test_a_failed_ingestion_without_a_reason_says_so(app, database_url):
    with psycopg.connect(database_url) as conn:
        conn.execute(
            "INSERT INTO ingested_years (year, folder, fingerprint, status, reason)"
            " VALUES (2023, '/data/2023', 'f', 'failed', NULL)"
        )
    test = app(database_url, PAGE)
    no_exception(test)
    assert any(e.value.endswith("year 2023 failed: no reason recorded") for e in test.error), [
        e.value for e in test.error
    ]


def test_a_versions_years_read_as_spans():
    from green_light_ui.dashboards.model_history import year_spans

    assert year_spans("2005,2006,2007,2019,2021,2022") == "2005-2007, 2019, 2021-2022"
    assert year_spans("2021") == "2021"


def test_ages_are_short_enough_for_a_metric_tile():
    now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    shown = [age(now - timedelta(seconds=s), now) for s in (5, 60, 3 * 3600 + 59, 86400, 9 * 86400)]
    assert shown == ["just now", "1 min ago", "3 h ago", "1 day ago", "9 days ago"]
    assert age(None, now) == "never"
