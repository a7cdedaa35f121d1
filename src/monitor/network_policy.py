"""Which network destinations are forbidden (loopback, private, link-local, CGNAT, reserved…), as pure functions.

Shared by the crawl's guard (`monitor.crawl.network_guard`) and the webhook client (`monitor.delivery.transport`);
it imports neither Scrapy nor Twisted, so delivery, web and store code stay free of the crawl stack.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

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
