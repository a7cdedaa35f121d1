"""`monitor match`, `monitor rules check` and `monitor rules test`: the analyst's side of alert rules."""

from __future__ import annotations

import re
import sys
from datetime import timedelta

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from monitor.cli import main
from monitor.config import ConfigError, Settings
from monitor.rules import (
    MatchItem,
    Rule,
    RuleMatch,
    RuleMatcher,
    RuleSet,
    RuleSetError,
    RuleSyntaxError,
    load_rule_set,
    read_rule_set,
    rule_from_query,
    run_examples,
)

console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
_DURATION = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class Duration(click.ParamType):
    """An age such as 30d, 12h, 2w or 90m."""

    name = "duration"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> timedelta:
        if isinstance(value, timedelta):
            return value
        found = _DURATION.match(str(value))
        if not found:
            self.fail(f"{value!r} is not a duration; write e.g. 30d, 12h, 2w or 90m", param, ctx)
        return timedelta(**{_UNITS[found.group(2)]: int(found.group(1))})


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except ConfigError as error:
        raise click.ClickException(f"configuration: {error}") from None


def _highlight(snippet: str) -> str:
    """`**hit**` from an explanation snippet as rich markup."""
    parts = escape(snippet).split("**")
    return "".join(f"[bold yellow]{part}[/]" if index % 2 else part for index, part in enumerate(parts))


def _progress(label: str) -> Progress:
    return Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
        disable=not sys.stderr.isatty(),
    )


def _print_syntax_error(error: RuleSyntaxError, query: str) -> None:
    console.print(f"[red]error[/] {escape(str(error.message))} (line {error.line}, column {error.column})")
    lines = query.splitlines() or [""]
    if 1 <= error.line <= len(lines):
        console.print("  " + escape(lines[error.line - 1]))
        console.print("  " + " " * (error.column - 1) + "[red]^[/]")
    if error.hint:
        console.print(f"[cyan]hint[/] {escape(error.hint)}")


def _print_matches(matches: list[RuleMatch]) -> None:
    for match in matches:
        for hit in match.hits:
            console.print(
                f"  [green]{escape(match.rule_id)}[/] `{escape(hit.term)}` in {hit.field} "
                f"[dim]{hit.start}–{hit.end}[/]: {_highlight(hit.snippet)}"
            )


@main.command("match")
@click.option("--since", type=Duration(), help="Re-match items published within this age, e.g. 30d.")
@click.option(
    "--rule", "rule_ids", multiple=True, metavar="ID", help="Only this rule (repeatable); re-matches."
)
def match_command(since: timedelta | None, rule_ids: tuple[str, ...]) -> None:
    """Match stored items against the alert rules and store the matches with their explanations.

    Without options, only items no run has matched yet are taken (this is what the service runs after every
    crawl). With --since and/or --rule, items are matched again, e.g. for a new or edited rule. Running twice
    never stores a match twice.
    """
    from monitor.rules.backtest import count_items
    from monitor.rules.stage import run_match_stage
    from monitor.store.database import open_store

    settings = _settings()
    try:
        rule_set = load_rule_set(settings.alerts_dir)
        selected = rule_set.select(rule_ids or None)
    except RuleSetError as error:
        raise click.ClickException(f"the rules do not load (run `monitor rules check`):\n{error}") from None
    except KeyError as error:
        raise click.ClickException(str(error.args[0])) from None
    from monitor.cli.commands_delivery import load_channel_set
    from monitor.delivery.enqueue import make_enqueue_hook

    enqueue = make_enqueue_hook(rule_set, load_channel_set(settings))
    engine = open_store(settings.database_url)
    total = count_items(engine, None, unmatched_only=not rule_ids) if since is None else None
    with _progress("matching") as progress:
        task = progress.add_task("match", total=total)
        result = run_match_stage(
            engine,
            rule_set,
            since=since,
            rule_ids=list(rule_ids) or None,
            progress=lambda done: progress.advance(task, done),
            on_new_matches=enqueue,
        )
    queued = enqueue.totals  # type: ignore[attr-defined]
    console.print(
        f"{result.items_scanned} items × {len(selected)} rules: {result.matches_found} matches, "
        f"{result.matches_new} new{' (backfill)' if result.backfill else ''}, "
        f"{result.seconds:.2f} s; {queued.queued} deliveries queued"
    )


@main.group("rules")
def rules_group() -> None:
    """Check and try the alert rules in MONITOR_ALERTS_DIR (see alerts/README.md)."""


@rules_group.command("check")
def check_command() -> None:
    """Validate every rule and concept file (syntax, unknown concepts, fields) and run every example."""
    settings = _settings()
    rule_set, problems = read_rule_set(settings.alerts_dir)
    for problem in problems:
        console.print(f"[red]✗[/] {escape(str(problem))}")
    outcomes = run_examples(rule_set)
    failures = [outcome for outcome in outcomes if not outcome.passed]
    for failure in failures:
        console.print(f"[red]✗[/] {escape(failure.describe())}")
    summary = (
        f"{len(rule_set.rules)} rules, {len(rule_set.concepts)} concepts, "
        f"{len(outcomes)} examples: {len(problems)} problems, {len(failures)} failing examples"
    )
    if problems or failures:
        console.print(f"[red]{summary}[/]")
        raise SystemExit(1)
    console.print(f"[green]✓[/] {summary}")


def _rule_for(argument: str, rule_set: RuleSet) -> Rule:
    known = rule_set.get(argument)
    if known is not None:
        return known
    try:
        return rule_from_query(argument, rule_set.concept_entries)
    except RuleSyntaxError as error:
        _print_syntax_error(error, argument)
        raise SystemExit(2) from None


@rules_group.command("test")
@click.argument("query_or_rule")
@click.option("--since", type=Duration(), help="Only items published within this age, e.g. 30d.")
@click.option("--text", help="Test this text instead of stored items.")
@click.option("--title", default="", help="With --text: a title for the text.")
@click.option("--lang", default="", help="With --text: its language (for lang: and language filters).")
@click.option("--show", default=20, show_default=True, help="How many of the newest matching items to show.")
def test_command(
    query_or_rule: str, since: timedelta | None, text: str | None, title: str, lang: str, show: int
) -> None:
    """Show which stored items a rule (by id) or a query would match, with highlights and counts per source.

    With --text, test that one text instead (exit status 1 when it does not match). Nothing is stored.
    """
    settings = _settings()
    rule_set, problems = read_rule_set(settings.alerts_dir)
    if problems:
        console.print(
            f"[yellow]{len(problems)} problems in the alerts folder; `monitor rules check` lists them[/]"
        )
    rule = _rule_for(query_or_rule, rule_set)
    matcher = RuleMatcher([rule], rule_set.concept_entries)
    if text is not None:
        matches = matcher.match(MatchItem(title=title, body=text, language=lang))
        console.print("[green]match[/]" if matches else "[yellow]no match[/]")
        _print_matches(matches)
        raise SystemExit(0 if matches else 1)
    _test_stored(settings, matcher, since, show)


def _test_stored(settings: Settings, matcher: RuleMatcher, since: timedelta | None, show: int) -> None:
    from datetime import UTC, datetime

    from monitor.rules.backtest import backtest, count_items
    from monitor.store.database import open_store

    engine = open_store(settings.database_url)
    now = datetime.now(UTC)
    total = count_items(engine, now - since if since else None)
    with _progress("testing") as progress:
        task = progress.add_task("test", total=total)
        result = backtest(
            engine,
            matcher,
            since=since,
            show=show,
            now=now,
            progress=lambda done: progress.advance(task, done),
        )
    for hit in result.newest:
        item = hit.item
        console.print(
            f"[bold]{escape(item.title[:100])}[/] [dim]{item.source_id} · "
            f"{item.published_at:%Y-%m-%d} · #{item.id}[/]"
        )
        _print_matches(hit.matches)
    table = Table(title="Matches per source", title_justify="left")
    table.add_column("source")
    table.add_column("items", justify="right")
    for source_id, count in result.per_source.most_common():
        table.add_row(source_id, str(count))
    if result.per_source:
        console.print(table)
    console.print(
        f"{result.items_matched} of {result.items_scanned} items match "
        f"({result.seconds:.2f} s); nothing was stored"
    )
