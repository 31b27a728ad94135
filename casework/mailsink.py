"""A local SMTP server that keeps every message as a .eml file a person can read.

    python -m casework.mailsink --port 8025 --dir var/mail

Used by the local stack (nothing leaves the machine) and by the tests (a real
SMTP conversation on loopback, no mocks).
"""

from __future__ import annotations

import argparse
import email
import email.policy
import socket
import threading
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class _Handler:
    def __init__(self, folder: Path | None):
        self.folder = folder
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        with self._lock:
            self.messages.append(msg)
            n = len(self.messages)
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder / f"{time.strftime('%Y%m%d-%H%M%S')}-{n:04d}.eml").write_bytes(
                envelope.content
            )
        return "250 Message accepted for delivery"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class MailSink:
    """Start with ``with MailSink(port=0) as sink:``; ``sink.port`` is the port bound."""

    def __init__(self, host: str = "127.0.0.1", port: int = 8025, folder: Path | None = None):
        self.handler = _Handler(folder)
        self.port = port or free_port(host)
        self.controller = Controller(self.handler, hostname=host, port=self.port)
        self.host = host

    @property
    def messages(self) -> list[EmailMessage]:
        with self.handler._lock:
            return list(self.handler.messages)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[EmailMessage]:
        """The messages once at least ``count`` have arrived (or all there are at ``timeout``)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.messages) < count:
            time.sleep(0.02)
        return self.messages

    def start(self) -> MailSink:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def __enter__(self) -> MailSink:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8025)
    ap.add_argument("--dir", type=Path, default=Path("var/mail"))
    args = ap.parse_args()
    sink = MailSink(args.host, args.port, args.dir).start()
    print(f"mail sink on {args.host}:{sink.port}, writing to {args.dir}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        sink.stop()


if __name__ == "__main__":
    main()
