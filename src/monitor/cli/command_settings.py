"""The settings every command starts from: read once from the environment, with the -v/-q log level applied."""

from __future__ import annotations

from dataclasses import replace

import click

from monitor.config import ConfigError, Settings
from monitor.logging_setup import configure_logging


def load_settings(ctx: click.Context) -> Settings:
    """Settings.from_env() with a configuration error shown as a usage error that names the setting."""
    try:
        settings = Settings.from_env()
    except ConfigError as error:
        raise click.ClickException(f"configuration: {error}") from None
    level = (ctx.obj or {}).get("log_level")
    if level:
        settings = replace(settings, log_level=level)
    configure_logging(settings.log_level if level else "WARNING", verbose=level == "DEBUG")
    return settings
