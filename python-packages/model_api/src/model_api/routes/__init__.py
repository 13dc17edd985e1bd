"""The API's routes, one module per concern; `ERRORS` documents their error answers."""

from __future__ import annotations

from typing import Any

from model_api.schemas import Problem

_DESCRIPTIONS = {
    400: "The body is not valid JSON.",
    401: "Missing, expired or forged token, or wrong credentials.",
    403: "Authenticated, but the role or the configuration does not allow this.",
    404: "No such user.",
    409: "Conflicts with the current state (username taken, an admin changing themselves).",
    413: "The request body is larger than GLS_API_MAX_BODY_BYTES.",
    429: "Too many failed logins, or predictions over the user's rate: wait Retry-After.",
    502: "The model registry or the new model failed; the previous model keeps serving.",
    503: "No model served yet (loading, no champion, or it failed to load), or the database"
    " is unreachable or busy: try again after Retry-After.",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for these error codes (body `{"detail": "..."}`)."""
    return {code: {"model": Problem, "description": _DESCRIPTIONS[code]} for code in codes}
