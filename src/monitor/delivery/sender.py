"""One POST of one delivery to one webhook, and what came of it. Never raises for network trouble.

The answer body is read up to 64 KiB (enough for Slack's and Discord's error JSON). The body and any error
text are stripped of the channel's URL and secret before they are looked at, stored or logged: webhook
URLs are secrets (an endpoint may echo them back).
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx

from monitor.delivery.answers import classify_answer, classify_error
from monitor.delivery.channel_config import WebhookChannelConfig
from monitor.delivery.channels.registry import outgoing_request
from monitor.delivery.lifecycle import Outcome
from monitor.delivery.message import Message

MAX_ANSWER_BYTES = 65536


def redact(text: str | None, config: WebhookChannelConfig) -> str | None:
    """`text` without the channel's URL (or its path and query) and secret."""
    if not text:
        return text
    parts = urlsplit(config.url)
    secrets = [config.url, config.url.split("://", 1)[-1], parts.path + ("?" + parts.query if parts.query else "")]
    if config.secret:
        secrets.append(config.secret)
    for secret in sorted((value for value in secrets if len(value) > 1), key=len, reverse=True):
        text = text.replace(secret, "<redacted>")
    return text


async def _read_limited(response: httpx.Response) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_raw():
        chunks.append(chunk)
        size += len(chunk)
        if size >= MAX_ANSWER_BYTES:
            break
    return b"".join(chunks)[:MAX_ANSWER_BYTES]


async def send_delivery(client: httpx.AsyncClient, config: WebhookChannelConfig, message: Message,
                        key: str) -> tuple[Outcome, float]:
    """POST the rendered message; the outcome (error text redacted) and the time taken in milliseconds.

    The signature's timestamp and an HTTP-date Retry-After are read against the wall clock."""
    request = outgoing_request(config, message, key, int(time.time()))
    started = time.perf_counter()
    try:
        async with client.stream("POST", request.url, content=request.body, headers=request.headers,
                                 follow_redirects=False) as answer:
            body = (redact(bytes.decode(await _read_limited(answer), "utf-8", "replace"), config) or "").encode()
            outcome = classify_answer(answer.status_code, answer.headers.get("retry-after"), body,
                                      datetime.now(UTC))
    except (httpx.HTTPError, httpx.InvalidURL, OSError) as error:
        outcome = classify_error(error)
    elapsed = (time.perf_counter() - started) * 1000
    return replace(outcome, error=redact(outcome.error, config)), elapsed
