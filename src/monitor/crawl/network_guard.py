"""Server-side request forgery guard: no crawl reaches loopback, private, link-local or reserved addresses.

Two layers. `GuardedNameResolver`, installed on the reactor, drops forbidden addresses from every name
resolution; Twisted sends every host through it, IP literals included, so it sees the address actually
connected to, whatever the spelling (`127.1`, `2130706433`, `[::ffff:127.0.0.1]`, a name resolving to
loopback, a redirect). `PrivateNetworkMiddleware` refuses bad schemes, `localhost` and IP literals early,
before robots.txt fetches and retries, with a clear error. `MONITOR_ALLOW_PRIVATE_NETWORKS` turns both off;
`MONITOR_ALLOWED_ADDRESSES` lets exact names or addresses through.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import IgnoreRequest, NotConfigured
from twisted.internet.interfaces import IHostnameResolver, IHostResolution, IResolutionReceiver
from zope.interface import implementer

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from twisted.internet.interfaces import IAddress

from monitor.network_policy import (  # noqa: F401  (re-exported: the guard's public names)
    ALLOWED_SCHEMES,
    Address,
    AllowList,
    is_forbidden_address,
    parse_ip_literal,
    refusal_reason,
)

logger = logging.getLogger(__name__)
NOTHING_ALLOWED = AllowList()

@implementer(IResolutionReceiver)
class _FilteringReceiver:
    """Passes resolved addresses on to the real receiver, minus the forbidden ones."""

    def __init__(self, receiver: IResolutionReceiver, host: str, allowed: AllowList) -> None:
        self._receiver = receiver
        self._host = host
        self._allowed = allowed

    def resolutionBegan(self, resolution: IHostResolution) -> None:
        self._receiver.resolutionBegan(resolution)

    def addressResolved(self, address: IAddress) -> None:
        ip = str(getattr(address, "host", ""))
        if self._allowed.allows_address(ip) or not is_forbidden_address(ip):
            self._receiver.addressResolved(address)
            return
        logger.warning("Refused %s for host %r: loopback, private, link-local or reserved address "
                       "(set MONITOR_ALLOW_PRIVATE_NETWORKS or MONITOR_ALLOWED_ADDRESSES to allow it)",
                       ip, self._host)

    def resolutionComplete(self) -> None:
        self._receiver.resolutionComplete()


@implementer(IHostnameResolver)
class GuardedNameResolver:
    """Wraps the reactor's name resolver; forbidden addresses never reach the connection attempt, which then
    fails like a DNS lookup that found nothing."""

    def __init__(self, wrapped: IHostnameResolver, allowed: AllowList = NOTHING_ALLOWED) -> None:
        self.wrapped = wrapped
        self.allowed = allowed

    def resolveHostName(
        self, resolutionReceiver: IResolutionReceiver, hostName: str, portNumber: int = 0,
        addressTypes: Sequence[type[IAddress]] | None = None, transportSemantics: str = "TCP",
    ) -> IHostResolution:
        receiver = resolutionReceiver
        if not self.allowed.allows_name(hostName.removeprefix("[").removesuffix("]")):
            receiver = _FilteringReceiver(resolutionReceiver, hostName, self.allowed)
        return self.wrapped.resolveHostName(receiver, hostName, portNumber, addressTypes, transportSemantics)


def is_guarded(reactor: Any) -> bool:
    return isinstance(reactor.nameResolver, GuardedNameResolver)


def install_guarded_resolver(reactor: Any, allow_private: bool,
                             allowed_addresses: Iterable[str] = ()) -> None:
    """Wrap `reactor.nameResolver` in a `GuardedNameResolver`: once, and not at all when `allow_private`.

    Call it after anything that replaces the reactor's resolver: with `CrawlerRunner`, right after installing
    the reactor; with `CrawlerProcess`, from `reactor.callWhenRunning` (its `start()` installs
    TWISTED_DNS_RESOLVER, which would drop this wrapper).
    """
    if allow_private or is_guarded(reactor):
        return
    reactor.installNameResolver(GuardedNameResolver(reactor.nameResolver, AllowList.parse(allowed_addresses)))


class ForbiddenDestination(IgnoreRequest):
    """The request points at a scheme, name or address the SSRF guard refuses."""


class PrivateNetworkMiddleware:
    """Downloader middleware (order 40, before robots.txt and retries): refuses forbidden destinations early.

    Redirects come back through the downloader middlewares as new requests, so they are checked too. It also
    makes sure the guarded resolver is on the reactor, in case the process did not install it.
    """

    def __init__(self, crawler: Crawler, allowed: AllowList) -> None:
        self.crawler = crawler
        self.allowed = allowed

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PrivateNetworkMiddleware:
        if crawler.settings.getbool("MONITOR_ALLOW_PRIVATE_NETWORKS"):
            raise NotConfigured("MONITOR_ALLOW_PRIVATE_NETWORKS is on")
        return cls(crawler, AllowList.from_settings(crawler.settings))

    def process_request(self, request: Request) -> None:
        reason = refusal_reason(request.url, self.allowed)
        if reason is not None:
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("monitor/forbidden_destination")
            logger.warning("Refused %s: %s", request.url, reason)
            raise ForbiddenDestination(f"forbidden destination {request.url}: {reason}")
        self._ensure_resolver()

    def _ensure_resolver(self) -> None:
        from twisted.internet import reactor

        if not is_guarded(reactor):
            logger.info("Installing the guarded name resolver on the reactor")
            entries = self.crawler.settings.getlist("MONITOR_ALLOWED_ADDRESSES")
            install_guarded_resolver(reactor, allow_private=False, allowed_addresses=entries)
