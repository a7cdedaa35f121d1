"""Property tests: the parser fails only with RuleSyntaxError, and matching any text never raises."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.rules import (
    MatchItem,
    RuleSyntaxError,
    compile_rules,
    load_rule_set,
    parse_query,
    rule_from_query,
)
from monitor.rules.textfold import fold_view, nfkc, offset_map
from tests.rules.helpers import ALERTS_DIR

MATCHER = compile_rules(load_rule_set(ALERTS_DIR))
CONCEPTS = load_rule_set(ALERTS_DIR).concept_entries
QUERY_PIECES = st.sampled_from(
    [
        "AND",
        "OR",
        "NOT",
        "NEAR/3",
        "ONEAR/2",
        "(",
        ")",
        '"',
        "*",
        "title:",
        "lang:",
        "case:",
        "@chips",
        "@nope",
        "chip",
        "반도체",
        "칩",
        ":",
        "-",
        "NEAR",
        "café",
        "\n",
        "  ",
        "12:30",
        "ASML",
        "x*y",
    ]
)
TEXTS = st.text(
    alphabet=st.one_of(
        st.characters(),
        st.sampled_from(list("반도체칩거를의 수출통제ASMLchipé-.,\n\u0301ßİﬁＡ가")),
    ),
    max_size=400,
)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.text(max_size=120))
def test_parser_raises_nothing_but_rule_syntax_errors_on_any_text(query: str) -> None:
    try:
        rule_from_query(query, CONCEPTS)
    except RuleSyntaxError as error:
        assert error.line >= 1 and error.column >= 1 and error.message


@SETTINGS
@given(st.lists(QUERY_PIECES, max_size=14).map(" ".join))
def test_parser_on_query_like_text(query: str) -> None:
    try:
        parse_query(query)
        rule_from_query(query, CONCEPTS)
    except RuleSyntaxError as error:
        lines = query.split("\n")
        assert 1 <= error.line <= len(lines) + 1
        assert 1 <= error.column <= len(lines[error.line - 1]) + 2 if error.line <= len(lines) else True


@SETTINGS
@given(title=TEXTS, body=TEXTS, language=st.sampled_from(["", "nl", "en", "ko"]))
def test_matching_any_text_never_raises(title: str, body: str, language: str) -> None:
    for match in MATCHER.match(MatchItem(title=title, body=body, language=language)):
        for hit in match.hits:
            text = nfkc(title if hit.field == "title" else body)
            assert 0 <= hit.start <= hit.end <= len(text)
        assert match.explanation_json()


@SETTINGS
@given(TEXTS)
def test_offset_map_is_monotonic_and_in_range(text: str) -> None:
    normal = nfkc(text)
    view = fold_view(normal)
    positions = offset_map(normal, view)
    if positions is None:
        assert len(view) == len(normal)
        return
    assert len(positions) == len(view) + 1
    assert positions == sorted(positions) and all(0 <= p <= len(normal) for p in positions)
