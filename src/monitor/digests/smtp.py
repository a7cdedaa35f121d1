"""Handing a stored digest to an SMTP server: STARTTLS, implicit TLS or plain; optional login; per-recipient
answers. Blocking (smtplib): the service calls it in a thread. The password never reaches a log or an error.
"""

from __future__ import annotations

import base64
import logging
import os
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

from monitor.digests.message import envelope_address

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30.0


class EmailChannel(Protocol):
    """What sending needs from an email channel (monitor.delivery.channel_config.EmailChannelConfig)."""

    @property
    def smtp_host(self) -> str: ...

    @property
    def smtp_port(self) -> int: ...

    @property
    def security(self) -> str: ...

    @property
    def sender(self) -> str: ...

    @property
    def username(self) -> str | None: ...

    @property
    def password_env(self) -> str | None: ...


class SmtpSetupError(RuntimeError):
    """The channel cannot be used as configured (e.g. its password variable is unset)."""


@dataclass(frozen=True)
class SmtpOutcome:
    """What the server did with one message: addresses it took, addresses it refused (with its answer),
    or an error before any address was settled (connection, TLS, login, sender or data refused)."""

    delivered: tuple[str, ...] = ()
    refused: Mapping[str, str] = field(default_factory=dict)
    error: str | None = None


def channel_password(channel: EmailChannel, env: Mapping[str, str] | None = None) -> str | None:
    """The password: already read by the channel loader, else from the variable the channel names."""
    password = getattr(channel, "password", None)
    if password or not channel.password_env:
        return password
    value = (os.environ if env is None else env).get(channel.password_env)
    if not value:
        raise SmtpSetupError(f"the SMTP password variable {channel.password_env} is not set")
    return value


@lru_cache(maxsize=1)
def default_tls_context() -> ssl.SSLContext:
    """The system's trusted CAs, hostname checks on; built once (loading the CA bundle takes ~20 ms)."""
    return ssl.create_default_context()


def _redact(text: str, secret: str | None) -> str:
    if not secret:
        return text
    for form in (secret, base64.b64encode(secret.encode()).decode()):
        text = text.replace(form, "[redacted]")
    return text


def _answer(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return f"{code} {' '.join(text.split())}"[:300]


class SmtpSession:
    """One connection to a channel's server, opened on first use and reused for several messages."""

    def __init__(
        self,
        channel: EmailChannel,
        *,
        env: Mapping[str, str] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.channel = channel
        self.env = env
        self.timeout = timeout
        self.ssl_context = ssl_context
        self._smtp: smtplib.SMTP | None = None
        self._password: str | None = None

    def _connect(self) -> smtplib.SMTP:
        channel = self.channel
        context = self.ssl_context or (default_tls_context() if channel.security != "none" else None)
        self._password = channel_password(channel, self.env) if channel.username else None
        if channel.security == "tls":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                channel.smtp_host, channel.smtp_port, timeout=self.timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(channel.smtp_host, channel.smtp_port, timeout=self.timeout)
        try:
            smtp.ehlo()
            if channel.security == "starttls":
                smtp.starttls(context=context)
                smtp.ehlo()
            if channel.username:
                smtp.login(channel.username, self._password or "")
        except BaseException:
            self._drop(smtp)
            raise
        log.debug("smtp: connected to %s:%s (%s)", channel.smtp_host, channel.smtp_port, channel.security)
        return smtp

    def send(self, recipients: Sequence[str], data: bytes) -> SmtpOutcome:
        """Offer `data` to `recipients`; never raises for a server or network problem."""
        try:
            if self._smtp is None:
                self._smtp = self._connect()
            refused = self._smtp.sendmail(envelope_address(self.channel.sender), list(recipients), data)
        except smtplib.SMTPRecipientsRefused as error:
            return SmtpOutcome(refused={address: _answer(*answer) for address, answer in error.recipients.items()})
        except (OSError, smtplib.SMTPException, SmtpSetupError) as error:
            self.close()
            return SmtpOutcome(error=self._describe(error))
        answers = {address: _answer(*answer) for address, answer in refused.items()}
        return SmtpOutcome(tuple(a for a in recipients if a not in answers), answers)

    def _describe(self, error: BaseException) -> str:
        if isinstance(error, smtplib.SMTPResponseException):
            text = f"{type(error).__name__}: {_answer(error.smtp_code, error.smtp_error)}"
        else:
            text = f"{type(error).__name__}: {error}"
        where = f"{self.channel.smtp_host}:{self.channel.smtp_port}"
        return _redact(f"{where}: {text}", self._password)[:500]

    def close(self) -> None:
        if self._smtp is not None:
            self._drop(self._smtp)
            self._smtp = None

    @staticmethod
    def _drop(smtp: smtplib.SMTP) -> None:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()

    def __enter__(self) -> SmtpSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def deliver(
    channel: EmailChannel,
    recipients: Sequence[str],
    data: bytes,
    *,
    env: Mapping[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    ssl_context: ssl.SSLContext | None = None,
) -> SmtpOutcome:
    """Connect, offer one message to `recipients`, disconnect."""
    with SmtpSession(channel, env=env, timeout=timeout, ssl_context=ssl_context) as session:
        return session.send(recipients, data)
