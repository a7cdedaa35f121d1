"""The SSRF guard's pure parts: forbidden ranges, IP-literal spellings, refusal reasons, resolver filter."""

from __future__ import annotations

import socket
from ipaddress import IPv4Address
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from twisted.internet.address import IPv4Address as TxIPv4Address
from twisted.internet.address import IPv6Address as TxIPv6Address

from monitor.crawl.network_guard import (
    AllowList,
    GuardedNameResolver,
    install_guarded_resolver,
    is_forbidden_address,
    parse_ip_literal,
    refusal_reason,
)

FORBIDDEN = [
    "127.0.0.1", "127.255.255.254", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
    "169.254.169.254", "169.254.0.1", "100.64.0.1", "100.127.255.255", "0.0.0.0", "0.1.2.3",
    "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255", "192.0.2.1", "198.18.0.1",
    "::1", "::", "[::1]", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1",
    "fc00::1", "fd12:3456::1", "fe80::1", "fe80::1%eth0", "febf::1", "ff02::1", "2001:db8::1",
    "64:ff9b::7f00:1", "64:ff9b::a00:1", "2002:7f00:1::1", "2002:a9fe:a9fe::1", "100::1",
    "not an address", "", "example.com",
]
ALLOWED = [
    "8.8.8.8", "1.1.1.1", "93.184.216.34", "100.63.255.255", "100.128.0.0", "172.32.0.1", "11.0.0.1",
    "2606:4700::1111", "2001:4860:4860::8888", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1",
]


@pytest.mark.parametrize("ip", FORBIDDEN)
def test_forbidden_addresses(ip: str) -> None:
    assert is_forbidden_address(ip)


@pytest.mark.parametrize("ip", ALLOWED)
def test_public_addresses(ip: str) -> None:
    assert not is_forbidden_address(ip)


@pytest.mark.parametrize(("host", "expected"), [
    ("127.0.0.1", "127.0.0.1"), ("127.1", "127.0.0.1"), ("127.0.1", "127.0.0.1"), ("2130706433", "127.0.0.1"),
    ("0x7f000001", "127.0.0.1"), ("0X7F000001", "127.0.0.1"), ("0177.0.0.1", "127.0.0.1"),
    ("0x7f.0.0.1", "127.0.0.1"), ("017700000001", "127.0.0.1"), ("127.0.0.1.", "127.0.0.1"),
    ("0", "0.0.0.0"), ("0x", "0.0.0.0"), ("127.0.0.0x1", "127.0.0.1"), ("0xa9.0376.43518", "169.254.169.254"),
    ("[::1]", "::1"),
    ("[::ffff:127.0.0.1]", "::ffff:7f00:1"), ("::1", "::1"),
])
def test_ip_literal_spellings(host: str, expected: str) -> None:
    assert str(parse_ip_literal(host)) == expected


@pytest.mark.parametrize("host", [
    "example.com", "localhost", "127.0.0.1.example.com", "1.2.3.4.5", "256.1.1.1", "4294967296", "08.0.0.1",
    "1..1", "", "[::g]", "127.0.0.1..", "0x1g", "-1",
])
def test_names_are_not_ip_literals(host: str) -> None:
    assert parse_ip_literal(host) is None


@given(st.lists(st.sampled_from("0123456789xabcdef."), max_size=16).map("".join))
def test_ipv4_spellings_agree_with_inet_aton(host: str) -> None:
    try:
        expected: IPv4Address | None = IPv4Address(socket.inet_aton(host))
    except OSError:
        expected = None
    if host.endswith(".") or "0x" in host.split("."):
        return  # like URL parsers, we read a trailing dot and a bare "0x" (as 0) that inet_aton rejects
    assert parse_ip_literal(host) == expected


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_every_spelling_of_an_address_is_judged_alike(value: int) -> None:
    address = IPv4Address(value)
    a, b, c, d = address.packed
    spellings = [str(value), hex(value), f"0{value:o}", f"{a}.{(b << 16) | (c << 8) | d}",
                 f"{a}.{b}.{(c << 8) | d}", f"{hex(a)}.0{b:o}.{c}.{d}"]
    for spelling in spellings:
        assert parse_ip_literal(spelling) == address
        expected = is_forbidden_address(str(address))
        assert (refusal_reason(f"http://{spelling}/") is not None) == expected


@pytest.mark.parametrize(("url", "fragment"), [
    ("ftp://example.com/file", "scheme 'ftp'"), ("file:///etc/passwd", "scheme 'file'"),
    ("data:,hello", "scheme 'data'"), ("gopher://example.com/", "scheme"),
    ("http://localhost:8080/", "loopback name"), ("http://LOCALHOST./", "loopback name"),
    ("http://api.localhost/", "loopback name"), ("http://127.1/", "127.0.0.1"),
    ("http://2130706433/", "127.0.0.1"), ("http://[::1]:80/", "::1"),
    ("http://[::ffff:127.0.0.1]/", "::ffff"),
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"), ("http://0.0.0.0:80/", "0.0.0.0"),
    ("https://100.64.0.1/", "100.64.0.1"),
])
def test_refused_urls(url: str, fragment: str) -> None:
    reason = refusal_reason(url)
    assert reason is not None and fragment in reason


@pytest.mark.parametrize("url", ["https://www.rijksoverheid.nl/actueel/nieuws", "http://8.8.8.8/",
                                 "https://[2606:4700::1111]/", "http://example.com:8080/x?y=1"])
def test_public_urls_pass(url: str) -> None:
    assert refusal_reason(url) is None


def test_allow_list_lets_exact_names_and_addresses_through() -> None:
    allowed = AllowList.parse(["127.0.0.1", " Intranet.Example. ", "", "[::1]"])
    assert refusal_reason("http://127.0.0.1:8000/", allowed) is None
    assert refusal_reason("http://[::ffff:127.0.0.1]/", allowed) is None
    assert refusal_reason("http://[::1]/", allowed) is None
    assert refusal_reason("http://intranet.example/", allowed) is None
    assert refusal_reason("http://127.0.0.2/", allowed) is not None
    assert refusal_reason("http://localhost/", allowed) is not None


class Receiver:
    def __init__(self) -> None:
        self.addresses: list[Any] = []
        self.events: list[str] = []

    def resolutionBegan(self, resolution: Any) -> None:
        self.events.append("began")

    def addressResolved(self, address: Any) -> None:
        self.addresses.append(address.host)

    def resolutionComplete(self) -> None:
        self.events.append("complete")


class StubResolver:
    """Answers every name with a fixed list of addresses, synchronously."""

    def __init__(self, *addresses: Any) -> None:
        self.answer = addresses
        self.asked: list[str] = []

    def resolveHostName(self, receiver: Any, hostName: str, portNumber: int = 0,
                        addressTypes: Any = None, transportSemantics: str = "TCP") -> Any:
        self.asked.append(hostName)
        receiver.resolutionBegan(None)
        for address in self.answer:
            receiver.addressResolved(address)
        receiver.resolutionComplete()
        return None


MIXED = (TxIPv4Address("TCP", "127.0.0.1", 80), TxIPv4Address("TCP", "93.184.216.34", 80),
         TxIPv6Address("TCP", "::1", 80), TxIPv6Address("TCP", "::ffff:10.0.0.1", 80),
         TxIPv4Address("TCP", "10.0.0.5", 80))


def test_resolver_drops_forbidden_addresses() -> None:
    receiver = Receiver()
    GuardedNameResolver(StubResolver(*MIXED)).resolveHostName(receiver, "evil.example", 80)
    assert receiver.addresses == ["93.184.216.34"]
    assert receiver.events == ["began", "complete"]


def test_resolver_with_only_forbidden_answers_resolves_to_nothing() -> None:
    receiver = Receiver()
    GuardedNameResolver(StubResolver(MIXED[0])).resolveHostName(receiver, "2130706433", 80)
    assert receiver.addresses == []
    assert receiver.events == ["began", "complete"]


def test_resolver_allow_list() -> None:
    by_address = Receiver()
    resolver = GuardedNameResolver(StubResolver(*MIXED), AllowList.parse(["10.0.0.5", "intranet"]))
    resolver.resolveHostName(by_address, "anything", 80)
    assert by_address.addresses == ["93.184.216.34", "10.0.0.5"]
    by_name = Receiver()
    resolver.resolveHostName(by_name, "INTRANET.", 80)
    assert by_name.addresses == [address.host for address in MIXED]


class StubReactor:
    def __init__(self) -> None:
        self.nameResolver: Any = StubResolver(*MIXED)
        self.installs = 0

    def installNameResolver(self, resolver: Any) -> Any:
        self.installs += 1
        previous, self.nameResolver = self.nameResolver, resolver
        return previous


def test_install_is_idempotent_and_off_when_private_networks_are_allowed() -> None:
    reactor = StubReactor()
    install_guarded_resolver(reactor, allow_private=True)
    assert reactor.installs == 0
    install_guarded_resolver(reactor, allow_private=False, allowed_addresses=["127.0.0.1"])
    install_guarded_resolver(reactor, allow_private=False)
    assert reactor.installs == 1
    assert isinstance(reactor.nameResolver, GuardedNameResolver)
    assert isinstance(reactor.nameResolver.wrapped, StubResolver)
