"""Helpers shared by the model_api tests (fixtures live in conftest.py)."""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx
import numpy as np
import psycopg
import uvicorn

from gravity_model.features import FEATURES
from green_light_platform.settings import to_libpq_url
from model_api.app import create_app
from model_api.settings import ApiSettings

if TYPE_CHECKING:
    from collections.abc import Iterator

ADMIN = ("admin", "admin-password-for-tests")
JWT_SECRET = "a-test-secret-that-is-long-enough-for-hs256"


def random_records(n: int, seed: int) -> list[dict[str, object]]:
    """Valid records drawn uniformly from each feature's domain."""
    rng = np.random.default_rng(seed)
    records = []
    for _ in range(n):
        record: dict[str, object] = {}
        for feature in FEATURES:
            if feature.kind == "categorical":
                codes = list(feature.domain)
                record[feature.name] = codes[int(rng.integers(len(codes)))]
            elif feature.kind == "numeric":
                low, high = feature.domain
                record[feature.name] = float(rng.uniform(low, high))
            else:
                record[feature.name] = bool(rng.integers(2))
        records.append(record)
    return records


def logged_rows(database_url: str, expected: int, timeout: float = 10) -> list[tuple]:
    """The prediction log once it holds `expected` rows (it is written in the background)."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(to_libpq_url(database_url), autocommit=True) as conn:
        while True:
            rows = conn.execute(
                "SELECT model_name, model_version, endpoint, username, input, probability,"
                " predicted_class FROM prediction_log ORDER BY id"
            ).fetchall()
            if len(rows) >= expected or time.monotonic() > deadline:
                return rows
            time.sleep(0.05)


@dataclass
class RunningApi:
    url: str
    client: httpx.Client
    settings: ApiSettings

    def token(self, username: str, password: str) -> str:
        response = self.client.post(
            "/user/login", json={"username": username, "password": password}
        )
        assert response.status_code == 200, response.text
        return response.json()["access_token"]

    def admin_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(*ADMIN)}"}

    def user_headers(self, username: str = "alice") -> dict[str, str]:
        """Sign a new `user` up and return its bearer header."""
        response = self.client.post(
            "/user/signup", json={"username": username, "password": f"{username}-password"}
        )
        assert response.status_code == 201, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}


def api_settings(database_url: str, tracking_uri: str, **overrides: object) -> ApiSettings:
    """The test settings plus `overrides`, each given by its field name in its section."""
    values: dict[str, object] = {
        "admin_username": ADMIN[0],
        "admin_password": ADMIN[1],
        "url_override": database_url,
        "environment": "test",
        "jwt_secret": JWT_SECRET,
        "tracking_uri_override": tracking_uri,
        "model_poll_seconds": 0,
        "prediction_log_flush_seconds": 0.1,
        "user_cache_seconds": 0,
        "service_password": None,
        "volumes_dir": tempfile.mkdtemp(prefix="gls-api-test-"),
        "predict_rate_per_second": 0,
    } | overrides
    sections = {
        name: field.annotation
        for name, field in ApiSettings.model_fields.items()
        if name in {"runtime", "database", "mlflow", "service_account", "auth", "serving", "limits"}
    }
    unknown = set(values) - {f for kind in sections.values() for f in kind.model_fields}
    assert not unknown, f"no section has the settings {unknown}"
    return ApiSettings(
        **{
            name: kind(**{k: v for k, v in values.items() if k in kind.model_fields})
            for name, kind in sections.items()
        }
    )


@contextmanager
def serve(settings: ApiSettings, *, wait_for_model: bool = True) -> Iterator[RunningApi]:
    """The app under uvicorn in a thread, on a socket already bound (no port race); unless
    `wait_for_model` is False, once its background model load has ended (loaded or not)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    app = create_app(settings)
    config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive(), "the API failed to start (see the log)"
        assert time.monotonic() < deadline, "the API did not start within 60 s"
        time.sleep(0.02)
    if wait_for_model:
        assert app.state.loader.done.wait(60), "the model load did not end within 60 s"
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    try:
        with httpx.Client(base_url=url, timeout=30) as client:
            yield RunningApi(url, client, settings)
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()
