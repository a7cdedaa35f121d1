"""Rijksoverheid listings: /api/rss query URLs (one per day of the rolling window) and the news sitemap."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from urllib.parse import quote, urlsplit

from lxml import etree

from spiders.parsers.fields import ItemFields
from spiders.parsers.local_time import AMSTERDAM

NEWS_FILTER = {"field": "content_type", "values": ["pro:newsDocument"], "type": "all"}
MAX_WINDOW_DAYS = 31
RSS_ITEM_CAP = 20
"""The endpoint answers at most this many items per query, by relevance and without paging (reported)."""


def iso_instant(moment: datetime) -> str:
    """UTC with milliseconds and Z, the only form the endpoint accepts (a bare date gives HTTP 500)."""
    utc = moment.astimezone(UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"


def day_windows(now: datetime, days: int) -> list[tuple[datetime, datetime]]:
    """Today and the days before it, newest first, each from local midnight to the last millisecond of the day
    in Europe/Amsterdam (so 23 or 25 hours long on the DST change)."""
    today = now.astimezone(AMSTERDAM).date()
    windows = []
    for offset in range(max(1, min(days, MAX_WINDOW_DAYS))):
        day = today - timedelta(days=offset)
        start = datetime.combine(day, time(), tzinfo=AMSTERDAM)
        end = datetime.combine(day + timedelta(days=1), time(), tzinfo=AMSTERDAM) - timedelta(milliseconds=1)
        windows.append((start, end))
    return windows


def news_query(start: datetime, end: datetime) -> dict[str, object]:
    period = {"from": iso_instant(start), "to": iso_instant(end), "name": "specificPeriod"}
    return {
        "filters": [NEWS_FILTER, {"field": "sort_date", "type": "all", "values": [period]}],
        "resultSearchTerm": "",
        "pageTitle": "Nieuws",
    }


def news_query_urls(endpoint: str, now: datetime, window_days: int) -> list[str]:
    """One /api/rss URL per day of the window: a day rarely has more news than the 20-item cap."""
    separator = "&" if "?" in endpoint else "?"
    windows = day_windows(now, window_days)
    queries = (json.dumps(news_query(start, end), separators=(",", ":")) for start, end in windows)
    return [f"{endpoint}{separator}query={quote(query, safe='')}" for query in queries]


def is_news_page(url: str) -> bool:
    try:
        return "/actueel/nieuws/" in urlsplit(url).path
    except ValueError:  # "Invalid IPv6 URL" and the like
        return False


def url_key(url: str) -> str:
    """One page whether it came from the RSS or the sitemap (fragment, query and trailing slash ignored)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    return f"{parts.netloc.lower()}{parts.path.rstrip('/')}"


def parse_news_sitemap(text: str) -> list[ItemFields] | None:
    """The entries of a Google-News sitemap; None when the text is not a <urlset>."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, recover=True,
                             huge_tree=False, remove_comments=True, encoding="utf-8")
    try:
        root = etree.fromstring(text.encode("utf-8", "replace"), parser)
    except etree.XMLSyntaxError:
        return None
    if root is None or not isinstance(root.tag, str) or root.tag.rsplit("}", 1)[-1] != "urlset":
        return None
    return [fields for fields in map(_url_fields, root.iterfind("{*}url")) if fields is not None]


def _url_fields(element: etree._Element) -> ItemFields | None:
    location = _child_text(element, "{*}loc")
    if not location.startswith(("http://", "https://")):
        return None
    published = _child_text(element, ".//{*}publication_date") or _child_text(element, "{*}lastmod")
    return ItemFields(url=location, title=_child_text(element, ".//{*}title"), published=published or None)


def _child_text(element: etree._Element, path: str) -> str:
    child = element.find(path)
    return " ".join((child.text or "").split()) if child is not None else ""
