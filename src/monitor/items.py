"""The item a spider yields: raw fields as found on the page, before any normalisation.

Spiders fill what they can; the item pipelines (`monitor.crawl.pipelines`) validate, normalise, key and store it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class ScrapedItem:
    source_id: str
    url: str
    title: str = ""
    summary: str = ""
    """Lead or excerpt; may be HTML."""
    body: str = ""
    """Full text; may be HTML. Empty when the source only carries a summary."""
    guid: str | None = None
    """The source's own identity for the item (feed GUID, board article id, korea.kr newsId)."""
    published: str | datetime | None = None
    """Publication time as found: an aware/naive datetime or the raw string; parsed by the pipeline."""
    author: str = ""
    ministry: str = ""
    language_hint: str = ""
    """The language the source declares; the pipeline detects the real one from the text."""
    fetched_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)
