"""`monitor digest [ID]` (send due digests, or one now, or write it as .eml) and `monitor digests` (list)."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from monitor.cli import main
from monitor.cli.command_settings import load_settings
from monitor.config import Settings
from monitor.digests.config import Digest, DigestSetError, load_digests
from monitor.digests.references import check_references
from monitor.digests.render import DEFAULT_TEMPLATES_DIR, HTML_TEMPLATE, DigestTemplates, templates_for
from monitor.digests.runner import DigestResult, digests_due, retry_pending_digests, run_digest
from monitor.digests.schedule import next_run

console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
STYLES = {"sent": "green", "dry-run": "green", "pending": "yellow", "empty": "dim", "taken": "dim",
          "covered": "dim", "not-due": "dim", "busy": "dim"}


def _digests(settings: Settings) -> dict[str, Digest]:
    try:
        return load_digests(settings.alerts_dir / "digests.toml")
    except DigestSetError as error:
        raise click.ClickException(f"digests.toml does not load:\n{error}") from None


def _rules(settings: Settings) -> Any:
    from monitor.rules import RuleSetError, load_rule_set

    try:
        return load_rule_set(settings.alerts_dir)
    except RuleSetError as error:
        raise click.ClickException(f"the rules do not load (run `monitor rules check`):\n{error}") from None


def _channels(settings: Settings, required: bool) -> Any:
    """The channel set, or an empty mapping when it is not needed and cannot be loaded."""
    try:
        from monitor.delivery.channel_config import load_channels

        return load_channels(settings.alerts_dir / "channels.toml", os.environ)
    except (ImportError, ValueError) as error:
        if required:
            raise click.ClickException(f"channels.toml does not load: {error}") from None
        return {}


def _templates(settings: Settings) -> DigestTemplates:
    """The alerts folder's templates, or the shipped ones when that folder has none."""
    folder = settings.alerts_dir / "templates"
    return templates_for(folder if (folder / HTML_TEMPLATE).exists() else DEFAULT_TEMPLATES_DIR)


def _print_result(result: DigestResult) -> None:
    style = STYLES.get(result.status, "red")
    detail = []
    if result.match_count:
        detail.append(f"{result.match_count} matches")
    if result.delivered:
        detail.append(f"delivered to {len(result.delivered)}")
    if result.pending:
        detail.append(f"pending for {', '.join(result.pending)}")
    if result.path:
        detail.append(str(result.path))
    if result.error:
        detail.append(result.error)
    console.print(f"{escape(result.digest_id)}: [{style}]{result.status}[/] " + escape("; ".join(detail)))


@main.command("digest")
@click.argument("digest_id", required=False)
@click.option("--now", "send_now", is_flag=True,
              help="Build and send now: everything since the last digest sent, whatever the schedule.")
@click.option("--dry-run", is_flag=True, help="Write the digest as an .eml file instead of sending it.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for --dry-run files [default: $MONITOR_HOME/digests].")
@click.pass_context
def digest_command(
    ctx: click.Context, digest_id: str | None, send_now: bool, dry_run: bool, out_dir: Path | None
) -> None:
    """Send the digests that are due (or ID only), and retry pending ones.

    Without options, a digest goes out only if its latest scheduled time has not been handled yet (this is
    what the service does at start-up). --now builds and sends one now; --dry-run writes it to a file and
    records nothing, so the scheduled digest still goes out.
    """
    from monitor.store.database import open_store

    settings = load_settings(ctx)
    digests = _digests(settings)
    if digest_id is not None and digest_id not in digests:
        raise click.ClickException(f"no digest {digest_id!r} in digests.toml (known: {', '.join(digests)})")
    chosen = [digests[digest_id]] if digest_id else list(digests.values())
    rules = _rules(settings)
    channels = _channels(settings, required=not dry_run)
    engine = open_store(settings.database_url)
    now = datetime.now(UTC)
    folder = out_dir or settings.home / "digests"
    templates = _templates(settings)
    if dry_run:
        results = [run_digest(engine, digest, channels, rules, now=now, dry_run_dir=folder, templates=templates)
                   for digest in chosen]
    else:
        targets = chosen if send_now else digests_due(engine, chosen, now)
        results = retry_pending_digests(engine, {d.id: d for d in chosen}, channels, now=now)
        results += [run_digest(engine, digest, channels, rules, now=now, manual=send_now, templates=templates)
                    for digest in targets]
        if not results:
            console.print("[dim]nothing due[/]")
    for result in results:
        _print_result(result)
    if any(result.status in {"error", "dead"} for result in results):
        raise SystemExit(1)


@main.command("digests")
@click.pass_context
def digests_command(ctx: click.Context) -> None:
    """List the digests: schedule, next run in local time, last sent, pending sends, reference problems."""
    from monitor.digests.store_reads import digest_states
    from monitor.store.database import open_store

    settings = load_settings(ctx)
    digests = _digests(settings)
    rules = _rules(settings)
    channels = _channels(settings, required=False)
    engine = open_store(settings.database_url)
    with engine.connect() as connection:
        states = digest_states(connection, list(digests))
    now = datetime.now(UTC)
    table = Table(title="Digests", title_justify="left")
    for column in ("id", "schedule", "next run (local)", "last sent (local)", "pending", "recipients"):
        table.add_column(column)
    for digest in digests.values():
        state = states[digest.id]
        last = state.last_sent_at.astimezone(digest.zone) if state.last_sent_at else None
        table.add_row(
            escape(digest.id), escape(f"{digest.schedule} {digest.timezone}"),
            next_run(digest, now).strftime("%Y-%m-%d %H:%M %Z"), f"{last:%Y-%m-%d %H:%M %Z}" if last else "never",
            f"{state.pending}" + (f" ({state.dead} dead)" if state.dead else ""), str(len(digest.recipients)),
        )
    console.print(table)
    for problem in check_references(settings.alerts_dir / "digests.toml", digests, rules, channels or None):
        console.print(f"[yellow]![/] {escape(str(problem))}")
