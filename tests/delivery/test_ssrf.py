"""Webhook SSRF guard: the address actually connected to is checked, every spelling of loopback refused."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import Engine

from monitor.delivery.transport import ForbiddenAddressError, GuardedNetworkBackend, NetworkPolicy, webhook_client
from tests.delivery.conftest import T0, channel_set, deliveries, enqueue, rule_set, store_match, webhook
from tests.delivery.dispatch_helpers import dispatch
from tests.delivery.receiver import Receiver, ok

GUARDED = NetworkPolicy(allow_private=False)


def spellings(receiver: Receiver) -> list[str]:
    port = receiver.url("/").split(":")[2].split("/")[0]
    return [f"http://{host}:{port}/hook" for host in
            ("127.0.0.1", "127.1", "2130706433", "0x7f000001", "localhost", "[::ffff:127.0.0.1]", "0.0.0.0")]


def post(url: str, policy: NetworkPolicy) -> httpx.Response:
    async def run() -> httpx.Response:
        async with webhook_client(policy, timeout=2.0) as client:
            return await client.post(url, content=b"{}")

    return asyncio.run(run())


def test_every_spelling_of_loopback_is_refused(receiver: Receiver) -> None:
    receiver.script("/hook", ok())
    for url in spellings(receiver):
        with pytest.raises(httpx.ConnectError) as raised:
            post(url, GUARDED)
        assert "refused" in str(raised.value) or "resolution failed" in str(raised.value), url
    assert receiver.at("/hook") == []


def test_allowed_addresses_and_the_private_network_setting_let_it_through(receiver: Receiver) -> None:
    url = receiver.script("/hook", ok())
    assert post(url, NetworkPolicy.from_settings(False, ["127.0.0.1"])).status_code == 200
    assert post(url, NetworkPolicy(allow_private=True)).status_code == 200
    assert len(receiver.at("/hook")) == 2


def test_public_addresses_pass_the_check() -> None:
    backend = GuardedNetworkBackend(GUARDED)
    assert backend.policy.permits("93.184.216.34") and not backend.policy.permits("169.254.169.254")
    assert not backend.policy.permits("10.1.2.3") and not backend.policy.permits("::1")
    assert issubclass(ForbiddenAddressError, Exception)


def test_dispatch_to_a_private_address_fails_and_retries(sqlite_engine: Engine, receiver: Receiver) -> None:
    url = receiver.script("/hook", ok())
    channels = channel_set(webhook("generic", "webhook", url))
    enqueue(sqlite_engine, [store_match(sqlite_engine, "r")], rule_set(("r", "R", ("generic",))), channels)
    report = dispatch(sqlite_engine, channels, T0, policy=GUARDED)
    assert report.channels["generic"].retrying == 1 and "refused" in (report.channels["generic"].last_error or "")
    assert receiver.at("/hook") == [] and deliveries(sqlite_engine)[0].status == "pending"
