"""Matching semantics, one test per point of the issue: folding, boundaries, Hangul, proximity, scopes."""

from __future__ import annotations

import pytest

from monitor.rules import MatchItem, RuleMatcher, RuleSyntaxError, rule_from_query
from tests.rules.helpers import default_concepts, matches


@pytest.mark.parametrize(
    ("query", "text", "expected"),
    [
        ("asml", "ＡＳＭＬ leverde meer machines", True),  # NFKC: full-width letters
        ("cafe", "Het CAFÉ op de hoek", True),  # case and accents fold
        ("één", "een miljard euro", True),
        ("strasse", "Die Straße", True),
        ("naive", "a naïve view", True),
        ("chip", "new chips for phones", False),  # word boundary at the end
        ("chip", "a microchip", False),  # word boundary at the start
        ("chip", "the chip, the wafer", True),
        ("chip*", "new chips and chipmakers", True),
        ("chip*", "a microchip", False),  # a prefix only at the start of a word
        ("halfgeleider*", "de halfgeleiderindustrie groeit", True),
        ("HBM", "HBM3E production", False),
        ("HBM*", "HBM3E production", True),
        ('"export controls"', "new export-controls on tools", True),  # hyphen is a word break
        ('"export controls"', "controls on export", False),
        ('"zuid-korea"', "Zuid Korea en Nederland", True),
        ("SEMICON", "semiconductor stocks", False),
        ("SEMICON", "at SEMICON Korea 2025", True),
    ],
)
def test_latin_terms(query: str, text: str, expected: bool) -> None:
    assert matches(query, text) is expected


@pytest.mark.parametrize(
    ("query", "text", "expected"),
    [
        ("반도체", "한국 반도체를 수출한다", True),  # particles attach to nouns
        ("반도체", "반도체의 미래", True),
        ("반도체", "시스템반도체 육성", True),  # inside compounds
        ("수출통제", "미국의 수출 통제 강화", True),  # compound written with a space
        ('"수출 통제"', "미국의 수출통제 강화", True),  # and the other way round
        ("수출 통제", "수출 늘고 통제 없다", True),  # two terms, implicit AND
        ('"수출 통제"', "수출 늘고 통제 없다", False),
        ("반도체", "반 도체", False),  # no one-syllable splits of compounds
        ("칩", "그는 칩거에 들어갔다", False),  # one-syllable guard: 칩거 is seclusion
        ("칩", "감자칩 판매가 늘었다", False),  # inside another word
        ("칩", "AI 칩을 생산한다", True),
        ("칩", "AI칩을 생산한다", True),  # after Latin letters
        ("칩", "칩 수요", True),
        ("ASML", "ASML의 노광장비", True),  # a Hangul particle after a Latin word
        ("ASML", "ASML코리아", True),
        ('"SK hynix"', "SK하이닉스", False),  # aliases across scripts belong in concepts
    ],
)
def test_hangul_terms(query: str, text: str, expected: bool) -> None:
    assert matches(query, text) is expected


def test_entity_aliases_across_scripts_come_from_concepts() -> None:
    concepts = default_concepts()
    for text in ("SK hynix raised output", "SK하이닉스는 HBM을", "하이닉스 주가", "SK Hynix en Samsung"):
        assert matches("@memory_makers", text, concepts=concepts), text


@pytest.mark.parametrize(
    ("query", "text", "expected"),
    [
        ("asml NEAR/3 export", "ASML said new export rules", True),
        ("export NEAR/3 asml", "ASML said new export rules", True),  # either order
        ("export ONEAR/3 asml", "ASML said new export rules", False),  # in order
        ("asml ONEAR/3 export", "ASML said new export rules", True),
        ("asml NEAR/1 export", "ASML said new export rules", False),  # two words between
        ("asml NEAR/2 export", "ASML said new export rules", True),
        ('"export rules" NEAR/3 asml', "ASML said new export rules", True),  # phrases
        ("(asml OR nxp) NEAR/1 (chip OR export)", "NXP export", True),  # OR groups
        ("반도체 NEAR/0 수출", "반도체를 수출한다", True),  # the particle is not a word
        ("반도체 NEAR/0 수출", "반도체를 대량 수출한다", False),
        ("asml NEAR/5 export", "", False),
    ],
)
def test_proximity(query: str, text: str, expected: bool) -> None:
    assert matches(query, text) is expected


def test_proximity_stays_inside_one_field() -> None:
    assert not matches("asml NEAR/3 export", "export rules", title="ASML")
    assert matches("asml NEAR/3 export", "", title="ASML export")


@pytest.mark.parametrize(
    ("query", "fields", "expected"),
    [
        ("title:chip", {"title": "New chip", "body": "other"}, True),
        ("title:chip", {"title": "other", "body": "chip"}, False),
        ("summary:chip", {"summary": "a chip"}, True),
        ("body:chip", {"title": "chip", "body": "wafer"}, False),
        ("ministry:산업통상자원부 반도체", {"ministry": "산업통상자원부", "body": "반도체"}, True),
        ("반도체", {"ministry": "반도체"}, False),  # ministry is searched only when scoped
        ("lang:ko 반도체", {"language": "ko", "body": "반도체"}, True),
        ("lang:(nl OR en) 반도체", {"language": "ko", "body": "반도체"}, False),
        ("source:rijksoverheid* chip", {"source_id": "rijksoverheid-nieuws", "body": "chip"}, True),
        ("source:korea-* chip", {"source_id": "rijksoverheid-nieuws", "body": "chip"}, False),
        ("title:(chip OR wafer) AND NOT body:potato", {"title": "wafer", "body": "potato"}, False),
    ],
)
def test_field_scopes(query: str, fields: dict[str, str], expected: bool) -> None:
    body = fields.pop("body", "")
    assert matches(query, body, **fields) is expected


@pytest.mark.parametrize(
    ("query", "text", "expected"),
    [
        ("case:ASM", "ASM International reported orders", True),
        ("case:ASM", "the asm method", False),
        ("case:ASM", "Asm method", False),
        ("case:MOTIE", "De motie werd aangenomen", False),  # Dutch word for a parliamentary motion
        ("case:MOTIE", "MOTIE announced export rules", True),
        ('case:"SK hynix"', "SK hynix and Samsung", True),
        ('case:"SK hynix"', "SK HYNIX and Samsung", False),
        ("case:ASM", "Straße ASM", True),  # offsets stay right after a character that folds to two
    ],
)
def test_case_sensitive_form(query: str, text: str, expected: bool) -> None:
    assert matches(query, text) is expected


def test_boolean_operators() -> None:
    assert matches("chip AND wafer", "chip wafer")
    assert not matches("chip AND wafer", "chip")
    assert matches("chip OR wafer", "wafer")
    assert matches("chip NOT potato", "chip")
    assert not matches("chip NOT potato", "potato chip")


@pytest.mark.parametrize("query", ["NOT chip", "chip OR NOT wafer", "lang:ko", "source:x*"])
def test_queries_that_match_without_any_term_are_refused(query: str) -> None:
    with pytest.raises(RuleSyntaxError, match="none of its terms"):
        rule_from_query(query, {})


def test_unknown_concept_and_near_misuse_are_compile_errors() -> None:
    with pytest.raises(RuleSyntaxError, match="unknown concept @chipz") as caught:
        rule_from_query("wafer OR @chipz", {"chips": ()})
    assert caught.value.column == 10 and "@chips" in caught.value.hint
    with pytest.raises(RuleSyntaxError, match="NEAR works between"):
        rule_from_query("(a AND b) NEAR/3 c", {})
    with pytest.raises(RuleSyntaxError, match="plain values"):
        rule_from_query('lang:"ko" chip', {})


def test_explanation_names_term_field_offsets_and_snippet() -> None:
    body = "Het kabinet praat met de halfgeleiderindustrie over Straße en meer."
    matcher = RuleMatcher([rule_from_query("halfgeleider* OR case:Straße", {}, "r")], {})
    (match,) = matcher.match(MatchItem(title="Over chips", body=body))
    first, second = match.hits
    assert (first.term, first.field) == ("halfgeleider*", "body")
    assert body[first.start : first.end] == "halfgeleider"
    assert "**halfgeleider**industrie" in first.snippet
    assert body[second.start : second.end] == "Straße"
    assert first.describe().startswith("matched `halfgeleider*` in body: ")
    assert '"field": "body"' in match.explanation_json()


def test_explanation_offsets_survive_expanding_characters() -> None:
    body = "ß" * 10 + " ASML"
    (match,) = RuleMatcher([rule_from_query("asml", {}, "r")], {}).match(MatchItem(body=body))
    hit = match.hits[0]
    assert body[hit.start : hit.end] == "ASML"


def test_snippet_is_short_and_cut_at_words() -> None:
    body = ("woord " * 40) + "lithografie" + (" woord" * 40)
    (match,) = RuleMatcher([rule_from_query("lithografie", {}, "r")], {}).match(MatchItem(body=body))
    snippet = match.hits[0].snippet
    assert snippet.startswith("…woord") and snippet.endswith("woord…") and len(snippet) < 160


def test_many_rules_share_one_automaton() -> None:
    rules = [rule_from_query(f"term{i} OR chip", {}, f"r{i}") for i in range(50)]
    matcher = RuleMatcher(rules, {})
    assert len(matcher.specs) == 51
    assert [m.rule_id for m in matcher.match(MatchItem(body="term7 only"))] == ["r7"]
    assert len(matcher.match(MatchItem(body="a chip"))) == 50
