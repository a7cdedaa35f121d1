"""A real SMTP server on 127.0.0.1 (aiosmtpd) that records what it receives and can refuse addresses."""

from __future__ import annotations

import email
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Received:
    """One message as the server got it: envelope and the parsed message."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.data, policy=policy.default)  # type: ignore[return-value]


@dataclass
class RecordingHandler:
    """Collects envelopes; refuses the addresses in `refuse_once` the first time they are offered."""

    refuse_once: set[str] = field(default_factory=set)
    refuse_always: set[str] = field(default_factory=set)
    received: list[Received] = field(default_factory=list)
    offered: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        with self.lock:
            self.offered.append(address)
            if address in self.refuse_always:
                return "550 5.1.1 mailbox unavailable"
            if address in self.refuse_once:
                self.refuse_once.discard(address)
                return "550 5.1.1 mailbox unavailable (try again later)"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    """`with SmtpServer() as server:` a running server; `server.port`, `server.handler.received`."""

    def __init__(
        self,
        handler: RecordingHandler | None = None,
        *,
        port: int | None = None,
        ssl_context: ssl.SSLContext | None = None,
        tls_context: ssl.SSLContext | None = None,
        credentials: tuple[str, str] | None = None,
    ) -> None:
        self.handler = handler or RecordingHandler()
        self.port = port or free_port()
        options: dict[str, Any] = {}
        if tls_context is not None:
            options.update(tls_context=tls_context, require_starttls=True)
        if credentials is not None:
            # aiosmtpd only counts STARTTLS as TLS; with implicit TLS the whole connection is encrypted
            options.update(authenticator=_authenticator(*credentials), auth_required=True,
                           auth_require_tls=tls_context is not None)
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port,
                                     ssl_context=ssl_context, **options)

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


def _authenticator(user: str, password: str) -> Callable[..., AuthResult]:
    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data.login.decode() == user and data.password.decode() == password
        return AuthResult(success=ok, handled=False)

    return authenticate
