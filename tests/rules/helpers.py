"""Small builders shared by the rule tests."""

from __future__ import annotations

from pathlib import Path

from monitor.rules import MatchItem, RuleMatcher, rule_from_query
from monitor.rules.concepts import load_concepts

ROOT = Path(__file__).resolve().parents[2]
ALERTS_DIR = ROOT / "alerts"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED = FIXTURES / "rijksoverheid-2025-02-14-beljaarts-zuid-korea-halfgeleiders.txt"


def default_concepts() -> dict:
    concepts, problems = load_concepts(ALERTS_DIR / "concepts")
    assert not problems, problems
    return {name: concept.entries for name, concept in concepts.items()}


def matches(query: str, body: str = "", *, concepts: dict | None = None, **fields: str) -> bool:
    """Whether `query` matches an item with this body (and other fields)."""
    concepts = concepts or {}
    matcher = RuleMatcher([rule_from_query(query, concepts)], concepts)
    return bool(matcher.match(MatchItem(body=body, **fields)))


def seed_item() -> MatchItem:
    title, body = SEED.read_text(encoding="utf-8").split("\n", 1)
    return MatchItem(title=title, body=body.strip(), language="nl", source_id="rijksoverheid-nieuws")
