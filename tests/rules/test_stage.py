"""The match stage against a real store, on SQLite and PostgreSQL: round trip, idempotency, re-matching."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import Connection, Engine, func, select, update

from monitor.rules import RuleSet, load_rule_set, rule_from_query
from monitor.rules.stage import NewMatch, run_match_stage
from monitor.store.database import open_store
from monitor.store.match_models import Match, MatchProgress
from monitor.store.models import Item
from tests.rules.helpers import ALERTS_DIR, seed_item
from tests.rules.store_items import NOW, insert_items, insert_story, item_row

RULE_SET = load_rule_set(ALERTS_DIR)


@pytest.fixture
def engine(database_url: str) -> Engine:
    engine = open_store(database_url)
    yield engine
    engine.dispose()


def stored_matches(engine: Engine) -> set[tuple[int, str]]:
    with engine.connect() as connection:
        return {
            (row.item_id, row.rule_id) for row in connection.execute(select(Match.item_id, Match.rule_id))
        }


def sample_items(engine: Engine) -> list[int]:
    seed = seed_item()
    return insert_items(
        engine,
        [
            item_row(1, seed.body, title=seed.title, language="nl", source_id="rijksoverheid-nieuws"),
            item_row(2, "The snack maker raised the price of its potato chips.", age=timedelta(days=40)),
            item_row(3, "SK하이닉스는 HBM 생산을 늘린다.", language="ko", source_id="korea-kr"),
            item_row(4, "Weather: rain in the afternoon."),
        ],
    )


def test_round_trip_stores_matches_with_explanations(engine: Engine) -> None:
    seed_id, chips_id, korean_id, _ = sample_items(engine)
    result = run_match_stage(engine, RULE_SET, now=NOW)
    assert result.items_scanned == 4 and not result.backfill
    found = stored_matches(engine)
    assert {
        (seed_id, "nl-kr-semiconductor-cooperation"),
        (seed_id, "semiconductor-industry"),
        (korean_id, "memory-hbm"),
    } <= found
    assert not any(item_id == chips_id for item_id, _ in found)
    assert result.matches_new == result.matches_found == len(found)
    with engine.connect() as connection:
        explanation = connection.execute(
            select(Match.explanation).where(Match.item_id == korean_id, Match.rule_id == "memory-hbm")
        ).scalar_one()
        progress = connection.execute(select(func.count()).select_from(MatchProgress)).scalar_one()
    hit = json.loads(explanation)["hits"][0]
    assert hit["field"] == "body" and "**" in hit["snippet"] and hit["end"] > hit["start"]
    assert progress == 4


def test_second_run_is_idempotent(engine: Engine) -> None:
    sample_items(engine)
    first = run_match_stage(engine, RULE_SET, now=NOW)
    again = run_match_stage(engine, RULE_SET, now=NOW)
    assert (again.items_scanned, again.matches_new) == (0, 0)
    rematch = run_match_stage(engine, RULE_SET, since=timedelta(days=365), now=NOW)
    assert rematch.items_scanned == 4 and rematch.matches_found == first.matches_found
    assert rematch.matches_new == 0
    assert len(stored_matches(engine)) == first.matches_found


def test_only_new_items_are_matched(engine: Engine) -> None:
    sample_items(engine)
    run_match_stage(engine, RULE_SET, now=NOW)
    (new_id,) = insert_items(engine, [item_row(9, "ASML shipped its first High-NA EUV scanner.")])
    result = run_match_stage(engine, RULE_SET, now=NOW)
    assert result.items_scanned == 1
    assert (new_id, "lithography-equipment") in stored_matches(engine)


def test_since_and_rule_rematch_a_new_rule_as_backfill(engine: Engine) -> None:
    _, chips_id, _, weather_id = sample_items(engine)
    run_match_stage(engine, RULE_SET, now=NOW)
    snacks = rule_from_query("chips OR rain", RULE_SET.concept_entries, "snacks-and-weather")
    extended = RuleSet((*RULE_SET.rules, snacks), RULE_SET.concepts)
    recent = run_match_stage(
        engine, extended, since=timedelta(days=30), rule_ids=["snacks-and-weather"], now=NOW
    )
    assert recent.backfill and recent.rules == 1 and recent.items_scanned == 3
    assert (weather_id, "snacks-and-weather") in stored_matches(engine)
    assert (chips_id, "snacks-and-weather") not in stored_matches(engine)  # 40 days old
    everything = run_match_stage(engine, extended, rule_ids=["snacks-and-weather"], now=NOW)
    assert everything.items_scanned == 4 and everything.matches_new == 1
    with engine.connect() as connection:
        flags = connection.execute(
            select(Match.backfill).where(Match.rule_id == "snacks-and-weather")
        ).scalars()
        assert all(flags)


def test_hook_sees_only_new_matches_inside_the_transaction(engine: Engine) -> None:
    sample_items(engine)
    seen: list[NewMatch] = []

    def outbox(connection: Connection, new: list[NewMatch]) -> None:
        assert connection.in_transaction()
        count = connection.execute(select(func.count()).select_from(Match)).scalar_one()
        assert count >= len(new)  # the matches are visible to the hook's own inserts
        seen.extend(new)

    run_match_stage(engine, RULE_SET, now=NOW, on_new_matches=outbox)
    run_match_stage(engine, RULE_SET, since=timedelta(days=365), now=NOW, on_new_matches=outbox)
    assert len(seen) == len(stored_matches(engine)) and all(not match.backfill for match in seen)


def test_updated_items_are_matched_again(engine: Engine) -> None:
    _, _, _, weather_id = sample_items(engine)
    run_match_stage(engine, RULE_SET, now=NOW)
    with engine.begin() as connection:
        connection.execute(
            update(Item)
            .where(Item.id == weather_id)
            .values(body="Samsung Electronics starts HBM4 production.", revision=2)
        )
    result = run_match_stage(engine, RULE_SET, now=NOW)
    assert result.items_scanned == 1 and (weather_id, "memory-hbm") in stored_matches(engine)


def test_exact_copies_are_matched_and_carry_their_story(engine: Engine) -> None:
    story = insert_story(engine)
    body = "ASML and SK hynix sign a memorandum on EUV research in Korea."
    (original,) = insert_items(engine, [item_row(1, body, story_id=story)])
    (copy,) = insert_items(
        engine, [item_row(2, body, story_id=story, duplicate_of=original, source_id="other")]
    )
    run_match_stage(engine, RULE_SET, now=NOW)
    with engine.connect() as connection:
        rows = connection.execute(
            select(Match.item_id, Match.story_id).where(Match.rule_id == "lithography-equipment")
        ).all()
    assert sorted(rows) == [(original, story), (copy, story)]
