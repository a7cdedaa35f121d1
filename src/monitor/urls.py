"""Canonical http(s) URLs (no tracking parameters, sorted query, punycode host) and their identity key."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import unquote_plus, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

TRACKING_PARAMETERS = frozenset({
    "fbclid", "gclid", "dclid", "msclkid", "yclid", "gbraid", "wbraid", "mc_cid", "mc_eid", "call_from",
    "_ga", "_gl", "igshid", "ref_src", "_hsenc", "_hsmi", "mkt_tok",
})
TRACKING_PREFIXES = ("utm_", "pwise")
"""Matched case-insensitively against the decoded parameter name."""
DEFAULT_PORTS = {"http": 80, "https": 443}

_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):[/\\]*")
_IGNORED_INSIDE = re.compile(r"[\t\n\r]")
_EDGE_JUNK = "".join(map(chr, range(0x21)))  # C0 controls and space, stripped from both ends like browsers do
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?|[a-z0-9_-]{1,63}")
_IPV6 = re.compile(r"[0-9a-f:.]+")


def canonical_url(url: str, base: str | None = None) -> str | None:
    """The canonical form of an http(s) URL, resolved against base; None when it is not one. Never raises."""
    try:
        return _canonical(url, base)
    except (ValueError, UnicodeError, TypeError, IndexError):
        return None


def url_identity_key(canonical: str) -> str:
    """40-hex SHA-1 of a canonical URL with the scheme and a trailing slash of the path ignored."""
    parts = urlsplit(canonical_url(canonical) or canonical)
    path = parts.path.rstrip("/")
    identity = f"{parts.netloc}{path}?{parts.query}" if parts.query else f"{parts.netloc}{path}"
    return hashlib.sha1(identity.encode("utf-8", "surrogatepass")).hexdigest()


def _canonical(url: str, base: str | None) -> str | None:
    if not isinstance(url, str):
        return None
    url = _IGNORED_INSIDE.sub("", url.strip(_EDGE_JUNK))
    if not url:
        return None
    if base and isinstance(base, str):
        url = urljoin(_IGNORED_INSIDE.sub("", base.strip(_EDGE_JUNK)), url)
    match = _SCHEME.match(url)
    if not match or match[1].lower() not in DEFAULT_PORTS:
        return None
    scheme = match[1].lower()
    parts = urlsplit(canonicalize_url(f"{scheme}://{url[match.end():]}"))
    host = _host(parts.hostname or "")
    if host is None:
        return None
    port = parts.port
    netloc = host if port is None or port == DEFAULT_PORTS[scheme] else f"{host}:{port}"
    query = "&".join(pair for pair in parts.query.split("&") if pair and not _is_tracking(pair))
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def _host(hostname: str) -> str | None:
    """The host as it goes into the canonical URL (IPv6 in brackets, no trailing dot), or None if invalid."""
    if ":" in hostname:
        return f"[{hostname}]" if _IPV6.fullmatch(hostname) else None
    hostname = hostname.rstrip(".")
    labels = hostname.split(".")
    if not hostname or len(hostname) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        return None
    return hostname


def _is_tracking(pair: str) -> bool:
    name = unquote_plus(pair.split("=", 1)[0]).strip().lower()
    return name in TRACKING_PARAMETERS or name.startswith(TRACKING_PREFIXES)
