"""Recognise pages that are not content: bot challenges, captchas, access-denied and maintenance pages.

Such pages often come with 200 OK. A spider asks `challenge_reason` about every response and, given a reason,
reports a "challenge" and yields nothing from the page. Markers that only a challenge page carries count
anywhere in the page; words an ordinary article may use ("captcha", "점검", "onderhoud") count only in the
<title> or on a short page, because real challenge and maintenance pages have little visible text.
"""

from __future__ import annotations

import re

SCAN_CHARS = 300_000
"""Only the start of a page is inspected: challenge pages are small, and this keeps huge pages cheap."""
SHORT_PAGE_CHARS = 2_000
"""Visible text at or below this length makes a page "short"."""

_STRONG_MARKERS: tuple[tuple[str, str], ...] = (
    ("cf-browser-verification", "Cloudflare browser check"),
    ("_cf_chl_opt", "Cloudflare challenge"),
    ("cf-challenge-running", "Cloudflare challenge"),
    ("challenges.cloudflare.com/turnstile", "Cloudflare Turnstile captcha"),
    ("ddos-guard.net/", "DDoS-Guard check"),
    ("_incapsula_resource", "Imperva/Incapsula block"),
    ("captcha-delivery.com", "DataDome captcha"),
)
_TITLE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"just a moment\s*(\.\.\.|…)?", re.I), "Cloudflare 'Just a moment…' page"),
    (re.compile(r"attention required!?\s*\|\s*cloudflare", re.I), "Cloudflare 'Attention Required' page"),
    (re.compile(r"please wait\s*(\.\.\.|…)?\s*\|\s*cloudflare", re.I), "Cloudflare wait page"),
    (re.compile(r"checking your browser", re.I), "browser check page"),
    (re.compile(r"ddos-guard", re.I), "DDoS-Guard check"),
)
_SHORT_PAGE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bcaptcha\b|g-recaptcha|h-captcha|cf-turnstile", re.I), "captcha page"),
    (re.compile(r"\baccess denied\b|\b403 forbidden\b|you don't have permission to access", re.I),
     "access denied page"),
    (re.compile(r"verify (that )?you are (a )?human|are you a robot", re.I), "human verification page"),
    (re.compile(r"(시스템|서버|서비스|홈페이지|사이트|전산)\s*(정기\s*)?점검|점검\s*(중|시간)\s*(입니다|으로|이오니)"
                r"|이용이\s*(일시\s*)?(중단|제한)"), "maintenance page (점검)"),
    (re.compile(r"(wegens|vanwege|gepland|technisch|in)\s+onderhoud|onderhoud\s+aan\s+de\s+(web)?site", re.I),
     "maintenance page (onderhoud)"),
    (re.compile(r"under maintenance|scheduled maintenance|temporarily (down|unavailable) for maintenance",
                re.I), "maintenance page"),
)
_INVISIBLE_ELEMENTS = ("script", "style", "noscript", "template")
_TAG = re.compile(r"<[^<>]*>")
_FEED_ROOTS = ("<rss", "<feed", "<rdf:rdf", "<urlset", "<sitemapindex")
_SPACE = re.compile(r"\s+")


def challenge_reason(status: int, text: str) -> str | None:
    """Why this response is a challenge or maintenance page rather than content, or None for a normal page."""
    head = text[:SCAN_CHARS]
    lowered = head.lower()
    for marker, reason in _STRONG_MARKERS:
        if marker in lowered:
            return _with_status(status, reason)
    if _looks_like_feed(lowered):
        return None
    title = page_title(head)
    visible = visible_text(head)
    short = len(visible) <= SHORT_PAGE_CHARS
    for pattern, reason in _TITLE_PATTERNS:
        if title and pattern.search(title) and (short or status != 200):
            return _with_status(status, reason)
    if short:
        probe = f"{title}\n{visible}"
        for pattern, reason in _SHORT_PAGE_PATTERNS:
            if pattern.search(probe):
                return _with_status(status, reason)
        if status == 503:
            return _with_status(status, "service unavailable page")
    return None


def page_title(text: str) -> str:
    """The text of the first <title>, whitespace collapsed ('' when there is none)."""
    lowered = text.lower()
    start = lowered.find("<title")
    if start < 0:
        return ""
    opened = lowered.find(">", start)
    closed = lowered.find("</title", opened)
    if opened < 0 or closed < 0:
        return ""
    return _SPACE.sub(" ", _TAG.sub(" ", text[opened + 1:closed])).strip()


def visible_text(text: str) -> str:
    """A cheap approximation of the visible text: scripts, styles and comments dropped, tags removed.

    Scans with str.find rather than a backtracking regex, so hostile markup costs linear time."""
    return _SPACE.sub(" ", _TAG.sub(" ", _without_invisible(text))).strip()


def _without_invisible(text: str) -> str:
    lowered = text.lower()
    openers = {"<!--": "-->", **{f"<{name}": f"</{name}" for name in _INVISIBLE_ELEMENTS}}
    upcoming = {opener: lowered.find(opener) for opener in openers}  # each kind searched forward only once
    kept: list[str] = []
    position = 0
    while True:
        for opener, found in upcoming.items():
            if 0 <= found < position:
                upcoming[opener] = lowered.find(opener, position)
        candidates = [(found, opener) for opener, found in upcoming.items() if found >= 0]
        if not candidates:
            kept.append(text[position:])
            return " ".join(kept)
        start, opener = min(candidates)
        kept.append(text[position:start])
        end = lowered.find(openers[opener], start + 1)
        if end < 0:
            return " ".join(kept)
        position = end + len(openers[opener])
        if opener != "<!--":  # step over the rest of the closing tag: "</script >"
            closing = lowered.find(">", position, position + 100)
            position = closing + 1 if closing >= 0 else position


def _looks_like_feed(lowered: str) -> bool:
    start = lowered.lstrip()[:1000]
    return start.startswith("{") or any(root in start for root in _FEED_ROOTS)


def _with_status(status: int, reason: str) -> str:
    return reason if status == 200 else f"{reason} (HTTP {status})"
