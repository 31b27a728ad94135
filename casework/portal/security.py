"""Safety parts of the portal: CSRF tokens, signed session cookies, rate limits, body limits,
security headers and a log filter that keeps status tokens out of access logs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import secrets
import threading
import time
from collections import deque
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_COOKIE = "cw_csrf"
CSRF_FIELD = "csrf_token"


def _mac(secret: bytes, purpose: str, value: str) -> str:
    digest = hmac.new(secret, f"{purpose}:{value}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


class Csrf:
    """Signed double-submit: the cookie holds a random nonce, the form its HMAC.

    A cross-site page can make the browser send the cookie but cannot read it, and
    without the server secret it cannot compute the matching form field.
    """

    def __init__(self, secret: bytes):
        self.secret = secret

    def new_nonce(self) -> str:
        return secrets.token_urlsafe(24)

    def token_for(self, nonce: str) -> str:
        return _mac(self.secret, "csrf", nonce)

    def valid(self, nonce: str | None, token: str | None) -> bool:
        if not nonce or not token or len(nonce) > 100 or len(token) > 100:
            return False
        return hmac.compare_digest(self.token_for(nonce), token)


class Signer:
    """Short-lived signed values (the session cookie after a lookup by case number and code)."""

    def __init__(self, secret: bytes, purpose: str):
        self.secret = secret
        self.purpose = purpose

    def sign(self, value: str, ttl_seconds: int) -> str:
        expires = int(time.time()) + ttl_seconds
        body = f"{value}.{expires}"
        return f"{body}.{_mac(self.secret, self.purpose, body)}"

    def unsign(self, signed: str | None) -> str | None:
        if not signed or len(signed) > 300:
            return None
        body, _, mac = signed.rpartition(".")
        if not body or not hmac.compare_digest(_mac(self.secret, self.purpose, body), mac):
            return None
        value, _, expires = body.rpartition(".")
        if not expires.isdigit() or int(expires) < time.time():
            return None
        return value


class RateLimiter:
    """A sliding one-minute window per client address and bucket (in memory, per process)."""

    def __init__(self, per_minute: dict[str, int], window_seconds: float = 60.0):
        self.per_minute = per_minute
        self.window = window_seconds
        self._hits: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, bucket: str, client: str) -> bool:
        limit = self.per_minute.get(bucket, 0)
        if limit <= 0:
            return True
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault((bucket, client), deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= limit:
                return False
            hits.append(now)
            if len(self._hits) > 50_000:  # forget idle clients
                for key in [k for k, v in self._hits.items() if not v]:
                    del self._hits[key]
            return True


class BodyTooLarge(Exception):
    pass


class BodyLimitMiddleware:
    """Refuse request bodies over ``max_bytes`` with 413, before or while they stream in."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = self.max_bytes + 1
                if declared > self.max_bytes:
                    await self._refuse(scope, send)
                    return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(scope, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        body = b'{"detail":"request body too large"}'
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                    *[(k.encode(), v.encode()) for k, v in security_headers(scope["path"]).items()],
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
# The interactive API docs load Swagger UI from its CDN; everything else runs without scripts.
_DOCS_CSP = (
    "default-src 'none'; script-src https://cdn.jsdelivr.net 'unsafe-inline'; "
    "style-src https://cdn.jsdelivr.net 'unsafe-inline'; img-src 'self' data: "
    "https://fastapi.tiangolo.com; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def security_headers(path: str) -> dict[str, str]:
    headers = {
        "Content-Security-Policy": _DOCS_CSP if path == "/api/docs" else _CSP,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",  # status links carry a secret token
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
    }
    if not path.startswith("/static/"):
        headers["Cache-Control"] = "no-store"
    return headers


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = [
            (k.lower().encode(), v.encode()) for k, v in security_headers(scope["path"]).items()
        ]

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in extra if k not in present
                ]
            await send(message)

        await self.app(scope, receive, with_headers)


_TOKEN_IN_PATH = re.compile(r"/(status|api/requests)/[A-Za-z0-9_-]{20,}")


def redact_path(path: str) -> str:
    return _TOKEN_IN_PATH.sub(lambda m: f"/{m.group(1)}/[token]", path)


class RedactTokens(logging.Filter):
    """Keep private status tokens out of uvicorn's access log."""

    def filter(self, record: logging.LogRecord) -> bool:
        args: Any = record.args
        if isinstance(args, tuple):
            record.args = tuple(redact_path(a) if isinstance(a, str) else a for a in args)
        return True


def install_log_redaction() -> None:
    logger = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactTokens) for f in logger.filters):
        logger.addFilter(RedactTokens())
