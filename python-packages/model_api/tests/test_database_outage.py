"""The database going away and coming back, on a real PostgreSQL server stopped with pg_ctl:
quick 503s with Retry-After, recovery without restart, and a prediction log that loses
nothing (buffered, spilled to a file, replayed)."""

from __future__ import annotations

import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import httpx
import psycopg
import pytest

from green_light_platform.db.admin import create_database, drop_database
from green_light_platform.network_faults import silent_listener
from green_light_platform.settings import to_libpq_url
from model_api.schemas import example_record

from .api_support import ADMIN, api_settings, logged_rows, random_records, serve
from .test_observability import metric

if TYPE_CHECKING:
    from collections.abc import Iterable


def answers_within(seconds: float, call):
    """The response of `call()`, asserting it came within `seconds` (a hang fails)."""
    started = time.monotonic()
    response = call()
    assert time.monotonic() - started < seconds, f"took {time.monotonic() - started:.1f} s"
    return response


def until(condition, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)
    return value


@pytest.mark.reliability(
    kind="fault",
    case="PostgreSQL stopped (pg_ctl stop) under a running API, then started again",
    expect="every route needing it, POST /token included, answers 503 with Retry-After within"
    " 5 s; /health stays 200; all routes work again without restart once it is back",
)
def test_routes_answer_503_while_the_database_is_stopped_and_recover_after(
    stoppable_server, stoppable_database, tracking_uri, tmp_path
):
    settings = api_settings(stoppable_database, tracking_uri, volumes_dir=tmp_path)
    with serve(settings) as api:
        admin = api.admin_headers()
        user = api.user_headers("outage-user")
        stoppable_server.stop()
        calls = {
            "POST /token": lambda: api.client.post(
                "/token", data={"username": ADMIN[0], "password": ADMIN[1]}
            ),
            "POST /user/login": lambda: api.client.post(
                "/user/login", json={"username": ADMIN[0], "password": ADMIN[1]}
            ),
            "POST /user/signup": lambda: api.client.post(
                "/user/signup", json={"username": "newcomer", "password": "a-password"}
            ),
            "GET /users": lambda: api.client.get("/users", headers=admin),
            "GET /users/me": lambda: api.client.get("/users/me", headers=user),
            "POST /predict": lambda: api.client.post(
                "/predict", json=example_record(), headers=user
            ),
        }
        for name, call in calls.items():
            response = answers_within(5, call)
            assert response.status_code == 503, (name, response.text)
            assert response.headers["Retry-After"] == "5", name
            assert "database unreachable" in response.json()["detail"], name
        ready = answers_within(5, lambda: api.client.get("/ready"))
        assert ready.status_code == 503
        assert ready.json()["database"] is False
        assert api.client.get("/health").status_code == 200

        stoppable_server.start()
        until(lambda: api.client.get("/ready").status_code == 200)
        for name, call in calls.items():
            response = call()
            assert response.status_code in (200, 201), (name, response.text)
        text = api.client.get("/metrics").text
        assert metric(text, 'gls_database_unavailable_total{reason="unreachable"}') >= len(calls)


@pytest.mark.reliability(
    kind="fault",
    case="the API started while PostgreSQL is stopped, which comes back later",
    expect="the API starts at once: /health 200, /ready 503 saying the accounts are not written"
    " yet, POST /token 503 with Retry-After; once the database is back the admin account is"
    " written by itself and logging in works, without restart",
)
def test_the_api_starts_without_its_database_and_writes_its_accounts_when_it_comes(
    stoppable_server, stoppable_database, tracking_uri, tmp_path
):
    stoppable_server.stop()
    settings = api_settings(stoppable_database, tracking_uri, volumes_dir=tmp_path)
    with serve(settings) as api:
        assert api.client.get("/health").status_code == 200
        ready = api.client.get("/ready")
        assert ready.status_code == 503
        assert ready.json()["database"] is False
        assert any("accounts not written yet" in p for p in ready.json()["problems"])
        token = answers_within(
            5, lambda: api.client.post("/token", data={"username": ADMIN[0], "password": ADMIN[1]})
        )
        assert token.status_code == 503
        assert token.headers["Retry-After"] == "5"

        stoppable_server.start()
        until(lambda: api.client.get("/ready").status_code == 200, timeout=30)
        users = api.client.get("/users", headers=api.admin_headers())
        assert users.status_code == 200
        assert ADMIN[0] in [user["username"] for user in users.json()]


def test_a_database_that_answers_with_an_error_stops_the_start_up(
    stoppable_server, tracking_uri, tmp_path
):
    """Not an outage, so not retried: a database without the migrations is said at once."""
    name = f"gls_unmigrated_{uuid.uuid4().hex[:10]}"
    url = create_database(stoppable_server.url(), name)
    try:
        settings = api_settings(url, tracking_uri, volumes_dir=tmp_path)
        with pytest.raises(AssertionError, match="failed to start"), serve(settings):
            pass
    finally:
        drop_database(stoppable_server.url(), name)


@pytest.mark.reliability(
    kind="fault",
    case="the database address accepts TCP connections but never answers (a black hole)",
    expect="the API's connect timeout bounds the wait: POST /token answers 503 within"
    " GLS_API_DB_CONNECT_TIMEOUT + 2 s instead of hanging",
)
def test_a_database_that_never_answers_is_a_bounded_wait(
    stoppable_server, stoppable_database, tracking_uri, tmp_path
):
    settings = api_settings(
        stoppable_database, tracking_uri, volumes_dir=tmp_path, db_connect_timeout=2
    )
    with serve(settings) as api:
        stoppable_server.stop()
        # The server's port, now held by a socket that never speaks: the startup packet of
        # libpq waits for an answer that never comes.
        with silent_listener(stoppable_server.host, stoppable_server.port):
            response = answers_within(
                4.5,
                lambda: api.client.post(
                    "/token", data={"username": ADMIN[0], "password": ADMIN[1]}
                ),
            )
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "5"


def outage_settings(url: str, tracking_uri: str, volumes, **overrides):
    return api_settings(
        url,
        tracking_uri,
        volumes_dir=volumes,
        prediction_log_flush_seconds=0.1,
        prediction_log_max_pending=10,
        user_cache_seconds=3600,  # the user is known: predictions go on during the outage
        **overrides,
    )


def logged_inputs(url: str) -> list[str]:
    """The logged inputs, each as canonical JSON, sorted: comparable with `canonical`."""
    with psycopg.connect(to_libpq_url(url), autocommit=True) as conn:
        return canonical(row[0] for row in conn.execute("SELECT input FROM prediction_log"))


def canonical(records: Iterable[dict]) -> list[str]:
    return sorted(json.dumps(record, sort_keys=True) for record in records)


def spilled_all(text: str, rows: int) -> str | None:
    """The metrics once `rows` rows are spilled and none waits in memory."""
    done = (
        metric(text, 'gls_prediction_log_rows_total{outcome="spilled"}') == rows
        and metric(text, "gls_prediction_log_pending_rows ") == 0
    )
    return text if done else None


@pytest.mark.reliability(
    kind="fault",
    case="15 predictions made while PostgreSQL is stopped, with a 10-row buffer",
    expect="rows beyond the buffer are spilled at once and the rows of each failed write right"
    " after it: all 15 end in a file under Volumes/ and none waits in memory (a SIGKILL would"
    " lose none); once the database is back all 15 are in prediction_log (counters: spilled"
    " 15, replayed 15, dropped 0) and the spill folder is empty",
)
def test_predictions_made_during_an_outage_reach_the_log_after_it(
    stoppable_server, stoppable_database, tracking_uri, tmp_path
):
    with serve(outage_settings(stoppable_database, tracking_uri, tmp_path)) as api:
        headers = api.user_headers("logger")
        assert api.client.get("/users/me", headers=headers).status_code == 200  # now cached
        stoppable_server.stop()
        records = random_records(15, seed=21)
        for record in records[:4]:
            assert api.client.post("/predict", json=record, headers=headers).status_code == 200
        batch = api.client.post("/predict/batch", json={"records": records[4:]}, headers=headers)
        assert batch.status_code == 200
        text = until(lambda: spilled_all(api.client.get("/metrics").text, 15))
        assert metric(text, "gls_prediction_log_write_failures_total ") >= 1
        spill = tmp_path / "model_api" / "spill"
        spilled_rows = sum(
            len(json.loads(line))
            for path in spill.iterdir()
            for line in path.read_text().splitlines()
        )
        assert spilled_rows == 15

        stoppable_server.start()
        assert len(logged_rows(stoppable_database, 15, timeout=30)) == 15
        until(lambda: not any(spill.iterdir()))
        text = api.client.get("/metrics").text
        assert metric(text, 'gls_prediction_log_rows_total{outcome="replayed"}') == 15
        assert 'gls_prediction_log_rows_total{outcome="dropped"}' not in text
    assert logged_inputs(stoppable_database) == canonical(records)


@pytest.mark.reliability(
    kind="fault",
    case="the API stopped (SIGTERM path) while PostgreSQL is away, with rows still pending",
    expect="the pending rows are spilled at shutdown and written by the next start once the"
    " database is back (replayed counter = rows)",
)
def test_rows_pending_at_shutdown_are_spilled_and_replayed_at_the_next_start(
    stoppable_server, stoppable_database, tracking_uri, tmp_path
):
    settings = outage_settings(stoppable_database, tracking_uri, tmp_path)
    records = random_records(6, seed=22)
    with serve(settings) as api:
        headers = api.user_headers("restarter")
        assert api.client.get("/users/me", headers=headers).status_code == 200  # now cached
        stoppable_server.stop()
        for record in records:
            assert api.client.post("/predict", json=record, headers=headers).status_code == 200
    assert any((tmp_path / "model_api" / "spill").iterdir())
    stoppable_server.start()
    with serve(settings) as api:
        until(lambda: len(logged_inputs(stoppable_database)) == 6)
        text = api.client.get("/metrics").text
        assert metric(text, 'gls_prediction_log_rows_total{outcome="replayed"}') == 6
    assert logged_inputs(stoppable_database) == canonical(records)


@pytest.mark.reliability(
    kind="fault",
    case="database stopped, the buffer (10 rows) full and the spill folder limited to 1 byte",
    expect="the 5 rows that fit nowhere are counted as dropped in /metrics and logged as"
    " an error; the 10 buffered ones are written once the database is back",
)
def test_rows_that_fit_nowhere_are_counted_and_logged(
    stoppable_server, stoppable_database, tracking_uri, tmp_path, caplog
):
    settings = outage_settings(
        stoppable_database, tracking_uri, tmp_path, prediction_log_spill_max_bytes=1
    )
    with serve(settings) as api:
        headers = api.user_headers("dropper")
        assert api.client.get("/users/me", headers=headers).status_code == 200  # now cached
        stoppable_server.stop()
        response = api.client.post(
            "/predict/batch", json={"records": random_records(15, seed=23)}, headers=headers
        )
        assert response.status_code == 200
        text = api.client.get("/metrics").text
        assert metric(text, 'gls_prediction_log_rows_total{outcome="dropped"}') == 5
        assert any("rows dropped" in r.getMessage() for r in caplog.records)
        stoppable_server.start()
        assert len(logged_rows(stoppable_database, 10, timeout=30)) == 10


@pytest.mark.reliability(
    kind="load",
    case="every pooled connection held (pool of 1, api_users locked by another session) while"
    " 8 requests needing the database arrive at once",
    expect="each answers 503 with Retry-After (pool wait bounded by GLS_API_DB_POOL_TIMEOUT,"
    " the blocked query by GLS_API_DB_STATEMENT_TIMEOUT), no hang or crash; once the lock is"
    " released the same requests answer 200",
)
def test_an_exhausted_pool_answers_503_quickly_and_recovers(start_api, database_url):
    api = start_api(
        db_pool_size=1,
        db_max_overflow=0,
        db_pool_timeout=0.5,
        db_statement_timeout=1.5,
        user_cache_seconds=0,
    )
    headers = api.admin_headers()

    def me() -> httpx.Response:
        return answers_within(5, lambda: httpx.get(f"{api.url}/users/me", headers=headers))

    with psycopg.connect(to_libpq_url(database_url)) as locker:
        locker.execute("LOCK TABLE api_users IN ACCESS EXCLUSIVE MODE")
        with ThreadPoolExecutor(8) as pool:
            responses = list(pool.map(lambda _: me(), range(8)))
        locker.rollback()
    assert {r.status_code for r in responses} == {503}
    assert all(r.headers["Retry-After"] == "5" for r in responses)
    details = {r.json()["detail"].split(":")[0] for r in responses}
    assert "database busy" in details
    with ThreadPoolExecutor(8) as pool:
        assert {r.status_code for r in pool.map(lambda _: me(), range(8))} == {200}
    text = api.client.get("/metrics").text
    assert metric(text, 'gls_database_unavailable_total{reason="busy"}') >= 1
