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
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest, NotConfigured
from twisted.internet.interfaces import IHostnameResolver, IHostResolution, IResolutionReceiver
from zope.interface import implementer

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings
    from twisted.internet.interfaces import IAddress

logger = logging.getLogger(__name__)

Address = IPv4Address | IPv6Address

_FORBIDDEN_V4 = tuple(ip_network(net) for net in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
    "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
))
_FORBIDDEN_V6 = tuple(ip_network(net) for net in (
    "::/8", "100::/64", "2001::/23", "2001:db8::/32", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
))
_NAT64 = ip_network("64:ff9b::/96")
_INET_ATON_PART = re.compile(r"0x[0-9a-f]*|0[0-7]*|[1-9][0-9]*")
ALLOWED_SCHEMES = frozenset({"http", "https"})


def _address(text: str) -> Address | None:
    try:
        return ip_address(text.strip().removeprefix("[").removesuffix("]"))
    except ValueError:
        return None


def is_forbidden_address(ip: str) -> bool:
    """True when a crawl must not connect to `ip`; anything that is not an IP address counts as forbidden."""
    address = _address(ip)
    if address is None:
        return True
    if isinstance(address, IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return _forbidden_v4(embedded)
        return any(address in net for net in _FORBIDDEN_V6) or not address.is_global or address.is_multicast
    return _forbidden_v4(address)


def _forbidden_v4(address: IPv4Address) -> bool:
    return any(address in net for net in _FORBIDDEN_V4) or not address.is_global


def _embedded_ipv4(address: IPv6Address) -> IPv4Address | None:
    """The IPv4 address an IPv4-mapped, NAT64 (64:ff9b::/96) or 6to4 address reaches, if it is one."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


def parse_ip_literal(host: str) -> Address | None:
    """The address a URL host spells in any numeric form `inet_aton` accepts (`127.1`, `0x7f000001`,
    `0177.0.0.1`, `2130706433`) or as an IPv6 literal (with or without brackets); None for a name."""
    host = host.strip().lower().removesuffix(".")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if ":" in host:
        return _address(host)
    parts = host.split(".")
    if not 1 <= len(parts) <= 4 or not all(_INET_ATON_PART.fullmatch(part) for part in parts):
        return None
    numbers = [_inet_aton_number(part) for part in parts]
    *leading, last = numbers
    if any(number > 255 for number in leading) or last >= 256 ** (5 - len(parts)):
        return None
    value = sum(number << (8 * (3 - index)) for index, number in enumerate(leading)) + last
    return IPv4Address(value)


def _inet_aton_number(part: str) -> int:
    if part.startswith("0x"):
        return int(part[2:] or "0", 16)
    if len(part) > 1 and part.startswith("0"):
        return int(part, 8)
    return int(part)


def _unmapped(address: Address) -> Address:
    return address.ipv4_mapped if isinstance(address, IPv6Address) and address.ipv4_mapped else address


@dataclass(frozen=True)
class AllowList:
    """Exact host names and addresses let through although private (`MONITOR_ALLOWED_ADDRESSES`)."""

    names: frozenset[str] = frozenset()
    addresses: frozenset[Address] = frozenset()

    @classmethod
    def parse(cls, entries: Iterable[str]) -> AllowList:
        names: set[str] = set()
        addresses: set[Address] = set()
        for entry in (entry.strip().lower() for entry in entries if entry.strip()):
            address = _address(entry)
            if address is None:
                names.add(entry.removesuffix("."))
            else:
                addresses.add(_unmapped(address))
        return cls(frozenset(names), frozenset(addresses))

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> AllowList:
        return cls.parse(settings.getlist("MONITOR_ALLOWED_ADDRESSES"))

    def allows_name(self, host: str) -> bool:
        return host.strip().lower().removesuffix(".") in self.names

    def allows_address(self, ip: str) -> bool:
        address = _address(ip)
        return address is not None and _unmapped(address) in self.addresses


def refusal_reason(url: str, allowed: AllowList = AllowList()) -> str | None:
    """Why the guard refuses `url` before any connection (scheme, loopback name, forbidden IP literal)."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        return f"scheme {parts.scheme or '(none)'!r} is not allowed, only http and https"
    host = (parts.hostname or "").removesuffix(".")
    if not host:
        return "the URL has no host"
    if allowed.allows_name(host):
        return None
    if host == "localhost" or host.endswith(".localhost"):
        return f"host {host!r} is a loopback name"
    address = parse_ip_literal(host)
    if address is None or allowed.allows_address(str(address)):
        return None
    if is_forbidden_address(str(address)):
        return f"address {address} (host {host!r}) is loopback, private, link-local or reserved"
    return None


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

    def __init__(self, wrapped: IHostnameResolver, allowed: AllowList = AllowList()) -> None:
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
