from __future__ import annotations

import mlflow
import numpy as np
import pytest
from data import insert_synthetic, load_sample
from mlflow.tracking import MlflowClient

from gravity_model.dataset import load_dataset
from gravity_model.evaluation import CALIBRATION_ARTIFACT, PRIMARY_METRIC
from gravity_model.features import FEATURE_NAMES, records_to_frame
from gravity_model.registry import (
    MODEL_NAME,
    NoChampionError,
    load_served_model,
    load_version,
)
from gravity_model.training import train

# Labels of 2016-2017 are noise; 2018 on, KSI follows the accident's features.
NOISY_THEN_INFORMATIVE = {2016: 0.0, 2017: 0.0, 2018: 1.0, 2019: 1.0, 2020: 1.0, 2021: 1.0}
NOISY_RUN = [2016, 2017, 2018]  # learns from noise, tested on 2018
GOOD_RUN = [2019, 2020, 2021]  # learns from signal, tested on 2021


def _alias_of(client: MlflowClient, alias: str) -> str:
    return str(client.get_model_version_by_alias(MODEL_NAME, alias).version)


@pytest.mark.slow
def test_the_champion_gate(database_url, tracking_uri):
    insert_synthetic(
        database_url,
        list(NOISY_THEN_INFORMATIVE),
        per_year=500,
        seed=7,
        signal=NOISY_THEN_INFORMATIVE,
    )
    client = MlflowClient(tracking_uri, registry_uri=tracking_uri)

    def run(years: list[int], promote: str = "auto"):
        return train(
            database_url, tracking_uri, years=years, promote=promote, seed=1, reference_split=False
        )

    first = run(NOISY_RUN)
    assert (first.alias, first.reason) == ("champion", "there was no champion")

    better = run(GOOD_RUN)
    assert better.alias == "champion", better.reason
    scores = better.primary
    assert scores["main"][PRIMARY_METRIC] > scores["champion"][PRIMARY_METRIC]
    assert _alias_of(client, "champion") == better.version

    worse = run(NOISY_RUN)
    assert worse.alias == "challenger", worse.reason
    assert worse.primary["champion"][PRIMARY_METRIC] > worse.primary["main"][PRIMARY_METRIC]
    assert _alias_of(client, "champion") == better.version
    assert _alias_of(client, "challenger") == worse.version

    forced = run(NOISY_RUN, promote="force")
    assert forced.alias == "champion" and "forced" in forced.reason
    assert _alias_of(client, "champion") == forced.version

    never = run(GOOD_RUN, promote="never")
    assert never.alias == "challenger"
    assert _alias_of(client, "champion") == forced.version
    tags = client.get_model_version(MODEL_NAME, never.version).tags
    assert float(tags["threshold"]) == pytest.approx(never.threshold)


@pytest.mark.slow
def test_the_same_seed_gives_the_same_model_and_metrics(database_url, tracking_uri):
    insert_synthetic(database_url, [2019, 2020, 2021], per_year=400, seed=3)
    first = train(database_url, tracking_uri, seed=11, reference_split=False)
    second = train(database_url, tracking_uri, seed=11, reference_split=False)
    assert second.previous_champion == first.version
    own = {model: second.primary[model] for model in ("baseline", "main")}
    assert own == first.primary and first.threshold == second.threshold
    holdout = load_dataset(database_url, [2021]).features
    one, two = (load_version(tracking_uri, r.version) for r in (first, second))
    assert np.array_equal(one.predict_proba(holdout), two.predict_proba(holdout))


def test_no_champion_is_an_error_of_its_own(tracking_uri):
    with pytest.raises(NoChampionError):
        load_served_model(tracking_uri)


@pytest.mark.slow
def test_end_to_end_on_the_2021_sample(database_url, tracking_uri, real_2021_sample):
    load_sample(database_url, real_2021_sample)
    report = train(database_url, tracking_uri)
    assert report.data_years == [2021] and report.primary_split == "random"
    assert "no temporal holdout" in report.model_card

    served = load_served_model(tracking_uri)
    assert (served.version, served.alias, served.data_years) == (report.version, "champion", [2021])
    assert served.threshold == pytest.approx(report.threshold)
    assert served.metrics["roc_auc"] == pytest.approx(report.primary["main"]["roc_auc"])
    assert served.trained_at.tzinfo is not None

    record = {
        "lum": 3,
        "agg": 1,
        "catr": 3,
        "vma": 90,
        "hour": 23,
        "dep": "30",
        "vehicle_count": 1,
        "person_count": 1,
        "powered_two_wheeler": True,
        "fixed_obstacle": True,
        "oldest_age": 24,
    }
    probability = served.predict_proba(records_to_frame([record]))
    assert probability.shape == (1,) and 0 <= probability[0] <= 1
    contributions = served.explain(record, top=5)
    assert len(contributions) == 5
    assert all(c.feature in FEATURE_NAMES for c in contributions)
    effects = [abs(c.effect) for c in contributions]
    assert effects == sorted(effects, reverse=True)
    card = (
        MlflowClient(tracking_uri, registry_uri=tracking_uri)
        .get_model_version(MODEL_NAME, report.version)
        .description
    )
    assert card == report.model_card
    calibration = mlflow.artifacts.load_dict(
        f"{MlflowClient(tracking_uri).get_run(report.run_id).info.artifact_uri}/"
        f"{CALIBRATION_ARTIFACT}"
    )
    main_points = calibration["models"]["main"]
    assert 2 <= len(main_points) <= calibration["bins"]
    assert sum(p["accidents"] for p in main_points) == report.primary["main"]["accidents"]
    assert all(0 <= p["observed"] <= 1 and 0 <= p["predicted"] <= 1 for p in main_points)


def test_training_leaves_the_process_wide_mlflow_uris_as_it_found_them(
    database_url, tracking_uri, tmp_path
):
    insert_synthetic(database_url, [2020, 2021], per_year=150, seed=5)
    callers = f"sqlite:///{tmp_path / 'callers-own.db'}"
    mlflow.set_tracking_uri(callers)
    mlflow.set_registry_uri(callers)
    try:
        report = train(database_url, tracking_uri, reference_split=False)
        assert (mlflow.get_tracking_uri(), mlflow.get_registry_uri()) == (callers, callers)
    finally:
        mlflow.set_tracking_uri(None)
        mlflow.set_registry_uri(None)
    client = MlflowClient(tracking_uri, registry_uri=tracking_uri)
    assert client.get_model_version_by_alias("accident_gravity", "champion").run_id == report.run_id
    assert not (tmp_path / "callers-own.db").exists()
