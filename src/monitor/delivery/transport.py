"""The webhook HTTP client: checks the address it actually connects to, follows no redirects, uses no proxy.

httpcore hands every new connection's host to its network backend; `GuardedNetworkBackend` resolves the
name itself (`getaddrinfo`, so every spelling of an address — `127.1`, `2130706433`, `[::ffff:127.0.0.1]`,
a name that resolves to loopback — arrives as the real address), drops the addresses the crawl's guard
(`is_forbidden_address`) refuses, and connects to one that is left. TLS still verifies the certificate and
SNI against the URL's host name, so a name cannot be rebound between the check and the connection.
`MONITOR_ALLOW_PRIVATE_NETWORKS` turns the check off; `MONITOR_ALLOWED_ADDRESSES` lets exact names or
addresses through. Environment proxies are ignored (`trust_env=False`): a proxy would hide the address.
httpx's own request log (full URL at INFO) is held at WARNING: webhook URLs are secrets.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import httpcore
import httpx

from monitor.network_policy import AllowList, is_forbidden_address

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
URL_LOGGING_LIBRARIES = ("httpx", "httpcore")
"""httpx logs every request's full URL at INFO, and a webhook URL is a secret: these stay at WARNING."""


class ForbiddenAddressError(httpcore.ConnectError):
    """Every address of the host is loopback, private, link-local or reserved (httpx raises ConnectError)."""


@dataclass(frozen=True)
class NetworkPolicy:
    allow_private: bool = False
    allowed: AllowList = field(default_factory=AllowList)

    @classmethod
    def from_settings(cls, allow_private: bool, allowed_addresses: Iterable[str] = ()) -> NetworkPolicy:
        return cls(allow_private, AllowList.parse(allowed_addresses))

    def permits(self, ip: str) -> bool:
        return self.allow_private or self.allowed.allows_address(ip) or not is_forbidden_address(ip)


class GuardedNetworkBackend(httpcore.AsyncNetworkBackend):
    """Resolve, refuse forbidden addresses, connect to an allowed one by address."""

    def __init__(self, policy: NetworkPolicy, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self.policy = policy
        self.inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None, socket_options: Iterable[Any] | None = None,
                          ) -> httpcore.AsyncNetworkStream:
        if self.policy.allow_private or self.policy.allowed.allows_name(host):
            return await self.inner.connect_tcp(host, port, timeout, local_address, socket_options)
        addresses = await self._resolve(host, port, timeout)
        allowed = [address for address in addresses if self.policy.permits(address)]
        if not allowed:
            raise ForbiddenAddressError(
                f"refused: host resolves only to loopback, private, link-local or reserved addresses "
                f"({', '.join(addresses[:3]) or 'none'}); set MONITOR_ALLOW_PRIVATE_NETWORKS or "
                f"MONITOR_ALLOWED_ADDRESSES to allow it")
        error: Exception | None = None
        for address in allowed:
            try:
                return await self.inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as failure:
                error = failure
        raise error or httpcore.ConnectError("no address to connect to")

    async def _resolve(self, host: str, port: int, timeout: float | None) -> list[str]:
        loop = asyncio.get_running_loop()
        try:
            infos = await asyncio.wait_for(
                loop.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM), timeout)
        except (OSError, TimeoutError) as error:
            raise httpcore.ConnectError(f"name resolution failed: {type(error).__name__}") from None
        return list(dict.fromkeys(str(info[4][0]).split("%")[0] for info in infos))

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport with the connection pool built on the guarded network backend."""

    def __init__(self, policy: NetworkPolicy, limits: httpx.Limits | None = None) -> None:
        limits = limits or httpx.Limits(max_connections=100, max_keepalive_connections=20)
        super().__init__(trust_env=False, limits=limits)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedNetworkBackend(policy),
        )


def webhook_client(policy: NetworkPolicy, timeout: httpx.Timeout | float = DEFAULT_TIMEOUT) -> httpx.AsyncClient:
    """The client the dispatcher sends with: guarded transport, timeouts, redirects not followed."""
    for name in URL_LOGGING_LIBRARIES:
        if logging.getLogger(name).level < logging.WARNING:
            logging.getLogger(name).setLevel(logging.WARNING)
    return httpx.AsyncClient(transport=GuardedTransport(policy), timeout=timeout, follow_redirects=False,
                             trust_env=False)
