"""HTTP conditional requests (RFC 9110 §13): If-None-Match first, If-Modified-Since only without it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime


def http_date(moment: datetime) -> str:
    return format_datetime(moment.replace(microsecond=0), usegmt=True)


def etag_matches(header: str, etag: str) -> bool:
    """Weak comparison, as If-None-Match asks: `W/"x"` matches `"x"`; `*` matches any current body."""
    if header.strip() == "*":
        return True
    for candidate in header.split(","):
        candidate = candidate.strip()
        if candidate.startswith("W/"):
            candidate = candidate[2:]
        if candidate == etag:
            return True
    return False


def not_modified(headers: Mapping[str, str], etag: str, last_modified: datetime | None) -> bool:
    """True when the client's copy is current and a 304 with no body is the answer."""
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        return etag_matches(if_none_match, etag)
    since = headers.get("if-modified-since")
    if since is None or last_modified is None:
        return False
    try:
        client_date = parsedate_to_datetime(since)
    except (TypeError, ValueError, IndexError):
        return False
    if client_date.tzinfo is None:
        return False
    return last_modified.replace(microsecond=0) <= client_date
