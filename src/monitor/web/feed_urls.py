"""Where the feeds live: the service's public base URL (MONITOR_PUBLIC_URL) and the URLs of one token."""

from __future__ import annotations

import os
from collections.abc import Mapping

from monitor.store.feed_models import ALL_SCOPE

DEFAULT_PUBLIC_URL = "http://127.0.0.1:8080"
FORMAT_NAMES = ("rss", "atom", "json")


def public_url(env: Mapping[str, str] | None = None) -> str:
    """The base URL subscribers use (MONITOR_PUBLIC_URL, default http://127.0.0.1:8080), no trailing slash."""
    env = os.environ if env is None else env
    return (env.get("MONITOR_PUBLIC_URL") or DEFAULT_PUBLIC_URL).rstrip("/")


def feed_path(token: str, scope: str, fmt: str) -> str:
    if scope == ALL_SCOPE:
        return f"/feeds/{token}/all.{fmt}"
    return f"/feeds/{token}/rules/{scope}.{fmt}"


def feed_urls(base: str, token: str, scope: str) -> dict[str, str]:
    """The RSS, Atom and JSON Feed URLs a token opens."""
    return {fmt: base + feed_path(token, scope, fmt) for fmt in FORMAT_NAMES}
