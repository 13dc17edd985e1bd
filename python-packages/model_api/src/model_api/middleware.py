"""The ASGI middleware that guards every request: a body size limit and security headers.

Both are pure ASGI (no BaseHTTPMiddleware), a few microseconds per request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import HTTPException, status
from starlette.responses import JSONResponse

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send


def _too_large(limit: int) -> str:
    return f"request body larger than {limit} bytes (GLS_API_MAX_BODY_BYTES)"


class BodySizeLimit:
    """Refuses a body over `max_bytes` with 413: at once when its Content-Length says so,
    otherwise as soon as the bytes received pass the limit, so no big body is ever held."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            if not declared.isdigit():
                await JSONResponse({"detail": "invalid Content-Length"}, 400)(scope, receive, send)
                return
            if int(declared) > self.max_bytes:
                answer = JSONResponse({"detail": _too_large(self.max_bytes)}, 413)
                await answer(scope, receive, send)
                return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # FastAPI lets an HTTPException raised while reading the body through.
                    raise HTTPException(
                        status.HTTP_413_CONTENT_TOO_LARGE, _too_large(self.max_bytes)
                    )
            return message

        await self.app(scope, limited, send)


class SecurityHeaders:
    """Adds to every response what browsers need to be safe with it: no MIME sniffing, no
    framing, no referrer, no caching (answers carry tokens and predictions), and HSTS in
    production (served behind TLS there)."""

    def __init__(self, app: ASGIApp, *, production: bool) -> None:
        self.app = app
        self.headers = [
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"content-security-policy", b"frame-ancestors 'none'"),
            (b"referrer-policy", b"no-referrer"),
            (b"cache-control", b"no-store"),
        ]
        if production:
            self.headers.append(
                (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
            )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [
                    *message.get("headers", []),
                    *(header for header in self.headers if header[0] not in present),
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)
