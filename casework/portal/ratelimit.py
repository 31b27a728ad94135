"""Rate limits per client address, with the ``limits`` library.

The storage is a ``limits`` storage URI: ``memory://`` (default; one process) or a shared
one such as ``redis://host:6379/0`` so that several portal processes count together.

The client address is the TCP peer, unless the peer is a trusted proxy
(``CASEWORK_PORTAL_TRUSTED_PROXIES``, addresses or networks): then it is the nearest
address in ``X-Forwarded-For`` that is not itself a trusted proxy. Without that setting
the header is ignored, so nobody can pick their own bucket by sending it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from limits import RateLimitItemPerMinute
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter
from starlette.requests import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class RateLimits:
    """Named buckets (``submit``, ``lookup``) of N hits per minute and client; 0 = no limit."""

    def __init__(
        self,
        per_minute: dict[str, int],
        storage_uri: str = "memory://",
        *,
        storage: Storage | None = None,
    ):
        self.storage = storage if storage is not None else storage_from_string(storage_uri)
        self._limiter = MovingWindowRateLimiter(self.storage)
        self._items = {k: RateLimitItemPerMinute(n) for k, n in per_minute.items() if n > 0}

    def allow(self, bucket: str, client: str) -> bool:
        item = self._items.get(bucket)
        return item is None or self._limiter.hit(item, "casework-portal", bucket, client)


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """``127.0.0.1, 10.0.0.0/8`` -> networks; raises ValueError naming a bad entry."""
    out = []
    for value in values:
        value = value.strip()
        if not value:
            continue
        try:
            out.append(ipaddress.ip_network(value, strict=False))
        except ValueError:
            raise ValueError(f"not an IP address or network: {value!r}") from None
    return tuple(out)


class ClientAddress:
    """The address a rate limit is keyed on, honouring X-Forwarded-For only from trusted
    proxies."""

    def __init__(self, trusted_proxies: Iterable[str] = ()):
        self.trusted = parse_networks(trusted_proxies)

    def _trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in net for net in self.trusted)

    def __call__(self, request: Request) -> str:
        peer = request.client.host if request.client else "unknown"
        if not self.trusted or not self._trusted(peer):
            return peer
        hops = [
            hop.strip()
            for header in request.headers.getlist("x-forwarded-for")
            for hop in header.split(",")
            if hop.strip()
        ]
        for hop in reversed(hops):
            if self._trusted(hop):
                continue
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # a garbled header: count the proxy itself
        return peer
