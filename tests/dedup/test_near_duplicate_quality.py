"""Precision and recall of near-duplicate detection on a labelled set of Dutch, English and Korean pairs.

Run with -s to see the figures. The floors sit a little below what was measured, so a regression fails.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path

import pytest

from monitor.dedup.fingerprint import NEAR_DUPLICATE_THRESHOLD, band_keys, fingerprint, similarity
from monitor.text.language import detect_language

PAIRS_FILE = Path(__file__).with_name("near_duplicates.jsonl")

# Measured with 128 hashes, 32 bands x 4 rows, threshold 0.45 (148 positive, 58 negative pairs):
# similarity step precision 1.000, recall 0.966; band step precision 0.993, recall 0.993.
SIMILARITY_PRECISION_FLOOR = 0.97
SIMILARITY_RECALL_FLOOR = 0.93
BAND_PRECISION_FLOOR = 0.95
BAND_RECALL_FLOOR = 0.96


@cache
def pairs() -> list[dict]:
    with PAIRS_FILE.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


@cache
def scored() -> list[tuple[dict, float, bool]]:
    """(pair, estimated similarity, shares a band key) for every pair."""
    out = []
    for pair in pairs():
        a, b = fingerprint(pair["a"]), fingerprint(pair["b"])
        out.append((pair, similarity(a, b), bool(set(band_keys(a)) & set(band_keys(b)))))
    return out


def precision_recall(predictions: list[tuple[bool, bool]]) -> tuple[float, float]:
    """From (predicted, actual) pairs."""
    true_positive = sum(1 for predicted, actual in predictions if predicted and actual)
    predicted = sum(1 for predicted, _ in predictions if predicted)
    actual = sum(1 for _, actual in predictions if actual)
    return true_positive / max(predicted, 1), true_positive / max(actual, 1)


def test_the_labelled_set_is_sound() -> None:
    data = pairs()
    assert len(data) >= 120
    assert {pair["same_story"] for pair in data} == {True, False}
    for pair in data:
        assert set(pair) == {"a", "b", "same_story", "kind"}
        assert 300 <= len(pair["a"]) <= 2000 and 300 <= len(pair["b"]) <= 2000
        assert pair["a"] != pair["b"]
    languages = Counter(detect_language(pair["a"]) for pair in data)
    assert min(languages["nl"], languages["en"], languages["ko"]) >= 30, languages
    negative_kinds = {pair["kind"] for pair in data if not pair["same_story"]}
    assert {"translation", "same_topic", "shared_boilerplate"} <= negative_kinds


def test_similarity_step() -> None:
    precision, recall = precision_recall(
        [(score >= NEAR_DUPLICATE_THRESHOLD, pair["same_story"]) for pair, score, _ in scored()])
    print(f"\nsimilarity >= {NEAR_DUPLICATE_THRESHOLD}: precision {precision:.3f}, recall {recall:.3f}")
    by_kind: dict[tuple[bool, str], list[float]] = defaultdict(list)
    for pair, score, _ in scored():
        by_kind[(pair["same_story"], pair["kind"])].append(score)
    for (same, kind), scores in sorted(by_kind.items()):
        print(f"  {'same ' if same else 'other'} {kind:24} n={len(scores):3} "
              f"min {min(scores):.2f} max {max(scores):.2f}")
    assert precision >= SIMILARITY_PRECISION_FLOOR
    assert recall >= SIMILARITY_RECALL_FLOOR


def test_band_candidate_step() -> None:
    precision, recall = precision_recall([(shares, pair["same_story"]) for pair, _, shares in scored()])
    print(f"\nshares a band key: precision {precision:.3f}, recall {recall:.3f}")
    assert precision >= BAND_PRECISION_FLOOR
    assert recall >= BAND_RECALL_FLOOR


def test_both_steps_together() -> None:
    """What the store does: candidates from the bands, then the similarity threshold."""
    precision, recall = precision_recall(
        [(shares and score >= NEAR_DUPLICATE_THRESHOLD, pair["same_story"])
         for pair, score, shares in scored()])
    print(f"\nbands then threshold: precision {precision:.3f}, recall {recall:.3f}")
    assert precision >= SIMILARITY_PRECISION_FLOOR
    assert recall >= SIMILARITY_RECALL_FLOOR - 0.01


@pytest.mark.parametrize("kind", ["translation", "same_topic", "shared_boilerplate",
                                  "same_outlet_same_topic"])
def test_no_negative_kind_is_systematically_merged(kind: str) -> None:
    scores = [score for pair, score, _ in scored() if pair["kind"] == kind]
    assert scores and max(scores) < NEAR_DUPLICATE_THRESHOLD
