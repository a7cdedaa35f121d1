"""The `monitor` command line. Each group of commands lives in its own module and registers itself here."""

from __future__ import annotations

import click

from monitor import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="monitor")
@click.option("-v", "--verbose", is_flag=True, help="Show debug logging.")
@click.option("-q", "--quiet", is_flag=True, help="Show only warnings and errors.")
@click.pass_context
def main(ctx: click.Context, verbose: bool, quiet: bool) -> None:
    """Watch Dutch and Korean government sites and the semiconductor trade press; alert on what matters.

    Settings come from MONITOR_* environment variables (`monitor settings` lists them); with none set,
    everything runs on the embedded defaults: SQLite under var/, spiders/sources.toml and alerts/.
    """
    ctx.ensure_object(dict)
    ctx.obj["log_level"] = "DEBUG" if verbose else "WARNING" if quiet else None


def _register() -> None:
    from monitor.cli import (  # noqa: F401  (each module registers its commands on `main`)
        commands_crawl,
        commands_delivery,
        commands_digest,
        commands_feeds,
        commands_rules,
        commands_serve,
    )


_register()
