"""The service's wiring to the other layers: the match stage's delivery hook, the dispatcher, operator notices,
digests and the web app. Each piece is taken from its package; a piece that is not there is left out and
named in `missing` (logged at start-up), never replaced by a stand-in.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from apscheduler.triggers.base import BaseTrigger
from sqlalchemy import Connection, Engine

from monitor.rules.matcher import RuleMatcher, compile_rules
from monitor.rules.stage import NewMatchHook
from monitor.service.config_check import ServiceConfig
from monitor.service.logs import event
from monitor.service.operator_alerts import HandOver

log = logging.getLogger("monitor.service")


@dataclass(frozen=True)
class DigestSchedule:
    trigger: Callable[[Any], BaseTrigger]
    latest: Callable[[Any, datetime], datetime | None]
    recorded: Callable[[Engine, Any, datetime], bool]


@dataclass
class Integrations:
    matcher: RuleMatcher
    on_new_matches: NewMatchHook | None = None
    dispatch: Callable[[], Awaitable[Any]] | None = None
    hand_over: HandOver | None = None
    run_digest: Callable[[Any, datetime], Awaitable[Any]] | None = None
    retry_digests: Callable[[], Awaitable[Any]] | None = None
    digest_schedule: DigestSchedule | None = None
    create_app: Callable[[Sequence[Any]], Any] | None = None
    missing: list[str] = field(default_factory=list)
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    async def close(self) -> None:
        for close in self.closers:
            try:
                await close()
            except Exception as error:  # closing a client must not stop the shutdown
                event(log, "service.close_failed", logging.WARNING, error=f"{type(error).__name__}: {error}")


def build_integrations(config: ServiceConfig, engine: Engine) -> Integrations:
    wiring = Integrations(matcher=compile_rules(config.rules))
    _delivery(wiring, config, engine)
    _digests(wiring, config, engine)
    _web(wiring, config, engine)
    return wiring


def _delivery(wiring: Integrations, config: ServiceConfig, engine: Engine) -> None:
    channels = config.channels
    if channels is None:
        wiring.missing.append("delivery: no channel set was loaded")
        return
    from monitor.delivery.dispatcher import dispatch_due, policy_from_env
    from monitor.delivery.enqueue import make_enqueue_hook
    from monitor.delivery.operator import enqueue_operator_message
    from monitor.delivery.transport import webhook_client

    wiring.on_new_matches = make_enqueue_hook(config.rules, channels)
    client = webhook_client(policy_from_env())
    wiring.closers.append(client.aclose)

    async def dispatch() -> None:
        report = await dispatch_due(engine, channels, client=client)
        sent = sum(channel.sent for channel in getattr(report, "channels", {}).values())
        if sent:
            event(log, "dispatch.done", sent=sent)

    def hand_over(connection: Connection, heading: str, text: str, key_parts: Sequence[object]) -> bool:
        return enqueue_operator_message(connection, channels, heading, text, key_parts=key_parts)

    wiring.dispatch = dispatch
    wiring.hand_over = hand_over
    if channels.operator is None:
        wiring.missing.append("operator alerts: no usable channel with operator = true (alerts go to the log)")


def _digests(wiring: Integrations, config: ServiceConfig, engine: Engine) -> None:
    from monitor.digests.runner import retry_pending_digests_async, run_digest_async
    from monitor.digests.schedule import cron_trigger, latest_run
    from monitor.digests.store_reads import period_claimed

    channels, rules, digests = config.channels, config.rules, config.digests

    async def run(digest: Any, _period: datetime) -> None:
        result = await run_digest_async(engine, digest, channels, rules, now=datetime.now(UTC))
        event(log, "digest.done", digest=digest.id, status=result.status, matches=result.match_count,
              error=result.error)

    async def retry() -> None:
        if digests:
            await retry_pending_digests_async(engine, digests, channels, now=datetime.now(UTC))

    def recorded(engine_: Engine, digest: Any, period: datetime) -> bool:
        with engine_.connect() as connection:
            return period_claimed(connection, digest.id, period)

    wiring.run_digest = run
    wiring.retry_digests = retry
    wiring.digest_schedule = DigestSchedule(cron_trigger, latest_run, recorded)


def _web(wiring: Integrations, config: ServiceConfig, engine: Engine) -> None:
    from monitor.web.app import create_app

    def app(extra_routes: Sequence[Any]) -> Any:
        return create_app(engine, config.settings, rules=config.rules, extra_routes=extra_routes)

    wiring.create_app = app
