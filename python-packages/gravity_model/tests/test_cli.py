from __future__ import annotations

import logging

import pytest
from data import load_generated
from mlflow.tracking import MlflowClient
from typer.testing import CliRunner

from gravity_model.cli import parse_years
from green_light_platform.cli.app import app


def test_years_are_parsed_from_ranges_and_lists():
    assert parse_years("2019-2021,2023") == [2019, 2020, 2021, 2023]
    assert parse_years("2021") == [2021]


@pytest.fixture
def restored_logging():
    """`gls` points the root logger at the CLI runner's stream, closed after the command."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.mark.slow
@pytest.mark.usefixtures("restored_logging")
def test_gls_train_on_generated_data_beats_the_baseline(database_url, tracking_uri, tmp_path):
    load_generated(database_url, tmp_path / "baac", years=[2019, 2020, 2021], scale=0.03, seed=5)
    environment = {
        "ADMIN_PASSWORD": "unused",
        "GLS_ENV_FILE": str(tmp_path / "none.env"),
        "GLS_DATABASE_URL": database_url,
        "GLS_MLFLOW_TRACKING_URI": tracking_uri,
    }
    result = CliRunner().invoke(app, ["train", "--years", "2019-2021"], env=environment)
    assert result.exit_code == 0, result.output
    assert "temporal  baseline" in result.output and "temporal  new v1" in result.output
    assert "version 1 is champion" in result.output

    run = MlflowClient(tracking_uri, registry_uri=tracking_uri).search_runs(
        [
            MlflowClient(tracking_uri, registry_uri=tracking_uri)
            .get_experiment_by_name("accident_gravity")
            .experiment_id
        ]
    )[0]
    metrics = run.data.metrics
    for metric in ("roc_auc", "pr_auc"):
        assert metrics[f"main_temporal_{metric}"] > metrics[f"baseline_temporal_{metric}"]
