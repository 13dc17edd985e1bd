"""docker-compose.yml without a Docker engine: valid against the Compose specification's JSON
schema (vendored by a pinned PyPI package), and consistent with .env, the README and itself."""

from __future__ import annotations

import re

import jsonschema
import pytest
import yaml

from green_light_platform.pgadmin import servers_json

from .deployment_support import (
    COMPOSE_FILE,
    ROOT,
    VARIABLE,
    compose,
    env_values,
    interpolate,
    vendored_schema,
)

README = (ROOT / "README.md").read_text()
PORTS = {"5433", "8888", "8080", "5000", "8001", "8501"}
OUR_IMAGES = {"airflow", "mlflow", "model_api", "ui"}


def one_shot(services: dict) -> set[str]:
    """Services others wait for to complete (migrations, folder setup)."""
    return {
        name
        for service in services.values()
        for name, needs in service.get("depends_on", {}).items()
        if needs["condition"] == "service_completed_successfully"
    }


def test_the_compose_file_follows_the_compose_specification():
    schema = vendored_schema("compose-spec.json")
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(compose())]
    assert errors == []


def test_the_schema_check_catches_a_broken_file():
    schema = vendored_schema("compose-spec.json")
    broken = compose()
    broken["services"]["model_api"]["healthcheck"]["intervall"] = "10s"
    broken["services"]["ui"]["ports"] = "8501:8501"
    validator = jsonschema.validators.validator_for(schema)(schema)
    assert len(list(validator.iter_errors(broken))) >= 2


def test_every_variable_compose_reads_is_defined_in_dot_env():
    text = COMPOSE_FILE.read_text()
    used = {m.group(1) or m.group(3) for m in VARIABLE.finditer(text)}
    assert used, "no ${VAR} found: the pattern is wrong"
    assert sorted(used - set(env_values())) == []


def test_every_service_has_an_image_and_a_health_check_unless_it_runs_once():
    services = compose()["services"]
    once = one_shot(services)
    assert {"volumes-init", "db-migrate", "airflow-init"} <= once
    for name, service in services.items():
        assert "image" in service, f"{name} has no image"
        if name not in once:
            assert "test" in service.get("healthcheck", {}), f"{name} serves without a health check"
        for needed, condition in service.get("depends_on", {}).items():
            assert needed in services, f"{name} depends on unknown {needed}"
            if condition["condition"] == "service_healthy":
                assert "healthcheck" in services[needed], f"{name} waits for {needed}'s health"


def test_our_images_come_from_the_registry_at_gls_tag():
    built = {
        name: service["image"]
        for name, service in compose()["services"].items()
        if "build" in service
    }
    names = set()
    for service, image in built.items():
        found = re.fullmatch(r"\$\{GLS_REGISTRY\}/(\w+):\$\{GLS_TAG:-latest\}", image)
        assert found, f"{service}: {image}"
        names.add(found.group(1))
    assert names == OUR_IMAGES


def test_the_published_ports_are_the_readme_ones():
    published = set()
    for service in compose()["services"].values():
        for port in service.get("ports", []):
            published.add(interpolate(port).split(":")[0])
    assert published == PORTS
    for port in PORTS:
        assert f"localhost:{port}" in README, f"port {port} is not in the README"


def test_every_host_folder_is_under_volumes_and_in_the_readme():
    for name, service in compose()["services"].items():
        for volume in service.get("volumes", []):
            host = interpolate(volume.split(":")[0])
            assert host.startswith(("./Volumes", "./python-packages/", "./Airflow")), (
                f"{name}: {host}"
            )
            assert (ROOT / host).exists() or host.startswith("./Volumes"), f"{name}: {host} missing"
            if host.startswith("./Volumes/"):
                assert host.removeprefix("./") in README, f"{host} of {name} is not in the README"


def test_the_airflow_services_share_one_configuration():
    document = compose()
    common = document["x-airflow-common"]
    airflow = {n: s for n, s in document["services"].items() if n.startswith("airflow-")}
    assert set(airflow) >= {
        "airflow-init",
        "airflow-apiserver",
        "airflow-scheduler",
        "airflow-dag-processor",
        "airflow-triggerer",
        "airflow-worker",
    }
    text = COMPOSE_FILE.read_text()
    for name, service in airflow.items():
        assert f"  {name}:\n    <<: *airflow-common\n" in text, f"{name} does not use the anchor"
        assert service["image"] == common["image"]
        assert service["volumes"] == common["volumes"]
        assert common["environment"].items() <= service["environment"].items(), name
    environment = common["environment"]
    assert environment["AIRFLOW__API_AUTH__JWT_SECRET"] == "${GLS_AIRFLOW_JWT_SECRET}"
    assert environment["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"].startswith(
        "http://airflow-apiserver:8080/"
    )


def test_the_celery_profile_adds_redis_and_workers_only():
    services = compose()["services"]
    profiled = {name for name, s in services.items() if "celery" in s.get("profiles", [])}
    assert profiled == {"redis", "airflow-worker"}
    assert "redis" in services["airflow-worker"]["depends_on"]


def test_no_secret_is_written_in_the_compose_file():
    for secret in ("green-light-dev", env_values()["GLS_AIRFLOW_FERNET_KEY"]):
        assert secret not in COMPOSE_FILE.read_text()


def test_pgadmin_registers_the_server_green_light_platform_defines():
    registered = yaml.safe_load(
        (ROOT / "python-packages/green_light_platform/docker/pgadmin-servers.json").read_text()
    )
    env = env_values()
    expected = servers_json(
        "postgres", 5432, env["ROAD_ACCIDENTS_POSTGRES_DB"], env["ADMIN_USERNAME"]
    )
    assert registered == expected


@pytest.mark.parametrize("service", ["model_api", "ui", "mlflow"])
def test_our_services_never_embed_a_database(service):
    environment = compose()["services"][service].get("environment", {})
    assert all("embedded" not in str(value) for value in environment.values())
