"""`monitor serve` (the long-running service) and `monitor status` (what it is doing, read from the store)."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from datetime import UTC, datetime

import click
from rich.console import Console
from rich.table import Table

from monitor.cli import main
from monitor.service.config_check import ConfigCheckError, ServiceConfig

console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
CONFIG_EXIT = 2


def _refuse(error: ConfigCheckError) -> None:
    click.echo(f"monitor serve: not started: {len(error.problems)} configuration problem(s)", err=True)
    for problem in error.problems:
        click.echo(f"  - {problem}", err=True)
    sys.exit(CONFIG_EXIT)


@main.command()
@click.option("--check", "check_only", is_flag=True, help="Check the configuration and exit (0 when it is usable).")
@click.pass_context
def serve(ctx: click.Context, check_only: bool) -> None:
    """Run the service: scheduled crawls, matching, delivery, digests, feeds, /healthz and /metrics.

    Checks the settings, the sources file and the alerts folder first and refuses to start on any problem.
    SIGTERM or Ctrl-C lets running crawls finish (MONITOR_SHUTDOWN_GRACE), then exits with status 0.
    """
    from monitor.service.config_check import check_configuration, check_settings
    from monitor.service.logs import configure_service_logging

    level = (ctx.obj or {}).get("log_level")
    try:
        settings = check_settings()
        if level:
            settings = replace(settings, log_level=level)
        configure_service_logging(settings.log_level, settings.log_format, verbose=level == "DEBUG")
        config = check_configuration(settings)
    except ConfigCheckError as error:
        _refuse(error)
        return
    if check_only:
        click.echo(f"configuration ok: {len(config.sources)} source(s), {len(config.rules.rules)} rule(s), "
                   f"{len(config.digests)} digest(s)")
        return
    from monitor.service.process import serve as run_service

    try:
        code = run_service(config)
    except ConfigCheckError as error:
        _refuse(error)
        return
    ctx.exit(code)


def _status_config() -> ServiceConfig:
    """Sources, digests and settings for `monitor status`: read leniently (status must work when a rule is
    broken); a broken sources file is still an error."""
    from monitor.digests.config import read_digests
    from monitor.rules.ruleset import RuleSet
    from monitor.service.config_check import DIGESTS_FILE, check_settings
    from monitor.service.schedules import zone_named
    from monitor.sources import SourceConfigError, load_sources

    try:
        settings = check_settings()
        sources = load_sources(settings.sources_path)
        zone = zone_named(settings.crawl_timezone)
    except (ConfigCheckError, SourceConfigError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    digests, _ = read_digests(settings.alerts_dir / DIGESTS_FILE)
    return ServiceConfig(settings, sources, RuleSet(()), zone, None, digests)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the /healthz document instead of tables.")
def status(as_json: bool) -> None:
    """Sources (state, last success, items per day, last error), deliveries and the next scheduled jobs."""
    from monitor.digests.schedule import cron_trigger
    from monitor.service.jobs import all_plans, health_policy
    from monitor.service.plans import digest_plan
    from monitor.service.status import gather_status, healthz_document
    from monitor.store.database import open_store

    config = _status_config()
    digest_plans = [digest_plan(digest_id, cron_trigger(digest), f"digest {digest_id} '{digest.schedule}' "
                                f"{digest.timezone}") for digest_id, digest in config.digests.items()]
    engine = open_store(config.settings.database_url)
    try:
        report = gather_status(engine, config.sources, all_plans(config, digest_plans), health_policy(config))
    finally:
        engine.dispose()
    if as_json:
        click.echo(json.dumps(healthz_document(report, config.settings.node_name, True), indent=2))
        return
    console.print(_sources_table(report))
    deliveries = report.deliveries or {}
    console.print(f"deliveries: {deliveries.get('pending', 0)} pending, {deliveries.get('dead', 0)} dead"
                  + (f"; digests pending: {report.digests.get('pending', 0)}" if report.digests else "")
                  + f"; operator alerts waiting: {report.unsent_alerts}")
    console.print(_jobs_table(report.upcoming))


def _when(moment: datetime | None) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S}Z" if moment else "—"


def _sources_table(report) -> Table:  # type: ignore[no-untyped-def]
    table = Table(title="Sources", title_justify="left")
    for column in ("source", "state", "last success", "last run", "items/day", "last error or reason"):
        table.add_column(column, justify="right" if column == "items/day" else "left")
    colours = {"healthy": "green", "new": "cyan", "disabled": "dim", "stale": "yellow"}
    for source in report.sources:
        note = source.reason if source.state != "healthy" else (source.last_error or "")
        table.add_row(source.id, f"[{colours.get(source.state, 'red')}]{source.state}[/]",
                      _when(source.last_success_at), _when(source.last_run_at), f"{source.items_per_day:g}",
                      (note or "")[:100])
    return table


def _jobs_table(upcoming) -> Table:  # type: ignore[no-untyped-def]
    table = Table(title="Next scheduled jobs (computed from the definitions)", title_justify="left")
    for column in ("job", "next run (UTC)", "what"):
        table.add_column(column)
    for job in upcoming[:25]:
        table.add_row(job.job_id, _when(job.next_run), job.description)
    return table
