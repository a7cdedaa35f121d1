"""The registry of channel kinds: how each service's payload is rendered, how hard it may be pushed.

Adding a service means one renderer module and one `ChannelKind` here; nothing else branches on the kind.
`email` has no instant sender here: e-mail goes out as digests (`monitor.digest`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from monitor import __version__
from monitor.delivery.channel_config import WebhookChannelConfig
from monitor.delivery.channels.discord import render_discord
from monitor.delivery.channels.mattermost import render_mattermost
from monitor.delivery.channels.slack import render_slack
from monitor.delivery.channels.teams import render_teams
from monitor.delivery.channels.webhook import render_webhook
from monitor.delivery.message import Message
from monitor.delivery.signing import signature_headers

USER_AGENT = f"monitor-webhooks/{__version__}"


@dataclass(frozen=True)
class ChannelKind:
    """`concurrency`: requests in flight to one channel; `max_per_minute`: default pace when the channel's
    configuration sets none (None: as fast as answers come)."""

    name: str
    render: Callable[[Message], dict[str, Any]]
    concurrency: int
    max_per_minute: int | None


KINDS: dict[str, ChannelKind] = {
    kind.name: kind
    for kind in (
        ChannelKind("slack", render_slack, concurrency=2, max_per_minute=60),
        ChannelKind("mattermost", render_mattermost, concurrency=4, max_per_minute=None),
        ChannelKind("discord", render_discord, concurrency=2, max_per_minute=30),
        ChannelKind("teams", render_teams, concurrency=2, max_per_minute=60),
        ChannelKind("webhook", render_webhook, concurrency=16, max_per_minute=None),
    )
}


@dataclass(frozen=True)
class OutgoingRequest:
    url: str
    headers: dict[str, str]
    body: bytes

    def __repr__(self) -> str:  # the URL is a secret
        return f"OutgoingRequest(<url hidden>, {len(self.body)} bytes)"


def kind_of(config: WebhookChannelConfig) -> ChannelKind:
    return KINDS[config.kind]


def per_minute(config: WebhookChannelConfig) -> int | None:
    return config.max_per_minute or kind_of(config).max_per_minute


def outgoing_request(config: WebhookChannelConfig, message: Message, key: str, timestamp: int) -> OutgoingRequest:
    """The POST for one delivery: JSON body, and the Standard Webhooks headers when the channel has a secret."""
    payload = kind_of(config).render(message)
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, "Idempotency-Key": key}
    if config.secret:
        headers.update(signature_headers(config.secret, key, timestamp, body))
    return OutgoingRequest(config.url, headers, body)
