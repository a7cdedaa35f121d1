"""A fast path for plainly well-formed RSS 2.0 / 0.9x and Atom 1.0: lxml instead of feedparser, same `ItemFields`.

None means "let feedparser do it": a DTD, an XML error or warning, another root (RSS 1.0 / RDF), xml:base, namespaces
declared below the root, XHTML content, repeated fields, nested elements in an entry, HTML with tags the sanitiser
drops or relative links, any element feedparser gives a meaning not modelled here (its own tables decide). HTML stays
as sent: feedparser's sanitiser would change its markup, never its text (what the store keeps)."""

from __future__ import annotations

import contextlib
import re
from html.entities import entitydefs
from urllib.parse import urljoin

from feedparser.mixin import _FeedParserMixin
from feedparser.sanitizer import _HTMLSanitizer
from feedparser.util import FeedParserDict
from lxml import etree

from spiders.parsers.fields import FeedResult, ItemFields

ATOM = "{http://www.w3.org/2005/Atom}"
RSS_VERSIONS = {"2.0": "rss20", "0.91": "rss091u", "0.92": "rss092"}
_NAMESPACES = {uri.lower(): prefix.lower() for uri, prefix in _FeedParserMixin.namespaces.items()}
_PREFIXES = frozenset(_NAMESPACES.values()) - {""}
_VERSION_NAMESPACES = frozenset({"http://purl.org/rss/1.0/", "http://my.netscape.com/rdf/simple/0.9/"})
_HANDLERS = frozenset(name.split("_", 2)[2].lower() for name in dir(_FeedParserMixin)
                      if name.startswith(("_start_", "_end_")))
_RESERVED = frozenset(FeedParserDict.keymap) | {"id", "link", "links", "title", "summary", "content", "published",
                                                 "updated", "author", "authors", "author_detail", "guidislink"}
_INERT = frozenset({"category", "enclosure", "dc_subject", "media_category", "media_content", "media_thumbnail",
                    "rights"})
_RSS_FIELDS = frozenset({"title", "link", "description", "guid", "pubdate", "dc_date", "author", "dc_creator",
                         "content_encoded"})
_ATOM_FIELDS = frozenset({"id", "title", "link", "published", "updated", "author", "summary", "content"})
_LINK_ATTRIBUTES = frozenset({"href", "rel", "type", "title", "hreflang", "length"})
_TEXT_TYPES = {"text": False, "text/plain": False, "html": True, "text/html": True}
_SAFE_TAGS = frozenset(_HTMLSanitizer.acceptable_elements)
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)"  # end tag, name, well-formed attributes, self-closing
                  r"((?:\s+[^\s\"'<>/=]+(?:\s*=\s*(?:\"[^\"<>]*\"|'[^'<>]*'|[^\s\"'<>=`]+))?)*)\s*(/?)>")
_VOID = frozenset({"area", "br", "col", "command", "hr", "img", "input", "keygen", "source"})
_RELATIVE_URI = re.compile(r"\s(?:action|background|cite|classid|codebase|data|href|longdesc|poster|profile|src|usemap)"
                           r"\s*=\s*(?![\"']?\s*[A-Za-z][A-Za-z0-9+.-]*:)", re.IGNORECASE)
_DECLARATION = re.compile(r"<\?xml\s+version\s*=\s*(['\"])1\.0\1(?:\s+encoding\s*=\s*(['\"])[A-Za-z][\w.-]*\2)?"
                          r"(?:\s+standalone\s*=\s*(['\"])(?:yes|no)\3)?\s*\?>")
_AMPERSAND = re.compile(r"&(?:#\d+;|#x[0-9a-f]+;|[A-Za-z][A-Za-z0-9]*;)?")
_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]+)?(?:/[\w\-.~!$&'()*+,=:@%/]*)?"
                        r"(?:\?[\w\-.~!$&'()*+,;=:@%/?]+)?\Z", re.ASCII)
_SCHEME_SLASHES = re.compile(r"^([A-Za-z][A-Za-z0-9+,\-.]*://)/*")
_ESCAPED_QUERY = re.compile(r"&([A-Za-z0-9_]+);")
_C1 = re.compile("[\x80-\x9f]")
_CP1252 = {c: bytes([c]).decode("cp1252") for c in range(0x80, 0xA0) if c not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)}


class _Refused(Exception):
    """Something feedparser might read differently: the feed goes to feedparser."""


def parse_well_formed(text: str, url: str) -> FeedResult | None:
    """The feed's entries as feedparser + `entry_fields` would give them, or None to let feedparser parse it."""
    root = _parse(text) if url.startswith(("http://", "https://")) else None
    try:
        return None if root is None else _feed(root, _join(url, url))
    except _Refused:
        return None


def _parse(text: str) -> etree._Element | None:
    """The root; None for an XML error or warning, a DTD, or namespaces feedparser could map otherwise."""
    text = text.removeprefix("\ufeff")
    declaration = _DECLARATION.match(text)  # the text is decoded: its declared encoding no longer holds
    if declaration is None and re.match(r"<\?xml(?![\w.-])", text):
        return None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             remove_comments=True)
    try:
        root = etree.fromstring(text[declaration.end() if declaration else 0:].encode("utf-8", "replace"), parser)
    except etree.XMLSyntaxError:
        return None
    if len(parser.error_log) or root.getroottree().docinfo.internalDTD is not None:
        return None
    uris = [uri.lower() for uri in root.nsmap.values()]
    if text.count("xmlns") != len(uris) or len(set(uris)) != len(uris) or _VERSION_NAMESPACES.intersection(uris):
        return None  # declared below the root, twice, or setting feedparser's version
    for prefix, uri in root.nsmap.items():  # a prefix spelt like another namespace's standard one renames it
        if (prefix in _PREFIXES and _NAMESPACES.get(uri.lower(), prefix) != prefix) or not (prefix or "").isascii():
            return None
    return root


def _feed(root: etree._Element, base: str) -> FeedResult:
    if root.tag == ATOM + "feed":
        version, container, entry_tag, read = "atom10", root, ATOM + "entry", _atom_entry
    elif root.tag == "rss" and root.get("version") in RSS_VERSIONS and len(root) == 1 and root[0].tag == "channel":
        version, container, entry_tag, read = RSS_VERSIONS[root.get("version", "")], root[0], "item", _rss_item
    else:
        raise _Refused
    _attributes(root)
    _attributes(container)
    entries: list[ItemFields] = []
    for child in container.iterchildren(etree.Element):
        if child.tag == entry_tag:
            entries.extend(fields for fields in [read(child, base)] if fields is not None)
            continue
        for element in child.iter(etree.Element):  # feed-level elements: no hidden entries, no xml:base
            if _name(element) in ("item", "entry"):
                raise _Refused
            _attributes(element)
    return FeedResult(entries=entries, version=version)


def _rss_item(item: etree._Element, base: str) -> ItemFields | None:
    found = {name: elements[0] for name, elements in _fields(item, _RSS_FIELDS).items()}
    guid = found.pop("guid", None)
    permalink = guid is not None and _attributes(guid, {"ispermalink"}).get("ispermalink", "true") == "true"
    guid_value = None if guid is None else _popped(_text(guid, {"ispermalink"}), base if permalink else None)
    link = guid_value if permalink else None  # a <link>, even empty, overrides the permalink
    if "link" in found:  # with feedparser's repair of queries escaped twice
        link = _ESCAPED_QUERY.sub(r"&\1", _popped(_text(found.pop("link")), base).replace("&amp;", "&"))
    value = {name: _popped(_text(element)) for name, element in found.items()}
    _check_title(value.get("title", ""), None)
    _check_markup(value.get("description", ""))
    _check_markup(value.get("content_encoded", ""))
    summary = value.get("description", value.get("content_encoded", ""))
    return _item(link, guid_value, value.get("title", ""), summary, value.get("content_encoded", ""),
                 value.get("pubdate") or value.get("dc_date"), value.get("author") or value.get("dc_creator", ""))


def _atom_entry(entry: etree._Element, base: str) -> ItemFields | None:
    found = _fields(entry, _ATOM_FIELDS, repeatable="link")
    link = None  # the last alternate HTML link, else the id
    for element in found.pop("link", []):
        attributes = _attributes(element, _LINK_ATTRIBUTES)
        if "href" not in attributes or len(element):
            raise _Refused
        rel = attributes.get("rel", "alternate").lower()
        kind = attributes.get("type", "application/atom+xml" if rel == "self" else "text/html").lower()
        if rel == "alternate" and kind in ("html", "text/html", "xhtml", "application/xhtml+xml"):
            link = _join(base, attributes["href"])
    author = _atom_author(found.pop("author")[0]) if "author" in found else ""
    guid = _popped(_text(found.pop("id")[0]), base) if "id" in found else None
    value = {name: _text_construct(found[name][0], name) for name in ("title", "summary", "content") if name in found}
    dates = {name: _popped(_text(found[name][0])) for name in ("published", "updated") if name in found}
    return _item(link if link is not None else guid, guid, value.get("title", ""),
                 value.get("summary", value.get("content", "")), value.get("content", ""),
                 dates.get("published") or dates.get("updated"), author)


def _fields(entry: etree._Element, handled: frozenset[str], repeatable: str = "") -> dict[str, list[etree._Element]]:
    """The entry's children by feedparser name; refuses repeats, nesting and elements feedparser gives a meaning."""
    _attributes(entry, frozenset())
    found: dict[str, list[etree._Element]] = {}
    for child in entry.iterchildren(etree.Element):
        name = _name(child)
        if name in handled:
            if name in found and name != repeatable:
                raise _Refused
            found.setdefault(name, []).append(child)
        elif len(child) or (name not in _INERT and (name in _HANDLERS or name in _RESERVED)):
            raise _Refused
        _attributes(child)
    if "author" in found and "dc_creator" in found:
        raise _Refused
    return found


def _atom_author(author: etree._Element) -> str:
    """feedparser's `author` for an Atom person: "name (email)", the name or the email."""
    _attributes(author, frozenset())
    if not len(author) or (author.text or "").strip():
        raise _Refused
    parts: dict[str, str] = {}
    for child in author.iterchildren():
        name = _name(child) if isinstance(child.tag, str) else ""
        if name not in ("name", "email", "uri") or name in parts or (child.tail or "").strip():
            raise _Refused
        parts[name] = _text(child).strip()
    name, email = parts.get("name", ""), parts.get("email", "")
    return f"{name} ({email})" if name and email else name or email


def _text_construct(element: etree._Element, name: str) -> str:
    kind = _attributes(element, {"type"}).get("type", "text").lower()
    if kind not in _TEXT_TYPES:
        raise _Refused
    value = _popped(_text(element, {"type"}))
    if name == "title":
        _check_title(value, _TEXT_TYPES[kind])
    elif _TEXT_TYPES[kind]:
        _check_markup(value)
    return value


def _item(link: str | None, guid: str | None, title: str, summary: str, body: str, published: str | None,
          author: str) -> ItemFields | None:
    """What `feeds.entry_fields` makes of these entry values."""
    guid = (guid or "").strip() or None
    url = (link or "").strip()
    if not url and guid and guid.startswith(("http://", "https://")):
        url = guid
    if not url and not guid:
        return None
    return ItemFields(url=url, title=title.strip(), summary=summary.strip(), body=body.strip(), guid=guid,
                      published=(published or "").strip() or None, author=author.strip())


def _name(element: etree._Element) -> str:
    """The element's name as feedparser dispatches on it: standard namespace prefix, lower case."""
    if not element.tag.isascii():  # expat knows fewer name characters than libxml2
        raise _Refused
    uri, _, local = element.tag[1:].partition("}") if element.tag[0] == "{" else ("", "", element.tag)
    uri = "http://backend.userland.com/rss" if "backend.userland.com/rss" in uri.lower() else uri.lower()
    prefix = _NAMESPACES.get(uri, element.prefix or "") if uri else ""
    return f"{prefix}_{local}".lower() if prefix else local.lower()


def _attributes(element: etree._Element, allowed: frozenset[str] | set[str] | None = None) -> dict[str, str]:
    """Attributes as feedparser keys them; refuses xml:base, case-only repeats, and any not `allowed` (or xml:lang)."""
    result: dict[str, str] = {}
    for key, value in element.items():
        if key[0] == "{":
            uri, _, local = key[1:].partition("}")
            key = f"{_NAMESPACES[uri.lower()]}:{local}" if _NAMESPACES.get(uri.lower()) else local
        key = key.lower()
        if key in ("base", "xml:base") or key in result or not key.isascii():
            raise _Refused
        if key != "xml:lang":
            result[key] = value
    if allowed is not None and not result.keys() <= allowed:
        raise _Refused
    return result


def _text(element: etree._Element, attributes: frozenset[str] | set[str] = frozenset()) -> str:
    """The text of an element without children, nor attributes but those named."""
    if len(element):
        raise _Refused
    _attributes(element, attributes)
    return element.text or ""


def _popped(value: str, base: str | None = None) -> str:
    """feedparser's `pop` of a text: stripped, resolved (URIs), mis-decoded UTF-8 repaired, C1 read as cp1252."""
    value = value.strip()
    if base is not None and value:
        value = _join(base, value)
    if value.isascii():
        return value
    with contextlib.suppress(UnicodeError):
        value = value.encode("iso-8859-1").decode("utf-8")
    return value.translate(_CP1252) if _C1.search(value) else value


def _join(base: str, uri: str) -> str:
    """feedparser's `_urljoin`: surplus slashes after the scheme dropped, '' for what urljoin rejects."""
    if _PLAIN_URL.match(uri):  # what urljoin would give back unchanged
        return uri
    try:
        return urljoin(base, _SCHEME_SLASHES.sub(r"\1", uri))
    except ValueError:
        return ""


def _check_title(value: str, html: bool | None) -> None:
    """Refuses an HTML title the sanitiser would rewrite (tags, bare '&', references it renames): items without
    link or GUID are keyed on the raw title. `html` None is RSS, where feedparser guesses."""
    if ("&" in value or "<" in value) and (html or (html is None and _FeedParserMixin.looks_like_html(value))) and (
            "<" in value or not all(map(_kept_reference, _AMPERSAND.findall(value)))):
        raise _Refused


def _kept_reference(reference: str) -> bool:
    """Whether the sanitiser leaves this '&...;' as it is."""
    if reference.startswith("&#"):
        return int(reference[3:-1], 16) >= 0xA0 if reference[2] == "x" else int(reference[2:-1]) >= 0xA0
    return reference[1:-1] in entitydefs


def _check_markup(value: str) -> None:
    """Refuses HTML with a '<' that opens no tag the sanitiser keeps, or a relative link feedparser would resolve."""
    if "<" in value:
        tags = _TAG.findall(value)
        if len(tags) != value.count("<") or not all(_kept_tag(*tag) for tag in tags):
            raise _Refused


def _kept_tag(end: str, name: str, attributes: str, closed: str) -> bool:
    """A tag the sanitiser keeps, without relative links; only void elements self-close, and never end."""
    void = name.lower() in _VOID
    return name.lower() in _SAFE_TAGS and not _RELATIVE_URI.search(attributes) and (not end if void else not closed)
