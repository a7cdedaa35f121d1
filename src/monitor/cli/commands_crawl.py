"""`monitor crawl`, `monitor sources`, `monitor settings` and `monitor run`."""

from __future__ import annotations

import sys

import click
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import select

from monitor.cli import main
from monitor.cli.command_settings import load_settings
from monitor.config import SETTINGS, Settings
from monitor.crawl.run_outcome import RunCounts, RunOutcome
from monitor.crawl.workers import (
    count_fresh_sources,
    default_workers,
    outcome_line,
    run_workers,
    worker_slice,
)
from monitor.sources import SourceConfigError, SourceDefinition, load_sources, select_sources
from monitor.store.database import shared_engine

console = Console(stderr=False, highlight=False, width=None if sys.stdout.isatty() else 160)
errors = Console(stderr=True, highlight=False)


def load_source_definitions(settings: Settings) -> list[SourceDefinition]:
    try:
        return load_sources(settings.sources_path)
    except SourceConfigError as error:
        raise click.ClickException(str(error)) from None


def _results_table(runs) -> Table:  # type: ignore[no-untyped-def]
    table = Table(title="Crawl results", title_justify="left")
    for column in ("source", "status", "new", "updated", "duplicate", "unchanged", "failed", "note"):
        table.add_column(column, justify="right" if column in {"new", "updated", "duplicate", "unchanged",
                                                                  "failed"} else "left")
    for run in sorted(runs, key=lambda run: run.source.id):
        counts = run.outcome.counts
        style = {"ok": "green", "not_modified": "green", "empty": "yellow"}.get(run.outcome.status, "red")
        note = run.outcome.error or ("304 not modified" if run.outcome.status == "not_modified" else "")
        table.add_row(run.source.id, f"[{style}]{run.outcome.status}[/]", str(counts.new), str(counts.updated),
                      str(counts.duplicate), str(counts.unchanged), str(counts.failed), note[:160])
    return table


def crawl_now(settings: Settings, sources: list[SourceDefinition], show_progress: bool) -> list:
    from monitor.crawl.runner import run_crawls

    progress = Progress(SpinnerColumn(), TextColumn(f"crawling {len(sources)} source(s)"), TimeElapsedColumn(),
                        TextColumn("{task.fields[status]}"), console=errors, disable=not show_progress,
                        transient=True)
    with progress:
        task = progress.add_task("crawl", total=None, status="")

        def report(state) -> None:  # type: ignore[no-untyped-def]
            progress.update(task, status=f"{state.responses} responses, {state.items} items")

        return run_crawls(settings, sources, report)


@main.command()
@click.argument("source_ids", nargs=-1, metavar="[SOURCE_ID]...")
@click.option("--all", "all_sources", is_flag=True, help="Crawl every enabled source (the default).")
@click.option("--no-progress", is_flag=True, help="No progress display (for logs and scripts).")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Processes to spread the sources over "
                   "[default: one per core when 40+ sources are new to the store].")
@click.option("--worker", "worker_spec", hidden=True, help="Internal: crawl slice K/N, print JSON lines.")
@click.pass_context
def crawl(ctx: click.Context, source_ids: tuple[str, ...], all_sources: bool, no_progress: bool,
          workers: int | None, worker_spec: str | None) -> None:
    """Crawl sources now and store what is new.

    Prints, per source, how many items were new, updated, exact duplicates of items from other sources,
    unchanged and failed. Exits with status 1 when any source failed or was blocked.
    """
    if all_sources and source_ids:
        raise click.UsageError("give source ids or --all, not both")
    settings = load_settings(ctx)
    try:
        sources = select_sources(load_source_definitions(settings), list(source_ids))
    except KeyError as error:
        raise click.ClickException(str(error.args[0])) from None
    if not sources:
        raise click.ClickException(f"no enabled sources in {settings.sources_path}")
    if worker_spec:
        for run in crawl_now(settings, worker_slice(sources, worker_spec), show_progress=False):
            click.echo(outcome_line(run.source.id, run.outcome))
        return
    show_progress = not no_progress and sys.stderr.isatty()
    count = workers or default_workers(count_fresh_sources(shared_engine(settings.database_url),
                                                           [source.id for source in sources]))
    if count > 1:
        runs = crawl_in_workers(settings, sources, count, show_progress)
    else:
        runs = crawl_now(settings, sources, show_progress)
    console.print(_results_table(runs))
    total_new = sum(run.outcome.counts.new for run in runs)
    console.print(f"{total_new} new item(s) stored in {settings.database_url}")
    if any(run.outcome.status in {"failed", "blocked"} for run in runs):
        ctx.exit(1)


def crawl_in_workers(settings: Settings, sources: list[SourceDefinition], count: int,
                     show_progress: bool) -> list:
    from monitor.crawl.runner import SourceRun
    with Progress(SpinnerColumn(), TextColumn(f"crawling {len(sources)} source(s) in {count} processes"),
                  TimeElapsedColumn(), console=errors, disable=not show_progress, transient=True) as progress:
        progress.add_task("crawl", total=None)
        outcomes = run_workers([source.id for source in sources], count)
    missing = RunOutcome("failed", RunCounts(), "the worker process crawling it died")
    return [SourceRun(source, outcomes.get(source.id, missing)) for source in sources]


@main.command()
@click.pass_context
def sources(ctx: click.Context) -> None:
    """List the configured sources with their last run and state."""
    from monitor.store.database import open_store
    from monitor.store.models import SourceState

    settings = load_settings(ctx)
    definitions = load_source_definitions(settings)
    with open_store(settings.database_url).connect() as connection:
        states = {row.source_id: row for row in connection.execute(select(SourceState))}
    table = Table(title=f"Sources in {settings.sources_path}", title_justify="left")
    for column in ("id", "family", "language", "schedule", "enabled", "state", "last run", "last error"):
        table.add_column(column)
    for source in definitions:
        state = states.get(source.id)
        table.add_row(source.id, source.family, source.language, source.schedule.describe(),
                      "yes" if source.enabled else "no", state.state if state else "never run",
                      f"{state.last_run_at:%Y-%m-%d %H:%M}" if state and state.last_run_at else "—",
                      ((state.last_error or "") if state else "")[:80])
    console.print(table)


@main.command(name="settings")
def show_settings() -> None:
    """List every setting with its default and meaning (the README's table)."""
    table = Table(title="Settings (environment variables)", title_justify="left")
    for column in ("name", "default", "meaning"):
        table.add_column(column)
    for spec in SETTINGS:
        table.add_row(spec.name, spec.default, spec.meaning)
    console.print(table)


@main.command()
@click.pass_context
def run(ctx: click.Context) -> None:
    """Run the service (`monitor serve`) on the embedded defaults: SQLite under var/, spiders/sources.toml,
    alerts/, HTTP on 127.0.0.1:8080."""
    from monitor.cli.commands_serve import serve

    ctx.invoke(serve, check_only=False)
