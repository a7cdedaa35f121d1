"""Items and matches written straight into a store, and the digest, channel and rule set the tests share."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert

from monitor.delivery.channel_config import EmailChannelConfig
from monitor.digests.config import Digest
from monitor.rules import load_rule_set
from monitor.store.match_models import Match
from tests.rules.store_items import insert_items, insert_story, item_row

ALERTS_DIR = Path(__file__).resolve().parents[2] / "alerts"
RULES = load_rule_set(ALERTS_DIR)
RECIPIENTS = ("a@example.org", "b@example.org", "c@example.org")
# 2026-03-30 08:30 in Seoul; the 08:00 KST period is 2026-03-29 23:00 UTC.
NOW = datetime(2026, 3, 29, 23, 30, tzinfo=UTC)
PERIOD = datetime(2026, 3, 29, 23, 0, tzinfo=UTC)


def kr_digest(**changes: Any) -> Digest:
    values: dict[str, Any] = dict(
        id="kr-team", name="KR team digest", channel="mail", recipients=RECIPIENTS, schedule="0 8 * * *",
        timezone="Asia/Seoul", rules=("memory-hbm", "export-controls"), subject_prefix="[Monitor]",
    )
    values.update(changes)
    return Digest(**values)


def mail_channel(port: int, **changes: Any) -> EmailChannelConfig:
    values: dict[str, Any] = dict(name="mail", smtp_host="127.0.0.1", smtp_port=port, security="none",
                                  sender="Monitor <monitor@example.org>")
    values.update(changes)
    return EmailChannelConfig(**values)


def explanation(term: str, field: str, snippet: str) -> str:
    return json.dumps({"hits": [{"term": term, "field": field, "start": 0, "end": len(term), "snippet": snippet}]})


_numbers = iter(range(1, 10**9))


def add_item(engine: Engine, title: str, body: str = "", **fields: Any) -> int:
    number = next(_numbers)
    fields.setdefault("published_at", NOW - timedelta(hours=3))
    return insert_items(engine, [item_row(number, body or title, title=title, **fields)])[0]


def add_match(
    engine: Engine, item_id: int, rule_id: str, matched_at: datetime, *, story_id: int | None = None,
    explained: str | None = None, backfill: bool = False,
) -> int:
    row = dict(item_id=item_id, rule_id=rule_id, story_id=story_id, backfill=backfill, matched_at=matched_at,
               explanation=explained if explained is not None else explanation("HBM", "title", "the **HBM** news"))
    with engine.begin() as connection:
        return connection.execute(insert(Match).values(**row).returning(Match.id)).scalar_one()


def new_story(engine: Engine) -> int:
    return insert_story(engine)
