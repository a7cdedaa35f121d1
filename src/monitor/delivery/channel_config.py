"""alerts/channels.toml: where alerts can go. URLs, passwords and secrets come from the environment.

Each `[channels.<name>]` table names a `kind` and the environment variables holding its secrets. A channel
whose variable is unset is *unavailable*, with the reason, not an error: the service starts with nothing
configured. Errors name the file, the channel and the field, never a secret's value. See docs/delivery.md.
"""

from __future__ import annotations

import base64
import binascii
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

WEBHOOK_KINDS = ("slack", "teams", "discord", "mattermost", "webhook")
CHANNEL_KINDS = ("email", *WEBHOOK_KINDS)
EMAIL_SECURITY = ("starttls", "tls", "none")
CHANNEL_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
WEBHOOK_KEYS = ("kind", "url_env", "secret_env", "max_per_minute", "operator")
EMAIL_KEYS = ("kind", "smtp_host", "smtp_port", "security", "username", "password_env", "sender", "operator")
LEGACY_TEAMS_HINT = (
    "Office 365 connector URLs (*.webhook.office.com) are retired; create a Workflows webhook in Teams "
    "(Workflows › 'Post to a channel when a webhook request is received') and use its URL"
)


class ChannelConfigError(ValueError):
    """channels.toml cannot be used; the message names the file, the channel and the field."""

    def __init__(self, path: Path, message: str, *, channel: str | None = None, field: str | None = None,
                 hint: str | None = None) -> None:
        self.path, self.channel, self.field, self.hint = path, channel, field, hint
        where = str(path)
        if channel is not None:
            where += f": channel {channel!r}"
        if field is not None:
            where += f", field {field!r}"
        super().__init__(f"{where}: {message}" + (f" (hint: {hint})" if hint else ""))


@dataclass(frozen=True)
class WebhookChannelConfig:
    """A chat or JSON webhook. `url` and `secret` are secrets: left out of repr, never logged."""

    name: str
    kind: str
    url_env: str
    url: str = field(repr=False)
    secret_env: str | None = None
    secret: str | None = field(default=None, repr=False)
    max_per_minute: int | None = None
    operator: bool = False


@dataclass(frozen=True)
class EmailChannelConfig:
    """An SMTP server and sender; `password` is a secret: left out of repr, never logged."""

    name: str
    smtp_host: str
    smtp_port: int
    security: str
    sender: str
    username: str | None = None
    password_env: str | None = None
    password: str | None = field(default=None, repr=False)
    operator: bool = False
    kind: str = "email"


ChannelConfig = WebhookChannelConfig | EmailChannelConfig


@dataclass(frozen=True)
class ChannelSet:
    """The usable channels, the operator channel's name (if usable) and the unavailable ones with why."""

    channels: dict[str, ChannelConfig] = field(default_factory=dict)
    operator: str | None = None
    unavailable: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> ChannelConfig | None:
        return self.channels.get(name)

    def reason_unusable(self, name: str) -> str | None:
        """None when `name` can be sent to; otherwise why not (unset variable, unknown channel)."""
        if name in self.channels:
            return None
        return self.unavailable.get(name, f"no channel named {name!r} in channels.toml")


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def load_channels(path: Path, env: Mapping[str, str], *, allow_private_networks: bool | None = None) -> ChannelSet:
    """Read channels.toml; a missing file is an empty set. Raises ChannelConfigError for a bad file.

    `allow_private_networks` (default: MONITOR_ALLOW_PRIVATE_NETWORKS in `env`) lets http:// URLs through.
    """
    if allow_private_networks is None:
        allow_private_networks = _truthy(env.get("MONITOR_ALLOW_PRIVATE_NETWORKS"))
    if not path.exists():
        return ChannelSet()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ChannelConfigError(path, f"not valid TOML: {error}") from None
    unknown = set(data) - {"channels"}
    if unknown:
        raise ChannelConfigError(path, f"unknown top-level key(s) {sorted(unknown)}", hint="use [channels.<name>]")
    tables = data.get("channels", {})
    if not isinstance(tables, dict):
        raise ChannelConfigError(path, "channels must be a table", hint="write [channels.<name>] tables")
    reader = _Reader(path, env, allow_private_networks)
    channels: dict[str, ChannelConfig] = {}
    unavailable: dict[str, str] = {}
    operators: list[str] = []
    for name, table in tables.items():
        config, reason = reader.channel(name, table)
        if table.get("operator") is True:
            operators.append(name)
        if config is None:
            unavailable[name] = reason or "unavailable"
        else:
            channels[name] = config
    if len(operators) > 1:
        raise ChannelConfigError(path, f"more than one operator channel: {', '.join(operators)}",
                                 channel=operators[1], field="operator", hint="mark one channel operator = true")
    operator = operators[0] if operators and operators[0] in channels else None
    return ChannelSet(channels, operator, unavailable)


@dataclass(frozen=True)
class _Reader:
    path: Path
    env: Mapping[str, str]
    allow_private: bool

    def error(self, channel: str, field: str | None, message: str, hint: str | None = None) -> ChannelConfigError:
        return ChannelConfigError(self.path, message, channel=channel, field=field, hint=hint)

    def channel(self, name: str, table: Any) -> tuple[ChannelConfig | None, str | None]:
        if not CHANNEL_NAME.match(name):
            raise self.error(name, None, "channel names are lower-case letters, digits, - and _")
        if not isinstance(table, dict):
            raise self.error(name, None, "must be a table", hint=f"write [channels.{name}]")
        kind = self.value(name, table, "kind", str, required=True)
        if kind not in CHANNEL_KINDS:
            raise self.error(name, "kind", f"unknown kind {kind!r}", hint=f"choose from {', '.join(CHANNEL_KINDS)}")
        allowed = EMAIL_KEYS if kind == "email" else WEBHOOK_KEYS
        extra = sorted(set(table) - set(allowed))
        if extra:
            raise self.error(name, extra[0], f"unknown field(s) {extra} for kind {kind}",
                             hint=f"allowed: {', '.join(allowed)}")
        return self.email(name, table) if kind == "email" else self.webhook(name, kind, table)

    def value(self, name: str, table: dict[str, Any], key: str, kind: type, *, required: bool = False) -> Any:
        value = table.get(key)
        if value is None:
            if required:
                raise self.error(name, key, "is missing")
            return None
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.error(name, key, f"must be a {kind.__name__}")
        return value

    def env_name(self, name: str, table: dict[str, Any], key: str, *, required: bool = False) -> str | None:
        variable = self.value(name, table, key, str, required=required)
        if variable is not None and not ENV_NAME.match(variable):
            raise self.error(name, key, "must name an environment variable, e.g. MONITOR_SLACK_WEBHOOK_URL",
                             hint="put the URL or secret itself in that variable, never in this file")
        return variable

    def webhook(self, name: str, kind: str, table: dict[str, Any]) -> tuple[ChannelConfig | None, str | None]:
        url_env = self.env_name(name, table, "url_env", required=True) or ""
        secret_env = self.env_name(name, table, "secret_env")
        if secret_env is not None and kind != "webhook":
            raise self.error(name, "secret_env", f"only kind webhook signs its requests, not {kind}")
        per_minute = self.value(name, table, "max_per_minute", int)
        if per_minute is not None and per_minute < 1:
            raise self.error(name, "max_per_minute", "must be at least 1")
        operator = self.value(name, table, "operator", bool) is True
        url = (self.env.get(url_env) or "").strip()
        if not url:
            return None, f"{url_env} is not set"
        self.check_url(name, url, url_env)
        secret = (self.env.get(secret_env) or "").strip() if secret_env else None
        if secret_env and not secret:
            return None, f"{secret_env} is not set"
        if secret is not None:
            self.check_secret(name, secret, secret_env or "")
        return WebhookChannelConfig(name, kind, url_env, url, secret_env, secret, per_minute, operator), None

    def check_url(self, name: str, url: str, variable: str) -> None:
        try:
            parts = urlsplit(url)
            host = (parts.hostname or "").lower().rstrip(".")
        except ValueError:
            raise self.error(name, "url_env", f"the value of {variable} is not a URL") from None
        if not host:
            raise self.error(name, "url_env", f"the value of {variable} is not a URL with a host")
        if host.endswith(".webhook.office.com") or host in {"outlook.office.com", "outlook.office365.com"}:
            raise self.error(name, "url_env", f"{variable} holds a legacy Office 365 connector URL",
                             hint=LEGACY_TEAMS_HINT)
        if parts.scheme == "https" or (parts.scheme == "http" and self.allow_private):
            return
        raise self.error(name, "url_env", f"the URL in {variable} must use https",
                         hint="http is accepted only with MONITOR_ALLOW_PRIVATE_NETWORKS=1")

    def check_secret(self, name: str, secret: str, variable: str) -> None:
        hint = "a Standard Webhooks secret: whsec_ followed by base64 of 24 to 64 random bytes"
        if not secret.startswith("whsec_"):
            raise self.error(name, "secret_env", f"the value of {variable} does not start with whsec_", hint)
        try:
            body = secret.removeprefix("whsec_")
            key = base64.b64decode(body + "=" * (-len(body) % 4), validate=True)
        except (binascii.Error, ValueError):
            raise self.error(name, "secret_env", f"the value of {variable} is not valid base64", hint) from None
        if not 24 <= len(key) <= 64:
            raise self.error(name, "secret_env", f"the key in {variable} is {len(key)} bytes", hint)

    def email(self, name: str, table: dict[str, Any]) -> tuple[ChannelConfig | None, str | None]:
        host = self.value(name, table, "smtp_host", str, required=True)
        port = self.value(name, table, "smtp_port", int, required=True)
        if not 1 <= port <= 65535:
            raise self.error(name, "smtp_port", "must be between 1 and 65535")
        security = self.value(name, table, "security", str, required=True)
        if security not in EMAIL_SECURITY:
            raise self.error(name, "security", f"unknown value {security!r}", hint="starttls, tls or none")
        sender = self.value(name, table, "sender", str, required=True)
        if "@" not in sender or any(char in sender for char in "\r\n"):
            raise self.error(name, "sender", "must be one e-mail address on one line")
        username = self.value(name, table, "username", str)
        password_env = self.env_name(name, table, "password_env")
        operator = self.value(name, table, "operator", bool) is True
        password = self.env.get(password_env) if password_env else None
        if password_env and not password:
            return None, f"{password_env} is not set"
        return EmailChannelConfig(name, host, port, security, sender, username, password_env, password,
                                  operator), None
