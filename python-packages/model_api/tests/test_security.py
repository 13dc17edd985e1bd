"""What an attacker tries on the API: roles, password storage, rate limits, sign-up in
production, cross-origin calls, missing security headers, SQL built from strings.

The guarded routes and the routes checked for headers are read from the app itself, so a new
route is covered the day it is added.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import psycopg
import pytest
from fastapi.routing import APIRoute

import model_api
from green_light_platform.settings import to_libpq_url
from model_api import deps
from model_api.app import create_app
from model_api.schemas import example_record

from .api_support import ADMIN, api_settings

SERVICE = ("pipelines", "service-password-for-tests")
APP = create_app(api_settings("postgresql://schema-only", "sqlite://"))


def _calls(dependant) -> set:
    found = {dependant.call}
    for sub in dependant.dependencies:
        found |= _calls(sub)
    return found


def routes_needing(guard) -> list[tuple[str, str]]:
    """(method, path) of every route whose dependencies include `guard`."""
    return sorted(
        (method, route.path)
        for route in APP.routes
        if isinstance(route, APIRoute) and guard in _calls(route.dependant)
        for method in route.methods
    )


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "someone", path)


ADMIN_ROUTES = routes_needing(deps._admin)
RELOADER_ROUTES = routes_needing(deps._reloader)
TOKEN_ROUTES = routes_needing(deps._current_user)


def test_the_guarded_routes_are_found_in_the_app():
    assert ("GET", "/users") in ADMIN_ROUTES
    assert ("PATCH", "/users/{username}") in ADMIN_ROUTES
    assert ("POST", "/refresh") in RELOADER_ROUTES
    assert set(ADMIN_ROUTES) | set(RELOADER_ROUTES) <= set(TOKEN_ROUTES)


@pytest.mark.reliability(
    kind="attack",
    case="a `user` and the `service` account call every admin-only route (read from the app)",
    expect="403 for both, and the service account gets past the guard of the reload routes",
)
def test_admin_routes_refuse_users_and_the_service_account(start_api):
    api = start_api(service_password=SERVICE[1])
    as_user = api.user_headers("mallory")
    as_service = {"Authorization": f"Bearer {api.token(*SERVICE)}"}
    for method, path in ADMIN_ROUTES:
        for headers in (as_user, as_service):
            response = api.client.request(method, concrete(path), json={}, headers=headers)
            assert response.status_code == 403, (method, path, response.text)
    for method, path in RELOADER_ROUTES:
        refused = api.client.request(method, concrete(path), headers=as_user)
        assert refused.status_code == 403, (method, path)
        allowed = api.client.request(method, concrete(path), headers=as_service)
        assert allowed.status_code == 200, (method, path, allowed.text)


@pytest.mark.reliability(
    kind="attack",
    case="every route that needs a token (read from the app) called without one",
    expect="401 with WWW-Authenticate: Bearer",
)
def test_every_token_route_refuses_a_caller_without_token(api):
    for method, path in TOKEN_ROUTES:
        response = api.client.request(method, concrete(path), json=example_record())
        assert response.status_code == 401, (method, path)
        assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.reliability(
    kind="attack",
    case="password hashes read from api_users, as an attacker holding a dump would",
    expect="Argon2id with at least OWASP's minimum cost (19 MiB, 2 passes), salted: the same"
    " password gives two different hashes",
)
def test_passwords_are_stored_as_salted_argon2id(api, database_url):
    for name in ("hash-one", "hash-two"):
        response = api.client.post(
            "/user/signup", json={"username": name, "password": "the-same-password"}
        )
        assert response.status_code == 201
    with psycopg.connect(to_libpq_url(database_url)) as conn:
        hashes = dict(conn.execute("SELECT username, password_hash FROM api_users").fetchall())
    for username, stored in hashes.items():
        match = re.fullmatch(r"\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$\S+\$\S+", stored)
        assert match, username
        memory, passes, _ = map(int, match.groups())
        assert memory >= 19 * 1024
        assert passes >= 2
        assert "password" not in stored
    assert hashes["hash-one"] != hashes["hash-two"]


@pytest.mark.reliability(
    kind="attack",
    case="one user floods /predict past GLS_API_PREDICT_RATE_PER_SECOND=1 (burst 3)",
    expect="the 4th request in a row answers 429 with Retry-After; another user is not"
    " slowed down; the flooder is served again once the bucket refills",
)
def test_predictions_are_rate_limited_per_user(start_api):
    import time

    api = start_api(predict_rate_per_second=1, predict_burst=3)
    flooder, other = api.user_headers("flooder"), api.user_headers("bystander")
    for _ in range(3):
        assert api.client.post("/predict", json=example_record(), headers=flooder).is_success
    refused = api.client.post("/predict", json=example_record(), headers=flooder)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "1"
    batch = api.client.post("/predict/batch", json={"records": [example_record()]}, headers=flooder)
    assert batch.status_code == 429
    assert api.client.post("/predict", json=example_record(), headers=other).status_code == 200
    time.sleep(1.1)
    assert api.client.post("/predict", json=example_record(), headers=flooder).status_code == 200
    text = api.client.get("/metrics").text
    assert "gls_predictions_rate_limited_total 2.0" in text


@pytest.mark.reliability(
    kind="attack",
    case="POST /user/signup on an API started with GLS_ENVIRONMENT=production and no"
    " GLS_SIGNUP_ENABLED",
    expect="403: accounts come from an admin; the admin still creates them with POST /users",
)
def test_signup_is_off_by_default_in_production(start_api):
    api = start_api(environment="production")
    response = api.client.post("/user/signup", json={"username": "eve", "password": "a-password"})
    assert response.status_code == 403
    created = api.client.post(
        "/users",
        json={"username": "eve", "password": "a-password", "role": "user"},
        headers=api.admin_headers(),
    )
    assert created.status_code == 201


def test_signup_defaults_follow_the_environment():
    def allowed(**values: object) -> bool:
        return api_settings("postgresql://x", "sqlite://", **values).signup_allowed

    assert allowed(environment="development") is True
    assert allowed(environment="test") is True
    assert allowed(environment="production") is False
    assert allowed(environment="production", signup_enabled=True) is True
    assert allowed(environment="development", signup_enabled=False) is False


@pytest.mark.reliability(
    kind="attack",
    case="browser calls from an origin not in GLS_API_CORS_ORIGINS (and with none configured)",
    expect="no Access-Control-Allow-Origin for it (preflight refused with 400); the configured"
    " origin gets it",
)
def test_cors_allows_only_the_configured_origins(start_api):
    default = start_api()
    response = default.client.get("/health", headers={"Origin": "https://ui.example"})
    assert "access-control-allow-origin" not in response.headers

    api = start_api(cors_origins="https://ui.example")
    allowed = api.client.get("/health", headers={"Origin": "https://ui.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://ui.example"
    foreign = api.client.get("/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in foreign.headers
    preflight = api.client.options(
        "/predict",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers


SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "content-security-policy": "frame-ancestors 'none'",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}


@pytest.mark.parametrize("environment", ["test", "production"])
@pytest.mark.reliability(
    kind="attack",
    case="every route of the app (read from it) and an unknown path, called without a token",
    expect="each answer, whatever its status, carries nosniff, X-Frame-Options DENY, CSP"
    " frame-ancestors 'none', Referrer-Policy no-referrer, Cache-Control no-store; and HSTS in"
    " production only",
)
def test_every_response_carries_the_security_headers(start_api, environment):
    api = start_api(environment=environment)
    calls = [
        (method, concrete(route.path))
        for route in APP.routes
        for method in getattr(route, "methods", None) or ["GET"]
        if method != "HEAD"
    ] + [("GET", "/no/such/route")]
    assert len(calls) > 15
    for method, path in calls:
        response = api.client.request(method, path)
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.get(name) == value, (method, path, name)
        hsts = response.headers.get("strict-transport-security")
        assert (hsts is not None) == (environment == "production"), (method, path)


def _built_from_strings(node: ast.expr) -> bool:
    """An f-string, `+`/`%` on strings, or `.format(...)`: SQL text made from values."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(part, ast.FormattedValue) for part in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return True
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
    )


@pytest.mark.reliability(
    kind="attack",
    case="every SQL statement model_api sends (calls of execute, text, exec_driver_sql in its"
    " source)",
    expect="none is built from strings: values only reach the database as parameters",
)
def test_sql_is_only_parameterised():
    source = Path(model_api.__file__).parent
    statements = 0
    for path in sorted(source.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute | ast.Name)
                and getattr(node.func, "attr", getattr(node.func, "id", None))
                in {"execute", "text", "exec_driver_sql"}
                and node.args
            ):
                statements += 1
                assert not _built_from_strings(node.args[0]), f"{path.name}:{node.lineno}"
    assert statements >= 4


@pytest.mark.reliability(
    kind="attack",
    case="an admin password guessed at POST /token from one address (5 failures)",
    expect="429 with Retry-After even with the right password, until the window passes",
)
def test_guessing_the_admin_password_is_throttled(start_api):
    api = start_api(login_max_failures=5, login_window_seconds=60)
    for attempt in range(5):
        response = api.client.post(
            "/token", data={"username": ADMIN[0], "password": f"guess{attempt}"}
        )
        assert response.status_code == 401
    throttled = api.client.post("/token", data={"username": ADMIN[0], "password": ADMIN[1]})
    assert throttled.status_code == 429
    assert 1 <= int(throttled.headers["Retry-After"]) <= 60
