"""robots.txt as RFC 9309 reads it: obeyed when present, everything allowed when absent (4xx), and the whole
host left alone this run when robots.txt cannot be fetched (5xx, timeout, connection failure).

Replaces Scrapy's RobotsTxtMiddleware, which crawls anyway when robots.txt is unreachable. `Crawl-delay` is
honoured by raising the delay of the host's download slot.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scrapy import Request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler, load_object
from twisted.internet.defer import Deferred

if TYPE_CHECKING:
    from urllib.parse import ParseResult

    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.robotstxt import RobotParser

logger = logging.getLogger(__name__)

DEFAULT_PORTS = {"http": 80, "https": 443}


class RobotsRefused(IgnoreRequest):
    """robots.txt disallows the request, or could not be fetched so the whole host is off limits this run."""


class RobotsUnreachable(RobotsRefused):
    """The host is off limits this run because its robots.txt could not be downloaded at all (DNS failure,
    refused or lost connection, timeout): in effect the site is unreachable, not merely unwilling."""


@dataclass(frozen=True)
class RobotsPolicy:
    """What robots.txt says about one origin for this run."""

    origin: str
    parser: RobotParser | None = None
    """None: no rules (robots.txt answered 4xx), everything is allowed."""
    refusal: str | None = None
    """Set when robots.txt was unreachable: every request to the origin is refused with this reason."""
    crawl_delay: float | None = None
    unreachable: bool = False
    """The refusal comes from a download failure rather than an HTTP answer."""


def robots_origin(url: ParseResult) -> str:
    """scheme://host:port, the unit robots.txt applies to (RFC 9309 §2.3)."""
    port = url.port or DEFAULT_PORTS.get(url.scheme, 0)
    host = url.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    return f"{url.scheme}://{host}:{port}"


def policy_for_response(origin: str, status: int, parser: RobotParser | None,
                        crawl_delay: float | None) -> RobotsPolicy:
    """The policy an answer to /robots.txt implies; `parser` is only used for a 2xx."""
    if 200 <= status < 300:
        return RobotsPolicy(origin, parser=parser, crawl_delay=crawl_delay)
    if 300 <= status < 500 and status != 429:
        # 4xx (and redirects left unfollowed): "unavailable", crawl without rules. 429 is a server asking us
        # to slow down, so it counts as unreachable, like a 5xx.
        return RobotsPolicy(origin)
    return RobotsPolicy(origin, refusal=f"robots.txt answered HTTP {status}")


def _relay(pending: Deferred[RobotsPolicy]) -> Deferred[RobotsPolicy]:
    """A Deferred of its own for one waiter, leaving `pending`'s result intact for the others."""
    mine: Deferred[RobotsPolicy] = Deferred()

    def forward(policy: RobotsPolicy) -> RobotsPolicy:
        mine.callback(policy)
        return policy

    pending.addCallback(forward)
    return mine


class StrictRobotsTxtMiddleware:
    """Downloader middleware (order 100, in place of Scrapy's RobotsTxtMiddleware); on when ROBOTSTXT_OBEY.

    Reads ROBOTSTXT_OBEY, ROBOTSTXT_PARSER, ROBOTSTXT_USER_AGENT and USER_AGENT. One robots.txt fetch per
    scheme, host and port per crawl; requests to the same origin wait for that fetch.
    """

    DOWNLOAD_PRIORITY = 1000

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured
        self.crawler = crawler
        self._user_agent: str = settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT") or ""
        self._parser_class: Any = load_object(settings.get("ROBOTSTXT_PARSER"))
        self._policies: dict[str, RobotsPolicy | Deferred[RobotsPolicy]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StrictRobotsTxtMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        url = urlparse_cached(request)
        if request.meta.get("dont_obey_robotstxt") or url.scheme not in DEFAULT_PORTS:
            return
        policy = await self._policy(robots_origin(url))
        self._enforce(policy, request)

    def _enforce(self, policy: RobotsPolicy, request: Request) -> None:
        reason = policy.refusal
        parser = policy.parser
        if reason is None and parser and not parser.allowed(request.url, self._agent_for(request)):
            reason = "forbidden by robots.txt"
        if reason is not None:
            self._inc_stat("monitor/robots_refused")
            logger.debug("Refused %s: %s", request.url, reason)
            raise (RobotsUnreachable if policy.unreachable else RobotsRefused)(f"{request.url}: {reason}")
        if policy.crawl_delay:
            self._apply_crawl_delay(request, policy.crawl_delay)

    def _agent_for(self, request: Request) -> str:
        if self.crawler.settings.get("ROBOTSTXT_USER_AGENT"):
            return self._user_agent
        header = request.headers.get(b"User-Agent")
        return header.decode("latin-1") if header else self._user_agent

    async def _policy(self, origin: str) -> RobotsPolicy:
        known = self._policies.get(origin)
        if isinstance(known, RobotsPolicy):
            return known
        if known is not None:
            return await maybe_deferred_to_future(_relay(known))
        pending: Deferred[RobotsPolicy] = Deferred()
        self._policies[origin] = pending
        policy = RobotsPolicy(origin, refusal="robots.txt fetch was interrupted")
        try:
            policy = await self._fetch_policy(origin)
        finally:  # waiters must never hang, even when the crawl is being stopped
            self._policies[origin] = policy
            pending.callback(policy)
        return policy

    async def _fetch_policy(self, origin: str) -> RobotsPolicy:
        robots_request = Request(f"{origin}/robots.txt", priority=self.DOWNLOAD_PRIORITY,
                                 meta={"dont_obey_robotstxt": True}, callback=NO_CALLBACK)
        assert self.crawler.engine is not None
        try:
            response = await self.crawler.engine.download_async(robots_request)
        except Exception as error:  # any failure to fetch robots.txt makes it "unreachable"
            policy = RobotsPolicy(origin, refusal=f"robots.txt unreachable: {type(error).__name__}: {error}",
                                  unreachable=True)
        else:
            policy = self._policy_from(origin, response)
        self._inc_stat("robotstxt/request_count")
        if policy.refusal is not None:
            self._inc_stat("monitor/robots_unavailable")
            logger.warning("Not crawling %s this run: %s (RFC 9309: assume complete disallow)",
                           origin, policy.refusal)
        return policy

    def _policy_from(self, origin: str, response: Response) -> RobotsPolicy:
        self._inc_stat(f"robotstxt/response_status_count/{response.status}")
        parser = crawl_delay = None
        if 200 <= response.status < 300:
            parser = build_from_crawler(self._parser_class, self.crawler, response.body)
            delay_of = getattr(parser, "crawl_delay", None)
            crawl_delay = delay_of(self._user_agent) if delay_of else None
        return policy_for_response(origin, response.status, parser, crawl_delay)

    def _apply_crawl_delay(self, request: Request, delay: float) -> None:
        """Make the download slot of the request's host wait at least `delay` between requests.

        Scrapy keys slots by host name (or `meta['download_slot']`) and applies `slot.delay`, varied by
        `slot.jitter`, between two requests; new slots take `DOWNLOAD_SLOTS` entries. A jitter would let some
        gaps fall under the Crawl-delay, so that slot gets none.
        """
        assert self.crawler.engine is not None
        downloader = self.crawler.engine.downloader
        key = downloader.get_slot_key(request)
        entry = downloader.per_slot_settings.setdefault(key, {})
        if entry.get("delay", 0) < delay or entry.get("jitter"):
            entry.update(delay=max(delay, entry.get("delay", 0)), jitter=0.0)
        slot = downloader.slots.get(key)
        if slot is not None and slot.delay * max(0.0, 1 - slot.jitter) < delay:
            slot.delay, slot.jitter = max(slot.delay, delay), 0.0

    def _inc_stat(self, key: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key)
