"""After a long outage, stale instant alerts of one channel become one summary message instead of a flood.

Pending alerts queued longer than the threshold (6 h by default) and not being sent are marked `folded`,
pointing at a new `summary` delivery that lists them (newest first, up to `SUMMARY_ENTRIES`, then "and N
more"). The summary's key is derived from the folded rows, so folding the same rows twice cannot make two.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, select, update

from monitor.delivery.message import Message
from monitor.delivery.outbox import idempotency_key, insert_statement, unclaimed
from monitor.store.delivery_models import Delivery

FOLD_MINIMUM = 2
"""One stale alert alone is sent late rather than summarised."""
SUMMARY_ENTRIES = 50


def fold_stale(connection: Connection, channel: str, now: datetime, threshold: timedelta) -> int:
    """Fold the channel's stale pending alerts into one summary delivery; how many were folded."""
    statement = (
        select(Delivery.id, Delivery.payload)
        .where(Delivery.channel == channel, Delivery.status == "pending", Delivery.kind == "alert",
               Delivery.queued_at <= now - threshold, unclaimed(now))
        .order_by(Delivery.queued_at.desc(), Delivery.id.desc())
    )
    if connection.dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    rows = connection.execute(statement).all()
    if len(rows) < FOLD_MINIMUM:
        return 0
    summary = summary_message([Message.from_json(row.payload) for row in rows], threshold, now)
    ids = [row.id for row in rows]
    key = idempotency_key("sum", channel, *sorted(ids))
    values = {"idempotency_key": key, "channel": channel, "kind": "summary", "status": "pending",
              "payload": summary.to_json(), "attempts": 0, "failures": 0, "next_attempt_at": now,
              "queued_at": now, "created_at": now}
    table = Delivery.__table__
    inserted = connection.execute(
        insert_statement(connection, table).values(**values)
        .on_conflict_do_nothing(index_elements=["idempotency_key"]).returning(table.c.id)
    ).scalar_one_or_none()
    if inserted is None:
        inserted = connection.execute(select(Delivery.id).where(Delivery.idempotency_key == key)).scalar_one()
    connection.execute(
        update(Delivery).where(Delivery.id.in_(ids))
        .values(status="folded", folded_into=inserted, claimed_until=None,
                last_error=f"folded into summary delivery {inserted}")
    )
    return len(ids)


def summary_message(alerts: list[Message], threshold: timedelta, now: datetime) -> Message:
    entries = tuple(entry for alert in alerts for entry in alert.entries[:1])
    hours = int(threshold.total_seconds() // 3600)
    rules = sorted({alert.heading for alert in alerts if alert.heading})
    text = (f"These {len(alerts)} alerts could not be delivered for more than {hours} hours; they are listed "
            f"once here instead of one message each. Rules: {', '.join(rules[:10])}"
            + (f" and {len(rules) - 10} more" if len(rules) > 10 else "") + ".")
    shown = entries[:SUMMARY_ENTRIES]
    return Message("summary", f"{len(alerts)} delayed alerts", shown, text=text, more=len(entries) - len(shown),
                   created_at=now.isoformat())
