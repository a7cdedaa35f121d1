"""Tokens on SQLite and PostgreSQL: only hashes stored, constant-time check, one plain 404 for every bad
token, scope or feed, revocation from the next request on, the `monitor feeds` commands, and logs that
never show a token."""

from __future__ import annotations

import hashlib
import logging
import re

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from monitor.cli import main
from monitor.store.feed_models import FeedToken
from monitor.web import tokens
from monitor.web.logs import RedactFeedTokens, install_log_redaction, redact, uvicorn_log_config
from monitor.web.tokens import revoke_token
from tests.web.app_client import AppClient
from tests.web.feed_store import FeedStore, url


def _assert_plain_404(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 404
    assert response.text == "Not Found\n"
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "etag" not in response.headers


def test_bad_unknown_revoked_and_other_scope_tokens_all_answer_404(store: FeedStore, client: AppClient) -> None:
    store.add_story(title="Secret story")
    all_token, chips_token, quiet_token = store.token(), store.token("chips"), store.token("quiet")
    assert client.get(url(all_token)).status_code == 200
    assert client.get(url(chips_token, "chips")).status_code == 200
    for path in (
        url("x"),
        url("a" * 500),
        url(all_token[:-1]),
        url(all_token.upper()),
        url(hashlib.sha256(all_token.encode()).hexdigest()),  # the stored hash is not a token
        url(chips_token),  # a rule's token does not open everything
        url(chips_token, "memory"),  # nor another rule
        url(all_token, "chips"),  # a token opens exactly its own scope
        url(quiet_token, "quiet"),  # a rule without a feed has none
        url(all_token, "no-such-rule"),
        url(all_token, "all", "xml"),
        f"/feeds/{all_token}/rules/chips",
        f"/feeds/{all_token}/rules/all.rss",
    ):
        _assert_plain_404(client.get(path))
    token_id = hashlib.sha256(all_token.encode()).hexdigest()[:12]
    revoke_token(store.engine, token_id)
    _assert_plain_404(client.get(url(all_token)))
    _assert_plain_404(client.get(url(all_token), headers={"If-None-Match": "*"}))
    assert client.get(url(chips_token, "chips")).status_code == 200


def test_only_the_hash_is_stored_and_compared_in_constant_time(
    store: FeedStore, client: AppClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = store.token("chips")
    assert len(token) >= 43
    with store.engine.connect() as connection:
        rows = connection.execute(select(FeedToken.token_hash, FeedToken.scope, FeedToken.revoked)).all()
    assert [(row.token_hash, row.scope, row.revoked) for row in rows] == [
        (hashlib.sha256(token.encode()).hexdigest(), "chips", False)
    ]
    compared = []
    real = tokens.hmac.compare_digest

    def spy(left: bytes, right: bytes) -> bool:
        compared.append((left, right))
        return real(left, right)

    monkeypatch.setattr(tokens.hmac, "compare_digest", spy)
    assert client.get(url(token, "chips")).status_code == 200
    assert compared and all(len(left) == len(right) == 64 for left, right in compared)


def test_revoke_needs_an_unambiguous_id_or_the_token(store: FeedStore) -> None:
    token = store.token()
    with pytest.raises(tokens.TokenError):
        revoke_token(store.engine, "abc")
    with pytest.raises(tokens.TokenError):
        revoke_token(store.engine, "000000000000")
    assert revoke_token(store.engine, token).revoked


def test_feeds_commands_create_list_and_revoke(database_url: str, store: FeedStore) -> None:
    runner = CliRunner(env={"MONITOR_DATABASE_URL": database_url, "MONITOR_PUBLIC_URL": "https://feeds.example/"})
    created = runner.invoke(main, ["feeds", "token", "--rule", "memory-hbm"])
    assert created.exit_code == 0, created.output
    found = re.search(r"https://feeds\.example/feeds/([A-Za-z0-9_-]{43})/rules/memory-hbm\.rss", created.output)
    assert found and "/rules/memory-hbm.atom" in created.output and "/rules/memory-hbm.json" in created.output
    token_id = hashlib.sha256(found.group(1).encode()).hexdigest()[:12]
    listed = runner.invoke(main, ["feeds", "list"])
    assert token_id in listed.output and "memory-hbm" in listed.output and "active" in listed.output
    assert found.group(1) not in listed.output
    assert runner.invoke(main, ["feeds", "token", "--rule", "no-such-rule"]).exit_code != 0
    revoked = runner.invoke(main, ["feeds", "revoke", token_id[:8]])
    assert revoked.exit_code == 0 and "revoked" in runner.invoke(main, ["feeds", "list"]).output
    assert runner.invoke(main, ["feeds", "revoke", "ffffffffff"]).exit_code != 0


def test_access_log_records_lose_the_token(caplog: pytest.LogCaptureFixture) -> None:
    install_log_redaction()
    token = "QzMM2Rvvk3gO_z8_am1gt3iJNa9K6f_rKdddv7J0lho"
    access = logging.getLogger("uvicorn.access")
    access.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.INFO, logger="uvicorn.access"):
            access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5", "GET", f"/feeds/{token}/all.rss?limit=5", "1.1", 200)
            logging.getLogger("uvicorn.error").warning("odd request to /feeds/%s/rules/x.atom", token)
    finally:
        access.removeHandler(caplog.handler)
    assert token not in caplog.text
    assert "/feeds/[token]/all.rss?limit=5" in caplog.text and "/feeds/[token]/rules/x.atom" in caplog.text


def test_the_uvicorn_log_config_filters_every_handler() -> None:
    config = uvicorn_log_config()
    assert config["filters"]["redact_feed_tokens"]["()"] is RedactFeedTokens
    assert all("redact_feed_tokens" in handler["filters"] for handler in config["handlers"].values())
    assert redact("GET /feeds/abc-_123/all.json") == "GET /feeds/[token]/all.json"
    assert redact("/healthz") == "/healthz"


def test_tracebacks_and_templates_lose_the_token(caplog: pytest.LogCaptureFixture) -> None:
    token = "etnmpahiSCVnicP-64T5dFSyqGY39oYRlbqmWS3BIw4"
    logger = logging.getLogger("monitor.web.test")
    logger.addFilter(RedactFeedTokens())
    try:
        raise ValueError(f"cannot serve /feeds/{token}/all.rss")
    except ValueError:
        logger.exception("failed on /feeds/%s/all.rss", token)
    assert token not in caplog.text and "/feeds/[token]/all.rss" in caplog.text
