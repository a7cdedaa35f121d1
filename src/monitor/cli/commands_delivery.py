"""`monitor dispatch`, `monitor deliveries` and `monitor deliveries replay`: the outbox from the shell."""

from __future__ import annotations

import asyncio
import os
import sys

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from monitor.cli import main
from monitor.config import ConfigError, Settings
from monitor.delivery.channel_config import ChannelConfigError, ChannelSet, load_channels
from monitor.store.delivery_models import DELIVERY_STATUSES

console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except ConfigError as error:
        raise click.ClickException(f"configuration: {error}") from None


def load_channel_set(settings: Settings) -> ChannelSet:
    """channels.toml of the alerts folder, or a clear error naming the file, channel and field."""
    try:
        return load_channels(settings.alerts_dir / "channels.toml", os.environ,
                             allow_private_networks=settings.allow_private_networks)
    except ChannelConfigError as error:
        raise click.ClickException(str(error)) from None


@main.command("dispatch")
@click.option("--limit", default=500, show_default=True, help="At most this many deliveries per channel.")
def dispatch_command(limit: int) -> None:
    """Send the deliveries that are due now, once, and show what happened per channel."""
    from monitor.delivery.dispatcher import dispatch_due
    from monitor.store.database import open_store

    settings = _settings()
    channels = load_channel_set(settings)
    engine = open_store(settings.database_url)
    report = asyncio.run(dispatch_due(engine, channels, limit=limit))
    table = Table(title="Dispatch", title_justify="left")
    for column in ("channel", "sent", "retrying", "dead", "disabled", "429", "held back", "folded", "state"):
        table.add_column(column, justify="left" if column in {"channel", "state"} else "right")
    for name, row in sorted(report.channels.items()):
        state = ("disabled: " + row.disabled_reason if row.disabled_reason else
                 f"paused until {row.paused_until:%Y-%m-%d %H:%M:%S} UTC" if row.paused_until else
                 "at its per-minute limit" if row.throttled else "ok")
        table.add_row(name, str(row.sent), str(row.retrying), str(row.dead), str(row.disabled),
                      str(row.rate_limited), str(row.released), str(row.folded), escape(state))
    for name, reason in sorted(report.unavailable.items()):
        table.add_row(name, "-", "-", "-", "-", "-", "-", "-", escape(f"unavailable: {reason}"))
    console.print(table)
    console.print(f"{report.sent} sent")


@main.group("deliveries", invoke_without_command=True)
@click.option("--status", type=click.Choice(DELIVERY_STATUSES), help="Only deliveries with this status.")
@click.option("--channel", help="Only deliveries to this channel.")
@click.option("--limit", default=50, show_default=True, help="How many of the newest to show.")
@click.pass_context
def deliveries_group(ctx: click.Context, status: str | None, channel: str | None, limit: int) -> None:
    """List deliveries, newest first, with their last error; `replay ID` sends a dead one again."""
    if ctx.invoked_subcommand is not None:
        return
    from monitor.delivery.inspection import list_deliveries
    from monitor.store.database import open_store

    engine = open_store(_settings().database_url)
    rows = list_deliveries(engine, status=status, channel=channel, limit=limit)
    table = Table(title="Deliveries", title_justify="left")
    for column in ("id", "status", "channel", "kind", "rule", "tries", "next / sent (UTC)", "last error"):
        table.add_column(column, justify="right" if column in {"id", "tries"} else "left")
    for row in rows:
        when = row.sent_at if row.status == "sent" else row.next_attempt_at if row.status == "pending" else None
        table.add_row(str(row.id), row.status, row.channel, row.kind, escape(row.rule_id or "-"),
                      str(row.attempts), f"{when:%Y-%m-%d %H:%M:%S}" if when else "-",
                      escape((row.last_error or "")[:120]))
    console.print(table)
    console.print(f"{len(rows)} shown")


@deliveries_group.command("replay")
@click.argument("ids", nargs=-1, type=int, required=True)
def replay_command(ids: tuple[int, ...]) -> None:
    """Put dead or disabled deliveries back in the queue, with the same idempotency key."""
    from monitor.delivery.inspection import replay_deliveries
    from monitor.store.database import open_store

    engine = open_store(_settings().database_url)
    result = replay_deliveries(engine, list(ids))
    for delivery_id in result.replayed:
        console.print(f"[green]✓[/] delivery {delivery_id} is pending again (same idempotency key)")
    for name in result.channels_enabled:
        console.print(f"[yellow]channel {escape(name)} was disabled and is enabled again[/]")
    for delivery_id, reason in result.skipped.items():
        console.print(f"[red]✗[/] delivery {delivery_id}: {escape(reason)}")
    if result.skipped:
        raise SystemExit(1)
