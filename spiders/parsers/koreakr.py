"""korea.kr (정책브리핑): per-ministry RSS whose description is the full body; the HTML list as fallback."""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from bs4 import BeautifulSoup, NavigableString, Tag

from spiders.parsers.fields import FeedResult, ItemFields
from spiders.parsers.local_time import SEOUL, find_local_datetime
from spiders.parsers.markup import drop_invisible, first_with_text, inner_html, parse_html, text_of

NEWS_ID = re.compile(r"[?&]newsId=(\d+)")
TITLE_PREFIX = re.compile(r"^\s*\[([^\[\]]{2,30})\]\s*")
CREDIT = re.compile(r"\[\s*자료\s*제공\s*[:：]?[^\[\]]{0,200}\]?")
"""The trailing "[자료제공 : <logo>]" block (the logo image sits between the colon and the bracket)."""
BUTTON_IMAGE = re.compile(r"btn|button|text_?view|txt_?view|텍스트\s*보기|원문\s*보기|text\s*view", re.I)
TRACKING_PARAMETERS = ("call_from", "pWise")
MINISTRY_ALIASES = {
    "산업통상부": ("산업통상자원부", "MOTIR", "MOTIE"),
    "과학기술정보통신부": ("과기정통부", "MSIT"),
}
FALLBACK_DAYS = 2


def news_id(url: str) -> str | None:
    match = NEWS_ID.search(url)
    return match.group(1) if match else None


def identity_url(url: str) -> str:
    """The link without `call_from` and `pWise*` tracking parameters."""
    try:
        parts = urlsplit(url)
    except ValueError:  # not a URL urllib can split: keep it as found
        return url
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True)
             if not key.startswith(TRACKING_PARAMETERS)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def split_ministry_prefix(title: str) -> tuple[str, str]:
    """`[외교부] 제목` → ("외교부", "제목"); no prefix → ("", title)."""
    match = TITLE_PREFIX.match(title)
    return (match.group(1).strip(), title[match.end():].strip()) if match else ("", title.strip())


def same_ministry(found: str, wanted: str) -> bool:
    names = {wanted, *MINISTRY_ALIASES.get(wanted, ())}
    squeezed = "".join(found.split())
    return any("".join(name.split()) == squeezed for name in names)


def clean_description(description: str) -> str:
    """The description's body HTML without the "text view" button and the "[자료제공 : …]" logo block."""
    soup = parse_html(description)
    drop_invisible(soup)
    for image in soup.find_all("img"):
        if image.decomposed:  # went with an earlier button's link
            continue
        signature = f"{image.get('src', '')} {image.get('alt', '')} {image.get('title', '')}"
        if BUTTON_IMAGE.search(signature):
            link = image.find_parent("a")
            (link if isinstance(link, Tag) and not text_of(link) else image).decompose()
    for node in soup.find_all(string=re.compile(r"자료\s*제공")):
        if isinstance(node, NavigableString) and getattr(node, "parent", None) is not None:
            _drop_credit(node)  # a credit already removed with an earlier block has no parent
    _drop_empty(soup)
    root = soup.body or soup
    return inner_html(root) if isinstance(root, Tag) else str(root)


def _drop_credit(node: NavigableString) -> None:
    """Remove the smallest element holding only the credit block, or cut the credit out of the text."""
    block: Tag | None = node.parent
    if block is None:
        return
    if not CREDIT.fullmatch(text_of(block)):
        _cut_inline_credit(node)
        return
    while block.parent is not None and block.parent.name not in ("body", "html", "[document]") \
            and CREDIT.fullmatch(text_of(block.parent)):
        block = block.parent
    block.decompose()


def _cut_inline_credit(node: NavigableString) -> None:
    """The credit shares its element with body text: cut "[자료제공 :", the logo image and the closing "]"."""
    for sibling in list(node.next_siblings)[:6]:
        if isinstance(sibling, Tag) and sibling.name == "img":
            sibling.decompose()
        elif isinstance(sibling, NavigableString) and sibling.strip():
            if sibling.strip().startswith("]") and "]" not in str(node):
                sibling.replace_with(sibling.split("]", 1)[1])
            break
    node.replace_with(CREDIT.sub("", str(node)))


def _drop_empty(soup: BeautifulSoup) -> None:
    for tag in reversed(soup.find_all(["p", "div", "span", "a", "br"])):
        if tag.name != "br" and not text_of(tag) and tag.find(["img", "table", "iframe"]) is None:
            tag.decompose()


def feed_items(result: FeedResult, ministry: str) -> list[ItemFields]:
    """RSS entries as items: newsId identity, cleaned body, ministry from the title prefix or the source."""
    items = []
    for entry in result.entries:
        url = entry.get("url") or ""
        prefix, title = split_ministry_prefix(entry.get("title") or "")
        description = entry.get("body") or entry.get("summary") or ""
        items.append(ItemFields(
            url=identity_url(url) if url else "",
            title=title,
            body=clean_description(description) if description else "",
            guid=news_id(url) or entry.get("guid"),
            published=entry.get("published"),
            ministry=prefix or ministry,
        ))
    return items


def dated_list_url(url: str, today: date) -> str:
    """The fallback list URL with startDate/endDate (when present) set to the last FALLBACK_DAYS days."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    query = parse_qsl(parts.query, keep_blank_values=True)
    if not any(key in ("startDate", "endDate") for key, _ in query):
        return url
    dates = {"startDate": (today - timedelta(days=FALLBACK_DAYS)).isoformat(), "endDate": today.isoformat()}
    query = [(key, dates.get(key, value)) for key, value in query]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def _absolute(base: str, href: str) -> str:
    try:
        return urljoin(base, href)
    except ValueError:
        return ""


def parse_press_list(text: str, list_url: str) -> list[ItemFields]:
    """Rows of `briefing/pressReleaseList.do`: a link to pressReleaseView.do?newsId=…, a title, a date, a
    ministry and a lead where the row shows them. Links resolve against the list URL."""
    soup = parse_html(text)
    drop_invisible(soup)
    rows: dict[str, ItemFields] = {}
    for link in soup.select('a[href*="pressReleaseView.do"]'):
        href = link.get("href")
        url = identity_url(_absolute(list_url, href)) if isinstance(href, str) else ""
        identifier = news_id(url)
        if identifier is None or identifier in rows:
            continue
        row = link.find_parent(["li", "tr"]) or link
        heading = text_of(first_with_text(link, ("strong", ".title"))) or text_of(link)
        prefix, title = split_ministry_prefix(heading)
        rows[identifier] = ItemFields(
            url=url, guid=identifier, title=title,
            summary=inner_html(lead) if (lead := row.select_one(".lead, .summary")) is not None else "",
            published=find_local_datetime(text_of(row.select_one(".date")) or text_of(row), SEOUL),
            ministry=text_of(row.select_one(".dept, .ministry, .source .name")) or prefix,
        )
    return list(rows.values())
