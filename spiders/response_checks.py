"""What every family spider does at the edges: check a response before parsing it (text, not a challenge
page), build a request from a scraped URL without trusting it, and describe a failed download."""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from monitor.crawl.page_checks import challenge_reason
from spiders.base import SourceSpider


def usable_page(spider: SourceSpider, response: Response) -> bool:
    """True when the response is text worth parsing; otherwise the problem is reported and False returned."""
    if not isinstance(response, TextResponse):
        kind = response.headers.get("Content-Type", b"").decode("latin-1") or "no content type"
        spider.report("parse_error", f"{response.url}: not a text response ({kind})")
        return False
    reason = challenge_reason(response.status, response.text)
    if reason:
        spider.report("challenge", f"{response.url}: {reason}")
        return False
    return True


def fetch_failed(failure: Failure) -> bool:
    """True for a download that failed (connection error, timeout, an HTTP 4xx/5xx answer); False for a
    request the crawl glue dropped on purpose (304 Not Modified, robots.txt, a private address)."""
    return bool(failure.check(HttpError)) or not failure.check(IgnoreRequest)


def failure_message(failure: Failure) -> str:
    request = getattr(failure, "request", None)
    url = request.url if request is not None else "?"
    return f"{url}: {failure.type.__name__ if failure.type else 'error'}: {failure.getErrorMessage()[:300]}"


def follow_request(url: str, **kwargs: Any) -> Request | None:
    """A request for a URL found in a page or feed; None unless it is an http(s) URL Scrapy accepts."""
    if not url.startswith(("http://", "https://")):
        return None
    try:
        return Request(url, **kwargs)
    except ValueError:  # "Missing scheme", bad characters: a mangled link is not a reason to fail the page
        return None
