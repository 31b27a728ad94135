"""CSRF tokens and the signed session cookie (itsdangerous), and a log filter that keeps
status tokens out of access logs. Rate limits: :mod:`casework.portal.ratelimit`; body limits
and security headers: :mod:`casework.portal.middleware`."""

from __future__ import annotations

import hmac
import logging
import re
import secrets
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

CSRF_COOKIE = "cw_csrf"
CSRF_FIELD = "csrf_token"
#: A form older than this is refused as expired (the person reloads it).
CSRF_MAX_AGE = 24 * 3600


class Csrf:
    """Signed double-submit: the cookie holds a random nonce, the form the nonce signed with
    the server secret (with a timestamp, so an old form expires).

    A cross-site page can make the browser send the cookie but cannot read it, and without
    the server secret it cannot compute the matching form field.
    """

    def __init__(self, secret: bytes, max_age: int = CSRF_MAX_AGE):
        self._serializer = URLSafeTimedSerializer(secret, salt="casework.portal.csrf")
        self.max_age = max_age

    @staticmethod
    def new_nonce() -> str:
        return secrets.token_urlsafe(24)

    def token_for(self, nonce: str) -> str:
        return self._serializer.dumps(nonce)

    def valid(self, nonce: str | None, token: str | None) -> bool:
        if not nonce or not token or len(nonce) > 100 or len(token) > 300:
            return False
        try:
            signed = self._serializer.loads(token, max_age=self.max_age)
        except BadSignature:  # includes SignatureExpired
            return False
        return isinstance(signed, str) and hmac.compare_digest(signed, nonce)


class SessionCookie:
    """The case id a lookup by case number, email and code opened, signed and short-lived."""

    def __init__(self, secret: bytes, max_age: int):
        self._serializer = URLSafeTimedSerializer(secret, salt="casework.portal.case-session")
        self.max_age = max_age

    def sign(self, case_id: int) -> str:
        return self._serializer.dumps(case_id)

    def case_id(self, signed: str | None) -> int | None:
        if not signed or len(signed) > 300:
            return None
        try:
            value = self._serializer.loads(signed, max_age=self.max_age)
        except BadSignature:
            return None
        return value if isinstance(value, int) and not isinstance(value, bool) else None


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
