"""alerts/channels.toml: the shipped file, unset variables, and every kind of mistake with a clear error."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from monitor.delivery.channel_config import (
    ChannelConfigError,
    EmailChannelConfig,
    WebhookChannelConfig,
    load_channels,
)
from tests.delivery.conftest import SECRET

SHIPPED = Path(__file__).resolve().parents[2] / "alerts" / "channels.toml"
SLACK_URL = "https://hooks.slack.com/services/T000/B000/XXXXSECRETXXXX"
FULL_ENV = {
    "MONITOR_SLACK_WEBHOOK_URL": SLACK_URL,
    "MONITOR_TEAMS_WEBHOOK_URL": "https://prod-01.westeurope.logic.azure.com/workflows/abc/triggers/manual",
    "MONITOR_OPS_SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T000/B000/OPS",
    "MONITOR_WEBHOOK_URL": "https://receiver.example/hooks",
    "MONITOR_WEBHOOK_SECRET": SECRET,
}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "channels.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_file_without_environment_starts_with_everything_unavailable() -> None:
    channels = load_channels(SHIPPED, {})
    assert set(channels.unavailable) == {"team-slack", "kr-teams", "ops", "generic"}
    assert channels.unavailable["team-slack"] == "MONITOR_SLACK_WEBHOOK_URL is not set"
    assert channels.operator is None
    mail = channels.channels["mail"]
    assert isinstance(mail, EmailChannelConfig)
    assert (mail.smtp_host, mail.smtp_port, mail.security, mail.sender) == ("localhost", 25, "none",
                                                                            "monitor@localhost")


def test_shipped_file_with_environment() -> None:
    channels = load_channels(SHIPPED, FULL_ENV)
    assert not channels.unavailable and channels.operator == "ops"
    generic = channels.channels["generic"]
    assert isinstance(generic, WebhookChannelConfig) and generic.secret == SECRET and generic.kind == "webhook"
    assert {name: config.kind for name, config in channels.channels.items()} == {
        "team-slack": "slack", "kr-teams": "teams", "ops": "slack", "generic": "webhook", "mail": "email"}
    assert SLACK_URL not in repr(channels) and SECRET not in repr(channels)


def test_missing_file_is_an_empty_set(tmp_path: Path) -> None:
    channels = load_channels(tmp_path / "nope.toml", {})
    assert channels.channels == {} and channels.operator is None


@pytest.mark.parametrize(
    ("text", "env", "channel", "field", "words"),
    [
        ("[channels.a\nkind = 1", {}, None, None, "not valid TOML"),
        ('[channels.a]\nkind = "pager"\nurl_env = "U"', {}, "a", "kind", "unknown kind"),
        ('[channels.a]\nkind = "slack"', {}, "a", "url_env", "is missing"),
        ('[channels.a]\nkind = "slack"\nurl_env = "https://hooks.slack.com/x"', {}, "a", "url_env",
         "environment variable"),
        ('[channels.a]\nkind = "slack"\nurl_env = "U"\ncolour = "red"', {}, "a", "colour", "unknown field"),
        ('[channels.a]\nkind = "teams"\nurl_env = "U"', {"U": "https://contoso.webhook.office.com/webhookb2/x"},
         "a", "url_env", "Workflows"),
        ('[channels.a]\nkind = "slack"\nurl_env = "U"', {"U": "http://hooks.example/x"}, "a", "url_env", "https"),
        ('[channels.a]\nkind = "webhook"\nurl_env = "U"\nsecret_env = "S"',
         {"U": "https://r.example/x", "S": "not-a-secret"}, "a", "secret_env", "whsec_"),
        ('[channels.a]\nkind = "slack"\nurl_env = "U"\nmax_per_minute = 0', {}, "a", "max_per_minute", "at least"),
        ('[channels.m]\nkind = "email"\nsmtp_host = "h"\nsmtp_port = 25\nsecurity = "ssl"\nsender = "a@b"', {},
         "m", "security", "starttls"),
        ('[channels.m]\nkind = "email"\nsmtp_host = "h"\nsecurity = "none"\nsender = "a@b"', {}, "m", "smtp_port",
         "missing"),
        ('[channels.a]\nkind = "slack"\nurl_env = "U"\noperator = true\n'
         '[channels.b]\nkind = "slack"\nurl_env = "V"\noperator = true', {}, "b", "operator", "more than one"),
    ],
)
def test_errors_name_file_channel_and_field(tmp_path: Path, text: str, env: dict[str, str], channel: str | None,
                                            field: str | None, words: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ChannelConfigError) as raised:
        load_channels(path, env, allow_private_networks=False)
    error = raised.value
    assert (error.channel, error.field) == (channel, field)
    assert str(path) in str(error) and words in str(error)
    for value in env.values():
        assert value not in str(error)


def test_http_allowed_with_private_networks(tmp_path: Path) -> None:
    path = write(tmp_path, '[channels.a]\nkind = "webhook"\nurl_env = "U"')
    channels = load_channels(path, {"U": "http://127.0.0.1:9/x", "MONITOR_ALLOW_PRIVATE_NETWORKS": "1"})
    assert "a" in channels.channels


def test_unset_secret_or_password_makes_the_channel_unavailable(tmp_path: Path) -> None:
    path = write(tmp_path, '[channels.a]\nkind = "webhook"\nurl_env = "U"\nsecret_env = "S"\n'
                           '[channels.m]\nkind = "email"\nsmtp_host = "h"\nsmtp_port = 587\nsecurity = "starttls"\n'
                           'sender = "a@b.example"\nusername = "me"\npassword_env = "P"')
    channels = load_channels(path, {"U": "https://r.example/x"})
    assert channels.unavailable == {"a": "S is not set", "m": "P is not set"}
    channels = load_channels(path, {"U": "https://r.example/x", "S": SECRET, "P": "hunter2"})
    mail = channels.channels["m"]
    assert isinstance(mail, EmailChannelConfig) and mail.password == "hunter2" and "hunter2" not in repr(mail)


def test_loading_logs_no_secret(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    load_channels(SHIPPED, FULL_ENV)
    with pytest.raises(ChannelConfigError):
        load_channels(write(tmp_path, '[channels.a]\nkind = "slack"\nurl_env = "U"'), {"U": "http://x.example/S3"},
                      allow_private_networks=False)
    assert SLACK_URL not in caplog.text and SECRET not in caplog.text and "S3" not in caplog.text
