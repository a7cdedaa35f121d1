"""Identity and content keys of an item: (source, GUID) key, reflow-proof body hash, content hash."""

from __future__ import annotations

import hashlib
import json

from monitor.text.normalise import clean_text
from monitor.urls import canonical_url


def guid_key(source_id: str, guid: str | None, link: str | None = None) -> str | None:
    """SHA-1 hex of (source, GUID[, canonical link]); None when the GUID is missing or blank. Pass the link
    when the feed repeats GUIDs."""
    guid = (guid or "").strip()
    if not guid:
        return None
    parts = [source_id, guid]
    if link and link.strip():
        parts.append(canonical_url(link) or link.strip())
    return hashlib.sha1(_encode(json.dumps(parts, ensure_ascii=False))).hexdigest()


def body_hash(text: str) -> str:
    """SHA-256 hex of the cleaned, case-folded text with all whitespace removed, so reflowed copies match."""
    return hashlib.sha256(_encode("".join(clean_text(text).casefold().split()))).hexdigest()


def content_hash(title: str, summary: str, body: str) -> str:
    """SHA-256 hex of the three cleaned fields; changes when any one of them changes."""
    fields = [clean_text(title), clean_text(summary), clean_text(body)]
    return hashlib.sha256(_encode(json.dumps(fields, ensure_ascii=False))).hexdigest()


def _encode(text: str) -> bytes:
    """UTF-8 that cannot fail: a lone surrogate is kept as its code unit rather than raising."""
    return text.encode("utf-8", "surrogatepass")
