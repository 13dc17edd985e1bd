"""The UI's client of model_api over HTTP: log in, predict with the main factors. Faults
become one of two errors with a message a person can act on, within seconds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

TIMEOUT = httpx.Timeout(10.0, connect=3.0)


class ModelApiDown(Exception):
    """model_api does not answer (not started, wrong address, network)."""


class ModelApiError(Exception):
    """model_api answered with an error (bad login, no champion model, invalid record)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class ModelApi:
    url: str

    def _call(
        self, method: str, path: str, token: str | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            response = httpx.request(
                method, f"{self.url}{path}", headers=headers, timeout=TIMEOUT, **kwargs
            )
        except httpx.HTTPError as error:
            raise ModelApiDown(
                f"model_api does not answer at {self.url} ({type(error).__name__}); start it"
                " with `gls serve api` (or `make up`), or set GLS_MODEL_API_URL"
            ) from error
        if response.status_code >= 400:
            raise ModelApiError(response.status_code, _reason(response))
        return response.json()

    def login(self, username: str, password: str) -> str:
        """A bearer token for this user (model_api's OAuth2 password flow)."""
        answer = self._call("POST", "/token", data={"username": username, "password": password})
        return str(answer["access_token"])

    def whoami(self, token: str) -> dict[str, Any]:
        return self._call("GET", "/users/me", token)

    def explain(self, token: str, record: dict[str, Any], top: int = 6) -> dict[str, Any]:
        """The prediction (probability, class, model) and its main factors, in one call: one
        prediction for the user's rate and in the prediction log."""
        return self._call("POST", "/explain", token, json=record, params={"top": top})

    def model(self, token: str) -> dict[str, Any]:
        return self._call("GET", "/model", token)


def _reason(response: httpx.Response) -> str:
    """model_api's own explanation of an error, as one line."""
    try:
        detail = response.json().get("detail", response.text)
    except ValueError:
        detail = response.text
    if isinstance(detail, list):  # validation errors: one per field
        detail = "; ".join(
            f"{'.'.join(str(p) for p in item.get('loc', [])[1:])}: {item.get('msg')}"
            for item in detail
        )
    return f"model_api answered {response.status_code}: {detail}"
