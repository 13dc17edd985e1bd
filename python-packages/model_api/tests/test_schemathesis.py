"""The OpenAPI schema is the contract: schemathesis finds no 5xx and no response outside it.

Schemathesis generates valid and invalid requests for every operation of the app's schema
and sends them over HTTP, with an admin token and without any, to a server running for this
module. (The
schema is taken from the app object at import, as schemathesis parametrizes at collection;
the test checks that the server publishes the same one.)
"""

from __future__ import annotations

import shutil
import uuid
from typing import TYPE_CHECKING

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from green_light_platform.db.admin import create_database, drop_database
from model_api.app import create_app

from .api_support import RunningApi, api_settings, serve

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture(scope="module")
def module_api(
    postgres_server_url: str,
    migrated_template: str,
    registry_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[RunningApi]:
    """One server for every generated case: a fresh database and registry of its own."""
    name = f"gls_schemathesis_{uuid.uuid4().hex[:10]}"
    database_url = create_database(postgres_server_url, name, template=migrated_template)
    registry = tmp_path_factory.mktemp("schemathesis") / "mlflow.db"
    shutil.copy(registry_template, registry)
    try:
        with serve(api_settings(database_url, f"sqlite:///{registry}")) as api:
            yield api
    finally:
        drop_database(postgres_server_url, name)


@pytest.fixture(scope="module")
def admin_token(module_api: RunningApi) -> str:
    return module_api.admin_headers()["Authorization"]


OPENAPI = create_app(api_settings("postgresql://schema-only", "sqlite://")).openapi()
# The coverage phase (every boundary and enum value of 34 fields) adds ~100 s on the 2-core
# machine; it passed when last run in full, so the suite keeps the examples and fuzzing phases.
schema = schemathesis.openapi.from_dict(
    OPENAPI, config=schemathesis.Config.from_dict({"phases": {"coverage": {"enabled": False}}})
)


def test_the_server_publishes_the_schema_under_test(module_api):
    assert module_api.client.get("/openapi.json").json() == OPENAPI


@pytest.mark.slow
@pytest.mark.reliability(
    kind="bad input",
    case="schemathesis: generated valid and invalid requests to every operation of the"
    " OpenAPI schema, with an admin token and with none",
    expect="no 5xx, and every answer (status, headers, body) within the published schema",
)
@pytest.mark.parametrize("caller", ["admin", "anonymous"])
@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
def test_api_conforms_to_its_schema(case, module_api, admin_token, caller):
    headers = {"Authorization": admin_token} if caller == "admin" else {}
    case.call_and_validate(base_url=module_api.url, headers=headers, checks=CHECKS)
