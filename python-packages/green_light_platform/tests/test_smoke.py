"""The smoke check of one declared service, against a real HTTP server on a free port."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from green_light_platform.smoke import SmokeError, check_service, expect
from green_light_platform.steps import Service

STATUS = {"/health": 200, "/": 200, "/broken": 503}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        code = STATUS.get(self.path, 404)
        body = f"status {code} for {self.path}".encode()
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def base_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def service(base: str, **fields) -> Service:
    return Service("demo", ["true"], url=f"{base}/", health_url=f"{base}/health", **fields)


def test_a_service_that_answers_passes_and_its_own_check_runs(base_url):
    with httpx.Client() as client:
        assert check_service(client, service(base_url)) == "answers"
        checked = service(base_url, smoke=lambda c: f"own check saw {c.get(base_url).text}")
        assert check_service(client, checked) == "own check saw status 200 for /"


def test_a_wrong_status_names_the_request_and_the_answer(base_url):
    with httpx.Client() as client:
        broken = Service("demo", ["true"], url=f"{base_url}/", health_url=f"{base_url}/broken")
        with pytest.raises(SmokeError, match=r"GET .*/broken answered 503: 'status 503"):
            check_service(client, broken)
        assert expect(client.get(f"{base_url}/missing"), 404).status_code == 404


def test_an_own_check_failure_fails_the_service(base_url):
    def refuse(client: httpx.Client) -> str:
        raise SmokeError("login refused")

    with httpx.Client() as client, pytest.raises(SmokeError, match="login refused"):
        check_service(client, service(base_url, smoke=refuse))


def test_a_service_that_is_down_does_not_hang():
    with httpx.Client(timeout=2) as client, pytest.raises(httpx.ConnectError):
        check_service(client, service("http://127.0.0.1:9"))
