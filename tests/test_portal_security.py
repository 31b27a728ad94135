"""The portal's safety parts: itsdangerous CSRF tokens and session cookies, rate limits keyed on
the right address (X-Forwarded-For only from a trusted proxy) with shared storage across
processes, and escaping of everything a requester typed, in every page that shows it."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer
from markupsafe import escape

from casework.db import Store
from casework.mailsink import free_port
from casework.portal.app import create_app
from casework.portal.forms import FIELDS
from casework.portal.ratelimit import ClientAddress, RateLimits, parse_networks
from casework.portal.security import Csrf, SessionCookie
from casework.portal.web import HERE, template_environment
from tests.conftest import example_request
from tests.test_portal_api import _ask_for_information
from tests.test_portal_support import (  # noqa: F401 - fixtures
    MailSink,
    api_submit,
    client_fixture,
    client_for,
    counts,
    csrf_token,
    example_pdfs,
    form_fields,
    form_submit,
    mail_fixture,
    make_config,
    token_from,
)

# -- CSRF and the session cookie ---------------------------------------------------------------


def test_csrf_token_is_bound_to_its_nonce_and_secret_and_expires() -> None:
    csrf = Csrf(b"secret-one")
    nonce = csrf.new_nonce()
    token = csrf.token_for(nonce)
    assert csrf.valid(nonce, token)
    assert not csrf.valid(csrf.new_nonce(), token)  # another browser's cookie
    assert not Csrf(b"secret-two").valid(nonce, token)  # another server secret
    assert not csrf.valid(nonce, token[:-2] + "xx")
    assert not csrf.valid(nonce, None) and not csrf.valid(None, token)
    old = URLSafeTimedSerializer(b"secret-one", salt="casework.portal.csrf")
    # a token signed 25 hours ago (itsdangerous reads the timestamp it signed)
    stale = old.dumps(nonce)
    assert Csrf(b"secret-one", max_age=-1).valid(nonce, stale) is False
    assert csrf.valid(nonce, stale) is True


def test_session_cookie_is_signed_and_expires() -> None:
    sessions = SessionCookie(b"s", max_age=60)
    signed = sessions.sign(42)
    assert sessions.case_id(signed) == 42
    assert SessionCookie(b"other", max_age=60).case_id(signed) is None
    assert SessionCookie(b"s", max_age=-1).case_id(signed) is None
    assert sessions.case_id("42.forged") is None and sessions.case_id(None) is None
    forged = URLSafeTimedSerializer(b"s", salt="another-purpose").dumps(42)
    assert sessions.case_id(forged) is None  # a value signed for another purpose


# -- rate limits -------------------------------------------------------------------------------


def _client(store: Store, peer: str, **config: Any) -> TestClient:
    app = create_app(store, make_config(**config))
    return TestClient(app, base_url="http://127.0.0.1:8080", client=(peer, 40000))


def test_forwarded_for_is_ignored_without_a_trusted_proxy(sqlite_store: Store) -> None:
    with _client(sqlite_store, "203.0.113.9", lookup_per_minute=2) as client:
        codes = [
            client.get("/api/requests/" + "z" * 43, headers={"X-Forwarded-For": f"198.51.100.{i}"})
            for i in range(3)
        ]
    # a client cannot pick a fresh bucket by inventing a forwarded address
    assert [r.status_code for r in codes] == [404, 404, 429]


def test_forwarded_for_from_a_trusted_proxy_separates_clients(sqlite_store: Store) -> None:
    with _client(
        sqlite_store, "10.0.0.5", lookup_per_minute=2, trusted_proxies=("10.0.0.0/8",)
    ) as proxy:

        def get(xff: str) -> int:
            return proxy.get(
                "/api/requests/" + "z" * 43, headers={"X-Forwarded-For": xff}
            ).status_code

        # two people behind the proxy have a bucket each
        assert [get("198.51.100.1") for _ in range(3)] == [404, 404, 429]
        assert get("198.51.100.2") == 404
        # a spoofed first hop does not help: the nearest untrusted hop is the one counted
        assert get("6.6.6.6, 198.51.100.1") == 429
        # hops that are proxies themselves are skipped
        assert get("198.51.100.2, 10.1.2.3") == 404
        assert get("198.51.100.2") == 429


def test_client_address_rules() -> None:
    from starlette.requests import Request

    def request(peer: str, *xff: str) -> Request:
        headers = [(b"x-forwarded-for", v.encode()) for v in xff]
        return Request({"type": "http", "client": (peer, 1), "headers": headers})

    none = ClientAddress()
    assert none(request("192.0.2.1", "198.51.100.7")) == "192.0.2.1"
    trusted = ClientAddress(["127.0.0.1", "::1"])
    assert trusted(request("127.0.0.1", "198.51.100.7")) == "198.51.100.7"
    assert trusted(request("127.0.0.1", "a, 198.51.100.7", "203.0.113.4")) == "203.0.113.4"
    assert trusted(request("127.0.0.1", "not-an-ip")) == "127.0.0.1"
    assert trusted(request("127.0.0.1")) == "127.0.0.1"
    assert trusted(request("192.0.2.1", "198.51.100.7")) == "192.0.2.1"  # not from the proxy
    with pytest.raises(ValueError, match="nonsense"):
        parse_networks(["nonsense"])


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    server = shutil.which("redis-server")
    if server is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed (scripts/setup.sh installs it)")
        pytest.skip("redis-server is not installed")
    port = free_port()
    proc = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
    )
    try:
        import redis

        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis(port=port).ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_portal_processes_share_the_limit_through_redis(
    sqlite_store: Store, redis_url: str
) -> None:
    """Two portals (as two processes behind one proxy would be) count one client together."""
    one = _client(sqlite_store, "192.0.2.10", lookup_per_minute=3, rate_limit_storage=redis_url)
    two = _client(sqlite_store, "192.0.2.10", lookup_per_minute=3, rate_limit_storage=redis_url)
    with one, two:
        codes = [c.get("/api/requests/" + "q" * 43).status_code for c in (one, two, one, two)]
    assert codes == [404, 404, 404, 429]
    # memory storage (the default) keeps each process on its own
    a, b = RateLimits({"lookup": 1}), RateLimits({"lookup": 1})
    assert a.allow("lookup", "x") and b.allow("lookup", "x") and not a.allow("lookup", "x")


# -- escaping ----------------------------------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "[Approve here](http://evil.example/a) **APPROVE NOW** <a href='http://evil.example'>x</a>",
]
RAW_MARKERS = ("<script>alert", "<img src=x", "<a href='http://evil", '"><img')


def _assert_inert(html: str) -> None:
    for marker in RAW_MARKERS:
        assert marker not in html, marker
    assert '<a href="http://evil' not in html


def test_every_template_is_autoescaped() -> None:
    env = template_environment()
    names = sorted(p.name for p in (HERE / "templates").iterdir())
    assert names and all(n.endswith(".html") for n in names)
    for name in names:
        assert env.get_template(name).environment.autoescape(name) is True  # type: ignore[operator]
        assert env.autoescape(name) is True  # type: ignore[operator]


@pytest.mark.parametrize("hostile", HOSTILE, ids=["script", "attribute-break", "markdown-html"])
def test_hostile_text_in_every_field_is_shown_escaped(
    client: TestClient, sqlite_store: Store, hostile: str
) -> None:
    raw = example_request(attachments=[hostile + ".pdf"], victim={"date_of_birth": "2030-01-01"})
    fields = []
    for name, f in FIELDS.items():
        if f.kind in ("text", "email", "tel", "textarea"):
            fields.append((name, hostile))
        elif f.kind == "slots":
            fields.extend((name, hostile) for _ in range(2))
        elif f.kind in ("checkboxes", "select", "radio"):
            fields.append((name, hostile))  # a value no browser would send
    base = [(k, v) for k, v in form_fields(raw) if k not in {n for n, _ in fields}]
    family = [(f"family_members_implicated[0].{p}", hostile) for p in ("full_name", "relationship")]
    token = csrf_token(client)
    data: dict[str, Any] = {}
    for k, v in [*base, *fields, *family, ("csrf_token", token)]:
        data[k] = [*data[k], v] if k in data else [v]
    resp = client.post(
        "/",
        data=data,
        files=[("attachments", (hostile + ".pdf", b"not a pdf", "application/pdf"))],
    )
    assert resp.status_code == 422
    _assert_inert(resp.text)
    assert str(escape(hostile)) in resp.text  # shown back, as text
    assert counts(sqlite_store) == (0, 0, 0)


@pytest.mark.parametrize("hostile", HOSTILE, ids=["script", "attribute-break", "markdown-html"])
def test_hostile_text_on_the_status_and_success_pages(
    client: TestClient, sqlite_store: Store, hostile: str
) -> None:
    raw = example_request(attachments=[])
    raw["requester"]["name"] = hostile
    raw["requester"]["organization"] = hostile
    raw["incident"]["location"] = hostile
    raw["incident"]["description"] = hostile
    page = form_submit(client, raw)
    assert page.status_code == 201, page.text[:2000]
    _assert_inert(page.text)
    link = page.text.split('id="status-link" href="')[1].split('"')[0]
    token = token_from(link)
    number = page.text.split('id="case-number">')[1].split("<")[0]
    _ask_for_information(sqlite_store, number, hostile)
    status = client.get(f"/status/{token}")
    assert status.status_code == 200
    _assert_inert(status.text)
    assert f'id="information-requested">{escape(hostile)}<' in status.text
    answer = client.post(
        f"/status/{token}/supplement",
        data={"text": "", "csrf_token": csrf_token(client, f"/status/{token}")},
        files=[("files", (hostile + ".pdf", b"MZ not a pdf", "application/pdf"))],
    )
    assert answer.status_code == 422
    _assert_inert(answer.text)
