"""A fast path for plainly well-formed RSS 2.0 / 0.9x and Atom 1.0 feeds: lxml instead of feedparser.

`parse_well_formed` gives the `ItemFields` that `feeds.entry_fields` makes of feedparser's entries, or None
("let feedparser do it") for anything it is not sure to read the same way: a DOCTYPE or entity declaration, any
XML error or warning, RSS 1.0 / RDF or another root, xml:base, namespaces declared below the root, XHTML or
base64 content, HTML with tags feedparser's sanitiser would drop, repeated fields, nested elements in an entry
and every element to which feedparser gives a meaning this module does not model. What is inert is decided
from feedparser's own tables (its namespace prefixes and element handlers), so the two stay in step.
HTML fields are the source's HTML: feedparser sanitises and resolves links inside it, which leaves the text
(what the store keeps) unchanged for the tags allowed here.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from feedparser.mixin import _FeedParserMixin
from feedparser.util import FeedParserDict
from lxml import etree

from spiders.parsers.fields import FeedResult, ItemFields

ATOM = "{http://www.w3.org/2005/Atom}"
RSS_VERSIONS = {"2.0": "rss20", "0.91": "rss091u", "0.92": "rss092"}
_NAMESPACES = {uri.lower(): prefix.lower() for uri, prefix in _FeedParserMixin.namespaces.items()}
_STANDARD_PREFIXES = frozenset(_NAMESPACES.values()) - {""}
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
_HTML_TYPES = frozenset({"html", "text/html", "xhtml", "application/xhtml+xml"})
_SAFE_TAGS = frozenset(
    "a abbr acronym address article aside b big blockquote br caption center cite code col colgroup dd del dfn "
    "div dl dt em figcaption figure font footer h1 h2 h3 h4 h5 h6 header hr i img ins kbd li ol p pre q s "
    "samp section small span strike strong sub sup table tbody td tfoot th thead time tr tt u ul var".split())
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)(?:\s[^<>]*)?/?>")
_DECLARATION = re.compile(r"<\?xml\s+version\s*=\s*(['\"])1\.0\1(?:\s+encoding\s*=\s*(['\"])[A-Za-z][\w.-]*\2)?"
                          r"(?:\s+standalone\s*=\s*(['\"])(?:yes|no)\3)?\s*\?>")
_SCHEME_SLASHES = re.compile(r"^([A-Za-z][A-Za-z0-9+,\-.]*://)/*")
_UNESCAPED_QUERY = re.compile(r"&([A-Za-z0-9_]+);")
_CP1252 = {c: bytes([c]).decode("cp1252") for c in range(0x80, 0xA0) if c not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)}


class _Refused(Exception):
    """Something feedparser might read differently: the feed goes to feedparser."""


def parse_well_formed(text: str, url: str) -> FeedResult | None:
    """The feed's entries as feedparser + `entry_fields` would give them, or None to let feedparser parse it."""
    if not url.startswith(("http://", "https://")):
        return None
    root = _parse(text)
    if root is None:
        return None
    base = _join(url, url)
    try:
        if root.tag == "rss" and root.get("version") in RSS_VERSIONS:
            return _feed(root, base, RSS_VERSIONS[root.get("version", "")])
        if root.tag == ATOM + "feed":
            return _feed(root, base, "atom10")
    except _Refused:
        return None
    return None


def _parse(text: str) -> etree._Element | None:
    """The document's root, or None for an XML error or warning, a DTD, or namespaces declared below the root."""
    text = text.removeprefix("\ufeff")
    declaration = _DECLARATION.match(text)
    if declaration:
        text = text[declaration.end():]
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             remove_comments=True)
    try:
        root = etree.fromstring(text.encode("utf-8", "replace"), parser)
    except etree.XMLSyntaxError:
        return None
    if len(parser.error_log) or root.getroottree().docinfo.internalDTD is not None:
        return None
    uris = [uri.lower() for uri in root.nsmap.values()]
    if text.count("xmlns") != len(uris) or len(set(uris)) != len(uris) or _VERSION_NAMESPACES.intersection(uris):
        return None
    for prefix, uri in root.nsmap.items():  # a document prefix named like another namespace's would rename it
        standard = _NAMESPACES.get(uri.lower())
        if prefix in _STANDARD_PREFIXES and standard is not None and standard != prefix:
            return None
    return root


def _feed(root: etree._Element, base: str, version: str) -> FeedResult:
    _attributes(root)
    container, entry_tag, read = root, ATOM + "entry", _atom_entry
    if version != "atom10":
        channels = list(root)
        if len(channels) != 1 or channels[0].tag != "channel":
            raise _Refused
        container, entry_tag, read = channels[0], "item", _rss_item
        _attributes(container)
    entries: list[ItemFields] = []
    for child in container.iterchildren(etree.Element):
        if child.tag == entry_tag:
            fields = read(child, base)
            if fields is not None:
                entries.append(fields)
            continue
        for element in child.iter(etree.Element):
            if _name(element) in ("item", "entry"):
                raise _Refused
            _attributes(element)
    return FeedResult(entries=entries, version=version)


def _rss_item(item: etree._Element, base: str) -> ItemFields | None:
    found = {name: elements[0] for name, elements in _fields(item, _RSS_FIELDS).items()}
    guid = found.pop("guid", None)
    permalink = guid is not None and _attributes(guid, {"ispermalink"}).get("ispermalink", "true") == "true"
    guid_value = None if guid is None else _popped(_text(guid, {"ispermalink"}), base if permalink else None)
    link = guid_value if permalink else None
    if "link" in found:  # feedparser's repair of links whose query was escaped twice
        link = _UNESCAPED_QUERY.sub(r"&\1", _popped(_text(found.pop("link")), base).replace("&amp;", "&"))
    value = {name: _popped(_text(element)) for name, element in found.items()}
    for name in ("title", "description", "content_encoded"):
        _check_markup(value.get(name, ""))
    summary = value.get("description", value.get("content_encoded", ""))
    return _item(link, guid_value, value.get("title", ""), summary, value.get("content_encoded", ""),
                 value.get("pubdate") or value.get("dc_date"), value.get("author") or value.get("dc_creator", ""))


def _atom_entry(entry: etree._Element, base: str) -> ItemFields | None:
    found = _fields(entry, _ATOM_FIELDS, repeatable=frozenset({"link", "author"}))
    link = None
    for element in found.pop("link", []):
        attributes = _attributes(element, _LINK_ATTRIBUTES)
        if "href" not in attributes or len(element):
            raise _Refused
        rel = attributes.get("rel", "alternate").lower()
        kind = attributes.get("type", "application/atom+xml" if rel == "self" else "text/html").lower()
        if rel == "alternate" and kind in _HTML_TYPES:
            link = _join(base, attributes["href"])
    author = _atom_author(found.pop("author")[-1]) if "author" in found else ""
    guid = _popped(_text(found.pop("id")[0]), base) if "id" in found else None
    value = {name: _text_construct(found[name][0]) for name in ("title", "summary", "content") if name in found}
    dates = {name: _popped(_text(found[name][0])) for name in ("published", "updated") if name in found}
    return _item(link if link is not None else guid, guid, value.get("title", ""),
                 value.get("summary", value.get("content", "")), value.get("content", ""),
                 dates.get("published") or dates.get("updated"), author)


def _fields(entry: etree._Element, handled: frozenset[str],
            repeatable: frozenset[str] = frozenset()) -> dict[str, list[etree._Element]]:
    """The entry's children by feedparser name; refuses repeats, nesting and elements feedparser gives a meaning."""
    _attributes(entry, frozenset())
    found: dict[str, list[etree._Element]] = {}
    for child in entry.iterchildren(etree.Element):
        name = _name(child)
        if name in handled:
            if name in found and name not in repeatable:
                raise _Refused
            found.setdefault(name, []).append(child)
        elif name not in _INERT and (name in _HANDLERS or name in _RESERVED) or len(child):
            raise _Refused
        else:
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


def _text_construct(element: etree._Element) -> str:
    kind = _attributes(element, {"type"}).get("type", "text").lower()
    if kind not in _TEXT_TYPES:
        raise _Refused
    value = _popped(_text(element, {"type"}))
    if _TEXT_TYPES[kind]:
        _check_markup(value)
    return value


def _item(link: str | None, guid: str | None, title: str, summary: str, body: str, published: str | None,
          author: str) -> ItemFields | None:
    """`feeds.entry_fields` on the values feedparser would have put in the entry."""
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
    tag = element.tag
    if tag[0] != "{":
        return tag.lower()
    uri, _, local = tag[1:].partition("}")
    uri = uri.lower()
    if "backend.userland.com/rss" in uri:
        uri = "http://backend.userland.com/rss"
    prefix = _NAMESPACES.get(uri)
    if prefix is None:
        prefix = element.prefix or ""
    return f"{prefix}_{local}".lower() if prefix else local.lower()


def _attributes(element: etree._Element, allowed: frozenset[str] | set[str] | None = None) -> dict[str, str]:
    """Attributes keyed as feedparser keys them; refuses xml:base, repeats after lower-casing and (when `allowed`
    is given) any other than xml:lang and those."""
    result: dict[str, str] = {}
    for key, value in element.attrib.items():
        if key[0] == "{":
            uri, _, local = key[1:].partition("}")
            prefix = _NAMESPACES.get(uri.lower(), "")
            key = f"{prefix}:{local}" if prefix else local
        key = key.lower()
        if key in ("base", "xml:base") or key in result:
            raise _Refused
        if key != "xml:lang":
            result[key] = value
    if allowed is not None and not result.keys() <= allowed:
        raise _Refused
    return result


def _text(element: etree._Element, attributes: frozenset[str] | set[str] = frozenset()) -> str:
    """The text of an element without children (CDATA included), with no attributes but those named."""
    if len(element):
        raise _Refused
    _attributes(element, attributes)
    return element.text or ""


def _popped(value: str, base: str | None = None) -> str:
    """What feedparser's `pop` makes of an element's text: stripped, resolved (URIs), mis-decoded UTF-8
    repaired, C1 controls read as cp1252."""
    value = value.strip()
    if base is not None and value:
        value = _join(base, value)
    try:
        value = value.encode("iso-8859-1").decode("utf-8")
    except UnicodeError:
        pass
    return value.translate(_CP1252)


def _join(base: str, uri: str) -> str:
    """feedparser's `_urljoin`: surplus slashes after the scheme dropped, '' for what urljoin rejects."""
    try:
        return urljoin(base, _SCHEME_SLASHES.sub(r"\1", uri))
    except ValueError:
        return ""


def _check_markup(value: str) -> None:
    """Refuses HTML whose text feedparser's sanitiser could change: every '<' must open a harmless tag."""
    if "<" in value:
        tags = _TAG.findall(value)
        if len(tags) != value.count("<") or any(name.lower() not in _SAFE_TAGS for _, name in tags):
            raise _Refused
