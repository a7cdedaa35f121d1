"""Digests end to end against a real store (SQLite and PostgreSQL) and a real SMTP server on loopback."""

from __future__ import annotations

import asyncio
import email
import threading
from collections.abc import Iterator
from datetime import timedelta
from email import policy
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from monitor.digests import digests_due, retry_pending_digests, run_digest
from monitor.digests.message import message_id_for
from monitor.digests.runner import DigestResult
from monitor.store.database import open_store
from monitor.store.digest_models import DigestRecipient, DigestSend
from tests.digests.seed import (
    NOW,
    PERIOD,
    RECIPIENTS,
    RULES,
    add_item,
    add_match,
    explanation,
    kr_digest,
    mail_channel,
    new_story,
)
from tests.digests.smtp_server import RecordingHandler, SmtpServer, free_port


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = open_store(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Iterator[Engine]:
    """For behaviour that does not depend on the database (PostgreSQL runs the store-sensitive tests)."""
    engine = open_store(sqlite_url)
    yield engine
    engine.dispose()


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    with SmtpServer() as running:
        yield running


def channels_for(port: int) -> dict:
    return {"mail": mail_channel(port)}


def seed_news(engine: Engine) -> dict[str, int]:
    """A Korean story reported by two sources, and a Dutch item with a hostile title."""
    story = new_story(engine)
    first = add_item(engine, "SK하이닉스, HBM4 양산 돌입", "SK하이닉스가 HBM4 양산을 시작했다.", language="ko",
                     source_id="yonhap", story_id=story, published_at=NOW - timedelta(hours=5))
    copy = add_item(engine, "SK하이닉스 HBM4 양산", "HBM4 양산 소식", language="ko", source_id="thelec",
                    story_id=story, published_at=NOW - timedelta(hours=4))
    dutch = add_item(engine, "Exportcontrole <script>alert(1)</script> ]]> & ASML", "Het kabinet …",
                     language="nl", source_id="rijksoverheid")
    matched = PERIOD - timedelta(hours=2)
    ko_snippet = "SK하이닉스 **HBM4** 양산"
    add_match(engine, first, "memory-hbm", matched, story_id=story, explained=explanation("HBM", "title", ko_snippet))
    add_match(engine, copy, "memory-hbm", matched, story_id=story)
    add_match(engine, dutch, "export-controls", matched,
              explained=explanation("exportcontrole", "title", "**Exportcontrole** op ASML"))
    return {"first": first, "copy": copy, "dutch": dutch}


def sends(engine: Engine) -> list:
    with engine.connect() as connection:
        return list(connection.execute(select(DigestSend).order_by(DigestSend.id)).all())


def test_digest_is_multipart_grouped_by_rule_and_story_and_keeps_korean(
    sqlite_engine: Engine, server: SmtpServer
) -> None:
    seed_news(sqlite_engine)
    result = run_digest(sqlite_engine, kr_digest(), channels_for(server.port), RULES, now=NOW)
    assert result.status == "sent" and set(result.delivered) == set(RECIPIENTS)
    assert len(server.received) == 1
    received = server.received[0]
    assert sorted(received.rcpt_tos) == sorted(RECIPIENTS) and received.mail_from == "monitor@example.org"
    message = received.message
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    assert all(part.get_content_charset() == "utf-8" for part in message.iter_parts())
    assert message["Message-ID"] == message_id_for("kr-team", PERIOD, "monitor@example.org")
    assert message["From"].addresses[0].addr_spec == "monitor@example.org"
    assert message["Date"].datetime is not None and message["To"]
    subject = str(message["Subject"])
    assert subject.startswith("[Monitor] KR team digest, 2026-03-30: 2 stories — ") and "\n" not in subject
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "SK하이닉스, HBM4 양산 돌입" in text and "SK하이닉스, HBM4 양산 돌입" in html
    assert text.count("\n* ") == 2  # one entry per story: the copy from thelec is folded into yonhap's
    assert "Also reported by thelec" in text and "Also reported by thelec" in html
    assert text.index("Export controls") < text.index("Memory and HBM")  # rule-set order
    assert "Exportcontrole <script>alert(1)</script> ]]> & ASML" in text
    assert "Exportcontrole &lt;script&gt;alert(1)&lt;/script&gt; ]]&gt; &amp; ASML" in html
    assert "<script" not in html
    assert "2026-03-30 03:30 KST" in text  # published 5 h before NOW, shown in the digest's time zone
    assert "<strong" in html and "Matched “HBM” in title" in html


def test_refused_recipient_is_retried_alone_with_the_same_message_id(engine: Engine) -> None:
    seed_news(engine)
    handler = RecordingHandler(refuse_once={"b@example.org"})
    with SmtpServer(handler) as server:
        channels = channels_for(server.port)
        first = run_digest(engine, kr_digest(), channels, RULES, now=NOW)
        assert first.status == "pending" and first.pending == ("b@example.org",)
        assert set(first.delivered) == {"a@example.org", "c@example.org"} and "550" in (first.error or "")
        assert retry_pending_digests(engine, {"kr-team": kr_digest()}, channels, now=NOW) == []  # backoff
        later = retry_pending_digests(engine, {"kr-team": kr_digest()}, channels, now=NOW + timedelta(minutes=5))
    assert [result.status for result in later] == ["sent"] and later[0].delivered == ("b@example.org",)
    assert [received.rcpt_tos for received in server.received] == [
        ["a@example.org", "c@example.org"], ["b@example.org"]]
    assert server.received[0].data == server.received[1].data
    assert server.received[0].message["Message-ID"] == server.received[1].message["Message-ID"]
    with engine.connect() as connection:
        statuses = dict(connection.execute(select(DigestRecipient.address, DigestRecipient.status)).all())
    assert set(statuses.values()) == {"sent"}


def test_smtp_down_stays_pending_and_is_sent_once_later(engine: Engine) -> None:
    seed_news(engine)
    port = free_port()
    digest, channels = kr_digest(), channels_for(port)
    down = run_digest(engine, digest, channels, RULES, now=NOW)
    assert down.status == "pending" and set(down.pending) == set(RECIPIENTS) and "127.0.0.1" in (down.error or "")
    again = run_digest(engine, digest, channels, RULES, now=NOW + timedelta(minutes=1))
    assert again.status == "taken"  # the period is claimed; only retries may send it
    with SmtpServer(port=port) as server:
        results = retry_pending_digests(engine, {digest.id: digest}, channels, now=NOW + timedelta(minutes=10))
        assert [result.status for result in results] == ["sent"]
        assert retry_pending_digests(engine, {digest.id: digest}, channels, now=NOW + timedelta(hours=2)) == []
    assert len(server.received) == 1 and sorted(server.received[0].rcpt_tos) == sorted(RECIPIENTS)
    assert server.received[0].message["Message-ID"] == message_id_for(digest.id, PERIOD, "monitor@example.org")
    (send,) = sends(engine)
    assert send.status == "sent" and send.attempts == 2


def test_down_three_days_sends_one_digest_with_everything_since_the_last_sent(
    engine: Engine, server: SmtpServer
) -> None:
    digest, channels = kr_digest(), channels_for(server.port)
    start = NOW - timedelta(days=3)
    old = add_item(engine, "Old HBM news", published_at=start - timedelta(hours=2))
    add_match(engine, old, "memory-hbm", start - timedelta(hours=1))
    assert run_digest(engine, digest, channels, RULES, now=start).status == "sent"
    for day in (3, 2, 1):
        item = add_item(engine, f"HBM day -{day}", published_at=NOW - timedelta(days=day))
        add_match(engine, item, "memory-hbm", NOW - timedelta(days=day) + timedelta(hours=1))
    assert digests_due(engine, [digest], NOW) == [digest]
    result = run_digest(engine, digest, channels, RULES, now=NOW)
    assert result.status == "sent" and digests_due(engine, [digest], NOW) == []
    assert len(server.received) == 2
    text = server.received[1].message.get_body(("plain",)).get_content()
    assert all(f"HBM day -{day}" in text for day in (3, 2, 1)) and "Old HBM news" not in text
    first, second = sends(engine)
    assert second.watermark_from.replace(tzinfo=None) == first.watermark_to.replace(tzinfo=None)


def test_empty_digest_is_not_sent_unless_send_when_empty(sqlite_engine: Engine, server: SmtpServer) -> None:
    channels = channels_for(server.port)
    assert run_digest(sqlite_engine, kr_digest(), channels, RULES, now=NOW).status == "empty"
    assert server.received == []
    chatty = kr_digest(id="kr-chatty", send_when_empty=True)
    assert run_digest(sqlite_engine, chatty, channels, RULES, now=NOW).status == "sent"
    message = server.received[0].message
    assert "nothing new" in str(message["Subject"])
    assert "Nothing new matched" in message.get_body(("plain",)).get_content()


def test_backfill_matches_stay_out_of_digests(sqlite_engine: Engine, server: SmtpServer) -> None:
    item = add_item(sqlite_engine, "Backfilled HBM item")
    add_match(sqlite_engine, item, "memory-hbm", PERIOD - timedelta(hours=1), backfill=True)
    assert run_digest(sqlite_engine, kr_digest(), channels_for(server.port), RULES, now=NOW).status == "empty"


def test_two_concurrent_runs_for_one_period_send_once(engine: Engine, server: SmtpServer) -> None:
    seed_news(engine)
    barrier = threading.Barrier(2)
    results: list[DigestResult] = []

    def run() -> None:
        barrier.wait()
        results.append(run_digest(engine, kr_digest(), channels_for(server.port), RULES, now=NOW))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(result.status for result in results) == ["sent", "taken"]
    assert len(server.received) == 1 and len(sends(engine)) == 1


def test_a_late_committed_match_goes_into_the_next_digest_once(engine: Engine, server: SmtpServer) -> None:
    digest, channels = kr_digest(), channels_for(server.port)
    early = add_item(engine, "Early HBM item")
    add_match(engine, early, "memory-hbm", PERIOD - timedelta(minutes=30))
    assert run_digest(engine, digest, channels, RULES, now=NOW).status == "sent"
    late = add_item(engine, "Late-committed HBM item")  # stamped before the period, committed after it
    add_match(engine, late, "memory-hbm", PERIOD - timedelta(minutes=5))
    tomorrow = NOW + timedelta(days=1)
    assert run_digest(engine, digest, channels, RULES, now=tomorrow).status == "sent"
    text = server.received[1].message.get_body(("plain",)).get_content()
    assert "Late-committed HBM item" in text and "Early HBM item" not in text


def test_pending_digest_is_folded_into_the_next_period_after_an_smtp_outage(engine: Engine) -> None:
    digest = kr_digest()
    first = add_item(engine, "Monday HBM item")
    add_match(engine, first, "memory-hbm", PERIOD - timedelta(hours=1))
    port = free_port()
    assert run_digest(engine, digest, channels_for(port), RULES, now=NOW).status == "pending"
    second = add_item(engine, "Tuesday HBM item")
    add_match(engine, second, "memory-hbm", PERIOD + timedelta(hours=5))
    with SmtpServer(port=port) as server:
        assert run_digest(engine, digest, channels_for(port), RULES, now=NOW + timedelta(days=1)).status == "sent"
        assert retry_pending_digests(engine, {digest.id: digest}, channels_for(port),
                                     now=NOW + timedelta(days=1, hours=1)) == []
    assert len(server.received) == 1
    text = server.received[0].message.get_body(("plain",)).get_content()
    assert "Monday HBM item" in text and "Tuesday HBM item" in text
    assert [send.status for send in sends(engine)] == ["superseded", "sent"]


def test_due_after_short_downtime_runs_once(engine: Engine, server: SmtpServer) -> None:
    digest, channels = kr_digest(), channels_for(server.port)
    seed_news(engine)
    before = PERIOD - timedelta(minutes=5)  # down from 07:55 to 08:05 local
    assert run_digest(engine, digest, channels, RULES, now=before - timedelta(days=1)).status == "empty"
    assert digests_due(engine, [digest], PERIOD + timedelta(minutes=5)) == [digest]
    for _ in range(3):  # restarted three times: still one digest
        run_digest(engine, digest, channels, RULES, now=PERIOD + timedelta(minutes=5))
    assert len(server.received) == 1 and digests_due(engine, [digest], PERIOD + timedelta(minutes=6)) == []


def test_a_broken_template_claims_nothing(sqlite_engine: Engine, server: SmtpServer, tmp_path: Path) -> None:
    from monitor.digests.render import DEFAULT_TEMPLATES_DIR, DigestTemplates

    for template in DEFAULT_TEMPLATES_DIR.iterdir():
        (tmp_path / template.name).write_text(template.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "digest.html.j2").write_text("{{ ''.__class__.__mro__ }}", encoding="utf-8")
    seed_news(sqlite_engine)
    result = run_digest(sqlite_engine, kr_digest(), channels_for(server.port), RULES, now=NOW,
                        templates=DigestTemplates(tmp_path))
    assert result.status == "error" and "SecurityError" in (result.error or "")
    assert sends(sqlite_engine) == [] and server.received == []


def test_dry_run_writes_the_eml_and_records_nothing(sqlite_engine: Engine, tmp_path: Path) -> None:
    seed_news(sqlite_engine)
    result = run_digest(sqlite_engine, kr_digest(), {}, RULES, now=NOW, dry_run_dir=tmp_path / "out")
    assert result.status == "dry-run" and result.path is not None and result.path.parent == tmp_path / "out"
    message = email.message_from_bytes(result.path.read_bytes(), policy=policy.default)
    assert message.get_content_type() == "multipart/alternative" and result.match_count == 3
    assert "SK하이닉스, HBM4 양산 돌입" in message.get_body(("plain",)).get_content()
    with sqlite_engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(DigestSend)).scalar_one() == 0


def test_unknown_channel_is_an_error_without_a_claim(sqlite_engine: Engine) -> None:
    result = run_digest(sqlite_engine, kr_digest(channel="nowhere"), {}, RULES, now=NOW)
    assert result.status == "error" and "nowhere" in (result.error or "") and sends(sqlite_engine) == []


def test_killed_after_the_claim_the_period_is_sent_once_by_the_retry(
    sqlite_engine: Engine, server: SmtpServer
) -> None:
    from monitor.digests.claim import claim_period
    from monitor.digests.render import templates_for

    seed_news(sqlite_engine)
    digest, channels = kr_digest(), channels_for(server.port)
    claim = claim_period(sqlite_engine, digest, RULES, templates_for(), period_at=PERIOD, now=NOW,
                         sender="monitor@example.org")
    assert claim.status == "claimed"  # … and the process dies before sending
    assert run_digest(sqlite_engine, digest, channels, RULES, now=NOW).status == "taken"
    assert [r.status for r in retry_pending_digests(sqlite_engine, {digest.id: digest}, channels, now=NOW)] == ["sent"]
    assert len(server.received) == 1


def test_killed_between_the_servers_ok_and_recording_resends_once_with_the_same_id(
    engine: Engine, server: SmtpServer
) -> None:
    from monitor.digests.sends import lease

    seed_news(engine)
    digest, channels = kr_digest(), channels_for(server.port)
    port = free_port()
    assert run_digest(engine, digest, channels_for(port), RULES, now=NOW).status == "pending"  # SMTP down
    later, (send,) = NOW + timedelta(minutes=5), sends(engine)
    with engine.begin() as connection:
        assert lease(connection, send.id, later)  # a node took it, the server said 250, it died
    assert retry_pending_digests(engine, {digest.id: digest}, channels, now=later) == []  # lease held
    results = retry_pending_digests(engine, {digest.id: digest}, channels, now=later + timedelta(minutes=11))
    assert [result.status for result in results] == ["sent"] and len(server.received) == 1
    assert server.received[0].message["Message-ID"] == message_id_for(digest.id, PERIOD, "monitor@example.org")


def test_async_wrappers_for_the_service(sqlite_engine: Engine, server: SmtpServer) -> None:
    from monitor.digests import retry_pending_digests_async, run_digest_async

    seed_news(sqlite_engine)
    digest, channels = kr_digest(), channels_for(server.port)
    result = asyncio.run(run_digest_async(sqlite_engine, digest, channels, RULES, now=NOW))
    assert result.status == "sent" and len(server.received) == 1
    assert asyncio.run(retry_pending_digests_async(sqlite_engine, {digest.id: digest}, channels, now=NOW)) == []


def test_period_claimed_accepts_the_period_in_the_digests_own_zone(
    sqlite_engine: Engine, server: SmtpServer
) -> None:
    from monitor.digests.schedule import latest_run
    from monitor.digests.store_reads import period_claimed

    seed_news(sqlite_engine)
    digest = kr_digest()
    local_period = latest_run(digest, NOW)  # 08:00+09:00
    with sqlite_engine.connect() as connection:
        assert not period_claimed(connection, digest.id, local_period)
    run_digest(sqlite_engine, digest, channels_for(server.port), RULES, now=NOW)
    with sqlite_engine.connect() as connection:
        assert period_claimed(connection, digest.id, local_period)
        assert period_claimed(connection, digest.id, PERIOD)
