"""What digests read from the store: the watermark of the last digest sent, the matches after it, status."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, func, select

from monitor.digests.entry import MatchRow
from monitor.store.digest_models import DigestSend, DigestSendMatch
from monitor.store.match_models import Match
from monitor.store.models import Item

COUNTED = ("sent", "pending")
"""Sends that move the watermark: sent, or still pending (in flight, or some recipients have it)."""
SETTLE = timedelta(hours=1)
"""Matches are stamped when the match stage starts and may commit minutes later: each digest also looks this
far behind its watermark and takes the matches no earlier digest held."""
MAX_MATCHES = 5000
TEXT_PREFIX = 2000


def utc(moment: datetime) -> datetime:
    """An aware UTC time (SQLite hands back naive UTC times)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True)
class DigestWatermark:
    """Where the next digest starts: after `since` (the last digest sent; None if none was), leaving out the
    matches that earlier digests already held."""

    since: datetime | None
    included: frozenset[int]
    earliest_unsent: datetime | None = None


def read_watermark(connection: Connection, digest_id: str) -> DigestWatermark:
    counted = DigestSend.status.in_(COUNTED)
    since = connection.execute(
        select(func.max(DigestSend.watermark_to)).where(DigestSend.digest_id == digest_id, counted)
    ).scalar_one_or_none()
    if since is None:
        earliest = connection.execute(
            select(func.min(func.coalesce(DigestSend.watermark_from, DigestSend.watermark_to)))
            .where(DigestSend.digest_id == digest_id)
        ).scalar_one_or_none()
        return DigestWatermark(None, frozenset(), utc(earliest) if earliest else None)
    since = utc(since)
    included = connection.execute(
        select(DigestSendMatch.match_id)
        .join(DigestSend, DigestSend.id == DigestSendMatch.send_id)
        .where(DigestSend.digest_id == digest_id, counted, DigestSend.watermark_to > since - SETTLE)
    ).scalars()
    return DigestWatermark(since, frozenset(included))


def period_claimed(connection: Connection, digest_id: str, period_at: datetime) -> bool:
    """Whether a row exists for (digest, period), whatever its status; `period_at` in any time zone."""
    return connection.execute(
        select(DigestSend.id).where(DigestSend.digest_id == digest_id, DigestSend.period_at == utc(period_at))
    ).first() is not None


def latest_period(connection: Connection, digest_id: str) -> datetime | None:
    """The newest period recorded for a digest, whatever became of it."""
    value = connection.execute(
        select(func.max(DigestSend.period_at)).where(DigestSend.digest_id == digest_id)
    ).scalar_one_or_none()
    return utc(value) if value is not None else None


def match_rows(
    connection: Connection,
    rule_ids: Collection[str],
    after: datetime,
    until: datetime,
    exclude: Collection[int] = (),
    limit: int = MAX_MATCHES,
) -> list[MatchRow]:
    """Matches of `rule_ids` with after < matched_at <= until (not backfill, not in `exclude`), with their
    items; long texts are cut in the query."""
    if not rule_ids:
        return []
    query = (
        select(
            Match.id, Match.rule_id, Match.item_id, Match.story_id, Match.explanation, Match.matched_at,
            func.substr(Item.title, 1, TEXT_PREFIX), func.substr(Item.summary, 1, TEXT_PREFIX),
            func.substr(Item.body, 1, TEXT_PREFIX), Item.source_id, Item.language, Item.published_at,
            func.coalesce(Item.canonical_url, Item.url),
        )
        .outerjoin(Item, Item.id == Match.item_id)
        .where(
            Match.rule_id.in_(sorted(rule_ids)),
            Match.matched_at > utc(after),
            Match.matched_at <= utc(until),
            Match.backfill.is_(False),
        )
        .order_by(Match.matched_at, Match.id)
    )
    rows: list[MatchRow] = []
    for row in connection.execute(query):
        if row[0] in exclude:
            continue
        rows.append(MatchRow(*row[:5], utc(row[5]), *row[6:11],
                             utc(row[11]) if row[11] is not None else None, row[12]))
        if len(rows) >= limit:
            break
    return rows


@dataclass(frozen=True)
class DigestState:
    """For `monitor digests`: the last digest sent, the newest period recorded, and sends still pending."""

    last_sent_at: datetime | None
    last_period: datetime | None
    pending: int
    dead: int


def digest_states(connection: Connection, digest_ids: Sequence[str]) -> dict[str, DigestState]:
    states: dict[str, DigestState] = {}
    for digest_id in digest_ids:
        where = DigestSend.digest_id == digest_id
        sent = connection.execute(
            select(func.max(DigestSend.sent_at)).where(where, DigestSend.status == "sent")
        ).scalar_one_or_none()
        counts = dict(connection.execute(
            select(DigestSend.status, func.count()).where(where).group_by(DigestSend.status)
        ).all())
        states[digest_id] = DigestState(
            utc(sent) if sent else None, latest_period(connection, digest_id),
            counts.get("pending", 0), counts.get("dead", 0),
        )
    return states
