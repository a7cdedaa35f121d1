"""Webhook URLs and signing secrets never reach logs, stored errors or the CLI output."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import Engine

from monitor.delivery.channel_config import WebhookChannelConfig
from monitor.delivery.sender import redact
from tests.delivery.conftest import SECRET, T0, channel_set, deliveries, enqueue, rule_set, store_match, webhook
from tests.delivery.dispatch_helpers import attempts, dispatch
from tests.delivery.receiver import Receiver
from tests.fixture_server import Answer

TOKEN_PATH = "/services/T0001/B0002/abcdefSECRETtoken"


def test_secrets_stay_out_of_logs_and_stored_errors(sqlite_engine: Engine, receiver: Receiver,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    echo = f"invalid_token for {receiver.url(TOKEN_PATH)} {SECRET}"
    url = receiver.script(TOKEN_PATH, Answer(status=500, body=echo), Answer(status=410, body=echo))
    channels = channel_set(webhook("hook", "webhook", url, secret=SECRET, secret_env="S"))
    enqueue(sqlite_engine, [store_match(sqlite_engine, "r")], rule_set(("r", "R", ("hook",))), channels)
    first = dispatch(sqlite_engine, channels, T0)
    second = dispatch(sqlite_engine, channels, T0.replace(hour=13))
    stored = [row.last_error or "" for row in deliveries(sqlite_engine)]
    stored += [attempt.error or "" for attempt in attempts(sqlite_engine)]
    reports = [report.channels["hook"].last_error or "" for report in (first, second)]
    assert any("invalid_token" in text for text in stored)
    for text in [caplog.text, *stored, *reports, repr(channels)]:
        assert "SECRETtoken" not in text and SECRET not in text and url not in text


def test_redact_removes_url_path_and_secret() -> None:
    config = WebhookChannelConfig("c", "webhook", "U", "https://hooks.example/a/b?token=1", "S", SECRET)
    text = redact(f"failed https://hooks.example/a/b?token=1 at /a/b?token=1 with {SECRET}", config) or ""
    assert "token=1" not in text and SECRET not in text and text.count("<redacted>") == 3
