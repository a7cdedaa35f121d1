"""Reading served feeds back: strict lxml parsing, feedparser, JSON Feed, and the entries' titles and links."""

from __future__ import annotations

import json
from typing import Any

import feedparser
from lxml import etree, html

ATOM = "{http://www.w3.org/2005/Atom}"
STRICT = etree.XMLParser(resolve_entities=False, no_network=True, recover=False)


def strict_xml(body: bytes) -> etree._Element:
    """The document parsed strictly (raises on any well-formedness error), entities never resolved."""
    return etree.fromstring(body, STRICT)


def feedparsed(body: bytes) -> Any:
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def json_feed(body: bytes) -> dict[str, Any]:
    feed = json.loads(body.decode("utf-8"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(feed["title"], str) and isinstance(feed["items"], list)
    for item in feed["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert "content_html" in item or "content_text" in item
    return feed


def titles(fmt: str, body: bytes) -> list[str]:
    """Entry titles exactly as a strict parser reads them."""
    if fmt == "json":
        return [item["title"] for item in json_feed(body)["items"]]
    root = strict_xml(body)
    if fmt == "atom":
        return [entry.findtext(f"{ATOM}title") for entry in root.iter(f"{ATOM}entry")]
    return [item.findtext("title") for item in root.iter("item")]


def guids(fmt: str, body: bytes) -> list[str]:
    if fmt == "json":
        return [item["id"] for item in json_feed(body)["items"]]
    root = strict_xml(body)
    if fmt == "atom":
        return [entry.findtext(f"{ATOM}id") for entry in root.iter(f"{ATOM}entry")]
    return [item.findtext("guid") for item in root.iter("item")]


def entry_links(fmt: str, body: bytes) -> list[str]:
    """Every link an entry points at: its own link and the hrefs inside its HTML content."""
    found: list[str] = []
    if fmt == "json":
        for item in json_feed(body)["items"]:
            found += [item["url"]] if "url" in item else []
            found += content_hrefs(item["content_html"])
        return found
    root = strict_xml(body)
    if fmt == "atom":
        for entry in root.iter(f"{ATOM}entry"):
            found += [link.get("href") for link in entry.iter(f"{ATOM}link")]
            found += content_hrefs(entry.findtext(f"{ATOM}content") or "")
        return found
    for item in root.iter("item"):
        found += [link.text for link in item.iter("link")]
        found += content_hrefs(item.findtext("description") or "")
    return found


def contents(fmt: str, body: bytes) -> list[str]:
    """The HTML content of each entry."""
    if fmt == "json":
        return [item["content_html"] for item in json_feed(body)["items"]]
    root = strict_xml(body)
    if fmt == "atom":
        return [entry.findtext(f"{ATOM}content") or "" for entry in root.iter(f"{ATOM}entry")]
    return [item.findtext("description") or "" for item in root.iter("item")]


def content_hrefs(fragment: str) -> list[str]:
    if not fragment.strip():
        return []
    tree = html.fragment_fromstring(fragment, create_parent="div")
    return [element.get("href") for element in tree.iter("a")]


def content_tags(fragment: str) -> set[str]:
    tree = html.fragment_fromstring(fragment, create_parent="div")
    return {element.tag for element in tree.iter() if isinstance(element.tag, str)} - {"div"}
