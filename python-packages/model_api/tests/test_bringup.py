"""The installed packages declare the whole platform; `bring_up` runs tasks in order, skips
what needs a service left stopped, and the plugin's fixtures give the same bring-up to tests.
"""

from __future__ import annotations

import psycopg

from green_light_platform.bringup import bring_up, platform_environment
from green_light_platform.settings import to_libpq_url
from green_light_platform.steps import Service, declared_steps, ordered


def test_services_left_stopped_skip_the_steps_that_need_them(database_url, tmp_path):
    variables = {
        "GLS_DATABASE_URL": database_url,
        "GLS_VOLUMES_DIR": str(tmp_path / "Volumes"),
        "ROAD_ACCIDENTS_DATA_DIRECTORIES": str(tmp_path / "empty"),
        "GLS_DEMO_YEARS": "2021",
        "GLS_DEMO_SCALE": "0.002",
        "ADMIN_PASSWORD": "unused",
    }
    with platform_environment(variables):
        outcomes = {o.step.name: o.outcome for o in bring_up(start_services=False)}
    assert outcomes["database"] == "external (GLS_DATABASE_URL)"
    assert outcomes["demo-data"].startswith("wrote demo BAAC files 2021-2021")
    assert outcomes["ingest"].startswith("1 year(s) loaded")
    assert outcomes["MLflow"] == "not started"
    assert outcomes["first-champion"] == "skipped: needs MLflow"
    assert outcomes["model_api"].startswith("skipped: needs")
    assert not (tmp_path / "Volumes" / "run").exists(), "no service may have been started"


def test_the_seeded_database_holds_the_demo_years(seeded_database_url):
    with psycopg.connect(to_libpq_url(seeded_database_url)) as conn:
        years = conn.execute("SELECT DISTINCT year FROM accidents ORDER BY year").fetchall()
        persons = conn.execute("SELECT count(*) FROM persons").fetchone()[0]
    assert years == [(2021,), (2022,)]
    assert persons > 0


def test_the_trained_registry_has_a_champion(trained_registry):
    from mlflow import MlflowClient

    uri = trained_registry.tracking_uri
    client = MlflowClient(uri, registry_uri=uri)
    champion = client.get_model_version_by_alias("accident_gravity", "champion")
    assert str(champion.version) == "1"
    assert (trained_registry.folder / "Volumes" / "mlflow" / "artifacts").is_dir()


def test_the_installed_packages_declare_the_platform(clean_environment, monkeypatch):
    monkeypatch.setenv("ADMIN_PASSWORD", "unused")
    order = [step.name for step in ordered(declared_steps())]
    for earlier, later in [
        ("database", "migrate"),
        ("migrate", "reference"),
        ("demo-data", "ingest"),
        ("reference", "ingest"),
        ("ingest", "first-champion"),
        ("MLflow", "first-champion"),
        ("first-champion", "model_api"),
    ]:
        assert order.index(earlier) < order.index(later), (earlier, later)
    services = {s.name for s in declared_steps() if isinstance(s, Service)}
    assert {"MLflow", "model_api"} <= services
