"""The match stage's hook: delivery rows for new matches, inside the transaction that stores the matches.

One delivery per (rule, story, channel): its idempotency key is derived from exactly that, so a later match
of the same story (another outlet, another node, a re-run) hits the unique key and is recorded as "also
reported by" instead. Backfill matches (re-matching old items) never alert. A channel that is unavailable
or unknown gets its row anyway, as `disabled` with the reason, so `monitor deliveries` shows what was
missed. A rule whose `deliver` has `max_instant_per_hour` (when the rule format offers it) gets rows over
the cap as `capped`: left to the digests.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from monitor.delivery.channel_config import ChannelSet
from monitor.delivery.channels.registry import KINDS
from monitor.delivery.message import Entry, Message, reasons_from_explanation
from monitor.delivery.outbox import as_utc, chunks, idempotency_key, insert_statement
from monitor.rules.ruleset import RuleSet
from monitor.rules.stage import NewMatch
from monitor.store.delivery_models import Delivery, DeliveryAlsoReported
from monitor.store.match_models import Match
from monitor.store.models import Item

LEAD_CHARS = 1200


@dataclass
class EnqueueResult:
    queued: int = 0
    disabled: int = 0
    capped: int = 0
    also_reported: int = 0


@dataclass
class _Planned:
    key: str
    match: NewMatch
    channel: str
    values: dict[str, Any]
    copies: list[NewMatch] = field(default_factory=list)


def delivery_key(channel: str, rule_id: str, story_id: int | None, item_id: int) -> str:
    """The idempotency key of the alert for (channel, rule, story); an item without a story is its own."""
    subject = f"story:{story_id}" if story_id is not None else f"item:{item_id}"
    return idempotency_key("msg", channel, rule_id, subject)


def unusable_reason(channels: ChannelSet, name: str) -> str | None:
    reason = channels.reason_unusable(name)
    if reason is None and channels.channels[name].kind not in KINDS:
        reason = f"channel {name!r} is {channels.channels[name].kind}: it sends digests, not instant alerts"
    return reason


def enqueue_deliveries(connection: Connection, new_matches: Sequence[NewMatch], rules: RuleSet,
                       channels: ChannelSet, now: datetime | None = None) -> EnqueueResult:
    """Insert the delivery rows for `new_matches` (the `on_new_matches` hook of `run_match_stage`)."""
    now = now or datetime.now(UTC)
    wanted = [(match, rule, channel) for match in new_matches if not match.backfill
              for rule in [rules.get(match.rule_id)] if rule is not None for channel in rule.deliver.instant]
    if not wanted:
        return EnqueueResult()
    details = _details(connection, sorted({match.match_id for match, _, _ in wanted}))
    plans: dict[str, _Planned] = {}
    for match, rule, channel in wanted:
        if match.match_id not in details:
            continue
        key = delivery_key(channel, rule.id, match.story_id, match.item_id)
        if key in plans:
            plans[key].copies.append(match)
            continue
        message = _message(rule.name, rule.id, details[match.match_id], now)
        plans[key] = _Planned(key, match, channel, _row(key, match, channel, message, now))
    result = EnqueueResult()
    _set_statuses(connection, list(plans.values()), rules, channels, now, result)
    inserted = _insert(connection, [plan.values for plan in plans.values()])
    result.queued = sum(1 for plan in plans.values() if plan.key in inserted and plan.values["status"] == "pending")
    copies = [(plan.key, copy) for plan in plans.values() for copy in plan.copies]
    copies += [(plan.key, plan.match) for plan in plans.values() if plan.key not in inserted]
    result.also_reported = _record_copies(connection, copies, details, now)
    return result


def make_enqueue_hook(rules: RuleSet, channels: ChannelSet,
                      clock: Callable[[], datetime] | None = None) -> Callable[[Connection, Sequence[NewMatch]], None]:
    """`run_match_stage(..., on_new_matches=make_enqueue_hook(rules, channels))`; `.totals` adds up."""
    totals = EnqueueResult()

    def hook(connection: Connection, new_matches: Sequence[NewMatch]) -> None:
        result = enqueue_deliveries(connection, new_matches, rules, channels, clock() if clock else None)
        for name in ("queued", "disabled", "capped", "also_reported"):
            setattr(totals, name, getattr(totals, name) + getattr(result, name))

    hook.totals = totals  # type: ignore[attr-defined]
    return hook


def _details(connection: Connection, match_ids: list[int]) -> dict[int, Any]:
    found: dict[int, Any] = {}
    for chunk in chunks(match_ids):
        rows = connection.execute(
            select(Match.id.label("match_id"), Match.explanation, Item.id.label("item_id"), Item.title, Item.url,
                   Item.source_id, Item.published_at, Item.language,
                   func.substr(Item.summary, 1, LEAD_CHARS).label("summary"),
                   func.substr(Item.body, 1, LEAD_CHARS).label("body"))
            .join(Item, Item.id == Match.item_id)
            .where(Match.id.in_(chunk))
        )
        found.update({row.match_id: row for row in rows})
    return found


def _message(rule_name: str, rule_id: str, row: Any, now: datetime) -> Message:
    published = as_utc(row.published_at)
    entry = Entry(title=row.title or "", url=row.url or "", source=row.source_id,
                  published_at=published.isoformat() if published else "", language=row.language or "",
                  lead=(row.summary or row.body or "").strip(), why=reasons_from_explanation(row.explanation))
    return Message("alert", rule_name, (entry,), rule_id=rule_id, created_at=now.isoformat())


def _row(key: str, match: NewMatch, channel: str, message: Message, now: datetime) -> dict[str, Any]:
    return {"idempotency_key": key, "channel": channel, "kind": "alert", "rule_id": match.rule_id,
            "story_id": match.story_id, "match_id": match.match_id, "item_id": match.item_id,
            "status": "pending", "payload": message.to_json(), "attempts": 0, "failures": 0,
            "next_attempt_at": now, "claimed_until": None, "queued_at": now, "created_at": now,
            "sent_at": None, "last_status": None, "last_error": None, "folded_into": None}


def _set_statuses(connection: Connection, plans: list[_Planned], rules: RuleSet, channels: ChannelSet,
                  now: datetime, result: EnqueueResult) -> None:
    used: dict[tuple[str, str], int] = {}
    for plan in plans:
        reason = unusable_reason(channels, plan.channel)
        if reason is not None:
            plan.values.update(status="disabled", last_error=reason)
            result.disabled += 1
            continue
        rule = rules.get(plan.match.rule_id)
        cap = getattr(rule.deliver, "max_instant_per_hour", None) if rule else None
        if not cap:
            continue
        scope = (plan.match.rule_id, plan.channel)
        if scope not in used:
            used[scope] = _sent_in_last_hour(connection, *scope, now)
        used[scope] += 1
        if used[scope] > cap:
            plan.values.update(status="capped", last_error=f"over the rule's cap of {cap} instant alerts an hour")
            result.capped += 1


def _sent_in_last_hour(connection: Connection, rule_id: str, channel: str, now: datetime) -> int:
    return connection.execute(
        select(func.count()).select_from(Delivery).where(
            Delivery.rule_id == rule_id, Delivery.channel == channel, Delivery.kind == "alert",
            Delivery.created_at > now - timedelta(hours=1), Delivery.status.in_(("pending", "sent", "dead")))
    ).scalar_one()


def _insert(connection: Connection, rows: list[dict[str, Any]]) -> set[str]:
    """Insert-or-ignore on the idempotency key; the keys actually inserted."""
    if not rows:
        return set()
    table = Delivery.__table__
    statement = (insert_statement(connection, table)
                 .on_conflict_do_nothing(index_elements=["idempotency_key"])
                 .returning(table.c.idempotency_key))
    return {row.idempotency_key for row in connection.execute(statement, rows)}


def _record_copies(connection: Connection, copies: list[tuple[str, NewMatch]], details: dict[int, Any],
                   now: datetime) -> int:
    if not copies:
        return 0
    keys = sorted({key for key, _ in copies})
    ids: dict[str, int] = {}
    for chunk in chunks(keys):
        rows = connection.execute(select(Delivery.id, Delivery.idempotency_key).where(
            Delivery.idempotency_key.in_(chunk)))
        ids.update({row.idempotency_key: row.id for row in rows})
    rows_out = [{"delivery_id": ids[key], "match_id": match.match_id, "item_id": match.item_id,
                 "source_id": details[match.match_id].source_id, "title": details[match.match_id].title or "",
                 "url": details[match.match_id].url or "", "reported_at": now}
                for key, match in copies if key in ids]
    if not rows_out:
        return 0
    table = DeliveryAlsoReported.__table__
    statement = (insert_statement(connection, table)
                 .on_conflict_do_nothing(index_elements=["delivery_id", "item_id"])
                 .returning(table.c.id))
    return len(connection.execute(statement, rows_out).all())
