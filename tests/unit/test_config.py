"""Settings: embedded defaults with no environment, clear errors for bad values."""

from __future__ import annotations

import pytest

from monitor.config import ConfigError, Settings


def test_defaults_need_no_configuration() -> None:
    settings = Settings.from_env({})
    assert settings.database_url.startswith("sqlite:///") and settings.database_url.endswith("monitor.db")
    assert settings.sources_path.name == "sources.toml" and settings.sources_path.exists()
    assert settings.max_response_bytes == 32 * 1024 * 1024
    assert not settings.allow_private_networks
    assert "+https://" in settings.user_agent


@pytest.mark.parametrize(("name", "value"), [
    ("MONITOR_ALLOW_PRIVATE_NETWORKS", "maybe"),
    ("MONITOR_DOWNLOAD_TIMEOUT", "soon"),
    ("MONITOR_MAX_RESPONSE_BYTES", "99999999999"),
    ("MONITOR_CONCURRENCY", "-1"),
    ("MONITOR_LOG_LEVEL", "LOUD"),
])
def test_bad_values_name_the_setting(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: value})
