"""`gls train` SIGKILLed midway: the champion stays where it was, and a rerun registers properly.

Each training runs as a user runs it, in a process of its own, on a copy of the registry the
bring-up trained (version 1 is the champion), with `--promote force` so that, had it finished,
it would have taken the champion alias. The test reads the process's log as it comes and kills
it at a chosen step: while a model is being fitted (its log says so), or once the new version
is registered and tagged (the MLflow store, polled, says so) but the training not finished.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mlflow.entities import RunStatus
from mlflow.tracking import MlflowClient

from gravity_model.registry import CHAMPION, MODEL_NAME, load_served_model
from green_light_platform.settings import setting_variables

KILL_TIMEOUT = 600


@pytest.fixture
def registry_copy(trained_registry, tmp_path):
    """The bring-up's registry, copied: these tests add versions to it."""
    store = tmp_path / "mlflow.db"
    shutil.copy(trained_registry.store, store)
    uri = f"sqlite:///{store}"
    assert _versions(uri) == {"1": [CHAMPION]}
    return uri


@pytest.fixture
def env(trained_registry, registry_copy, tmp_path, monkeypatch) -> dict[str, str]:
    """`gls train`'s settings: the seeded database, the registry copy, nothing from `.env`;
    run in the test's folder."""
    monkeypatch.chdir(tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in setting_variables()}
    env.update(
        ADMIN_PASSWORD="unused",
        GLS_ENV_FILE=str(tmp_path / "none.env"),
        GLS_DATABASE_URL=trained_registry.database_url,
        GLS_MLFLOW_TRACKING_URI=registry_copy,
        GLS_LOG_FORMAT="console",
    )
    return env


TRAIN = [sys.executable, "-m", "green_light_platform.cli", "train", "--promote", "force"]


def _train_until(env: dict[str, str], *fragments: str) -> str:
    """Start `gls train`, SIGKILL it on the first log line holding every fragment; that line."""
    process = subprocess.Popen(TRAIN, env=env, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        for line in process.stderr:
            if all(fragment in line for fragment in fragments):
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=30)
                assert process.returncode == -signal.SIGKILL
                return line
        pytest.fail(f"gls train ended ({process.wait()}) before logging {fragments}")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()


def _versions(uri: str) -> dict[str, list[str]]:
    client = MlflowClient(uri, registry_uri=uri)
    return {
        str(v.version): sorted(client.get_model_version(MODEL_NAME, v.version).aliases)
        for v in client.search_model_versions(f"name = '{MODEL_NAME}'")
    }


def _champion_is_still_version_1(uri: str) -> None:
    assert MlflowClient(uri, registry_uri=uri).get_model_version_by_alias(
        MODEL_NAME, CHAMPION
    ).version in {"1", 1}
    served = load_served_model(uri)
    assert served.version == "1"
    assert 0 < served.threshold < 1


def _rerun_registers_a_complete_champion(env: dict[str, str], uri: str) -> None:
    result = subprocess.run(TRAIN, env=env, capture_output=True, text=True, timeout=KILL_TIMEOUT)
    assert result.returncode == 0, result.stderr[-3000:]
    client = MlflowClient(uri, registry_uri=uri)
    version = str(client.get_model_version_by_alias(MODEL_NAME, CHAMPION).version)
    assert f"version {version} is champion" in result.stdout
    registered = client.get_model_version(MODEL_NAME, version)
    assert {"threshold", "data_years", "decision"} <= set(registered.tags)
    assert registered.description.startswith("#")  # the model card
    assert client.get_run(registered.run_id).info.status == RunStatus.to_string(RunStatus.FINISHED)
    assert load_served_model(uri).version == version


@pytest.mark.slow
@pytest.mark.reliability(
    kind="fault",
    case="training: `gls train --promote force` SIGKILLed while it fits a model",
    expect="no version is registered, the champion alias still points to the previous version"
    " (which loads); a rerun registers a complete champion",
)
def test_training_killed_while_fitting(env, registry_copy):
    _train_until(env, "fitting", "main")
    assert _versions(registry_copy) == {"1": [CHAMPION]}
    _champion_is_still_version_1(registry_copy)
    _rerun_registers_a_complete_champion(env, registry_copy)


@pytest.mark.slow
@pytest.mark.reliability(
    kind="fault",
    case="training: `gls train --promote force` SIGKILLed while it registers: the new version"
    " created and tagged, its model card and run not finished",
    expect="the half-registered version has no alias: the champion is still the previous"
    " version (which loads); a rerun registers a complete champion",
)
def test_training_killed_while_registering(env, registry_copy, tmp_path):
    store = registry_copy.removeprefix("sqlite:///")
    _train_until_stored(env, store, TAGGED, tmp_path / "train.log")
    assert _versions(registry_copy) == {"1": [CHAMPION], "2": []}
    client = MlflowClient(registry_copy, registry_uri=registry_copy)
    killed_run = client.get_run(client.get_model_version(MODEL_NAME, "2").run_id)
    assert killed_run.info.status == RunStatus.to_string(RunStatus.RUNNING)
    _champion_is_still_version_1(registry_copy)
    _rerun_registers_a_complete_champion(env, registry_copy)


TAGGED = (
    "SELECT 1 FROM model_version_tags WHERE name = 'accident_gravity' AND version = 2"
    " AND key = 'decision'"
)
"""The new version has its last tag: what remains is the model card, the run's end, the alias."""


def _train_until_stored(env: dict[str, str], store: str, probe: str, log: Path) -> None:
    """Start `gls train`, SIGKILL it as soon as `probe` finds a row in the MLflow store."""
    with log.open("w") as output:
        process = subprocess.Popen(TRAIN, env=env, stderr=output, stdout=output)
    try:
        deadline = time.monotonic() + KILL_TIMEOUT
        with contextlib.closing(sqlite3.connect(f"file:{store}?mode=ro", uri=True)) as db:
            while db.execute(probe).fetchone() is None:
                assert process.poll() is None, f"gls train ended first:\n{log.read_text()}"
                assert time.monotonic() < deadline
                time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        assert process.returncode == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
