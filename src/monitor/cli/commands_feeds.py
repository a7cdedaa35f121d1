"""`monitor feeds token|list|revoke`: the tokens that open the RSS / Atom / JSON feeds of matches."""

from __future__ import annotations

import click

from monitor.cli import main
from monitor.config import ConfigError, Settings
from monitor.store.feed_models import ALL_SCOPE


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except ConfigError as error:
        raise click.ClickException(f"configuration: {error}") from None


def _check_rule(settings: Settings, rule_id: str) -> None:
    """The rule must exist and deliver to the feed, else the token would open nothing."""
    from monitor.rules import RuleSetError, load_rule_set

    try:
        rule = load_rule_set(settings.alerts_dir).get(rule_id)
    except RuleSetError as error:
        raise click.ClickException(f"the rules do not load (run `monitor rules check`):\n{error}") from None
    if rule is None:
        raise click.ClickException(f"no rule has the id {rule_id!r} (see alerts/rules/)")
    if not rule.deliver.feed:
        raise click.ClickException(f"the rule {rule_id!r} has `deliver.feed = false`: it has no feed")


@main.group("feeds")
def feeds_group() -> None:
    """Tokens for the feeds of matches (RSS, Atom, JSON Feed) served by `monitor serve`."""


@feeds_group.command("token")
@click.option("--rule", "rule_id", metavar="ID", help="A token for this rule's feed (default: all matches).")
def token_command(rule_id: str | None) -> None:
    """Create a feed token and print its feed URLs. The token is shown only now: keep the URLs.

    The URLs start with MONITOR_PUBLIC_URL (default http://127.0.0.1:8080), the address subscribers use.
    """
    from monitor.store.database import open_store
    from monitor.web.feed_urls import feed_urls, public_url
    from monitor.web.tokens import ID_CHARS, create_token, hash_token

    settings = _settings()
    scope = rule_id or ALL_SCOPE
    if rule_id is not None:
        _check_rule(settings, rule_id)
    engine = open_store(settings.database_url)
    try:
        token = create_token(engine, scope)
    finally:
        engine.dispose()
    click.echo(f"token {hash_token(token)[:ID_CHARS]} for {'all matches' if rule_id is None else rule_id}")
    for fmt, url in feed_urls(public_url(), token, scope).items():
        click.echo(f"  {fmt:<5} {url}")
    click.echo("The token is not stored in clear and cannot be shown again; revoke it with "
               f"`monitor feeds revoke {hash_token(token)[:ID_CHARS]}`.")


@feeds_group.command("list")
def list_command() -> None:
    """List feed tokens by id (the start of their hash), scope, creation time and state."""
    from monitor.store.database import open_store
    from monitor.web.tokens import list_tokens

    engine = open_store(_settings().database_url)
    try:
        tokens = list_tokens(engine)
    finally:
        engine.dispose()
    if not tokens:
        click.echo("no feed tokens; create one with `monitor feeds token [--rule ID]`")
        return
    click.echo(f"{'id':<12}  {'scope':<32}  {'created (UTC)':<16}  state")
    for info in tokens:
        state = "revoked" if info.revoked else "active"
        click.echo(f"{info.token_id:<12}  {info.scope:<32}  {info.created_at:%Y-%m-%d %H:%M}  {state}")


@feeds_group.command("revoke")
@click.argument("prefix")
def revoke_command(prefix: str) -> None:
    """Revoke the token whose id starts with PREFIX (6+ hex digits, see `monitor feeds list`).

    Its feeds answer 404 from the next request on.
    """
    from monitor.store.database import open_store
    from monitor.web.tokens import TokenError, revoke_token

    engine = open_store(_settings().database_url)
    try:
        info = revoke_token(engine, prefix)
    except TokenError as error:
        raise click.ClickException(str(error)) from None
    finally:
        engine.dispose()
    click.echo(f"revoked {info.token_id} ({info.scope})")
