"""The configuration check `monitor serve` runs before it starts anything: settings, the sources file, the
alerts folder (rules and concepts, channels.toml, digests.toml) and the crawl schedules. Every problem is
collected, each naming its file and field; any problem means the service does not start at all.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any

from monitor.config import ConfigError, Settings
from monitor.rules.ruleset import RuleSet, read_rule_set
from monitor.service.dst import dst_problem
from monitor.service.schedules import zone_named
from monitor.sources import SourceConfigError, SourceDefinition, load_sources

CHANNELS_FILE = "channels.toml"
DIGESTS_FILE = "digests.toml"


class ConfigCheckError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class ServiceConfig:
    settings: Settings
    sources: list[SourceDefinition]
    rules: RuleSet
    zone: tzinfo
    channels: Any = None
    """A `monitor.delivery.channel_config.ChannelSet`."""
    digests: dict[str, Any] = field(default_factory=dict)
    """`monitor.digests.config.Digest` by id."""


def check_settings(env: Mapping[str, str] | None = None) -> Settings:
    try:
        return Settings.from_env(env)
    except ConfigError as error:
        raise ConfigCheckError([f"settings (environment): {error}"]) from None


def check_configuration(settings: Settings, env: Mapping[str, str] | None = None) -> ServiceConfig:
    """Load everything the service needs; raises ConfigCheckError listing every problem found."""
    env = os.environ if env is None else env
    problems: list[str] = []
    zone = _zone(settings, problems)
    sources = _sources(settings, zone, problems)
    rules, rule_problems = read_rule_set(settings.alerts_dir)
    problems.extend(str(problem) for problem in rule_problems)
    channels = _channels(settings, env, problems)
    digests = _digests(settings, channels, problems)
    if problems:
        raise ConfigCheckError(problems)
    return ServiceConfig(settings, sources, rules, zone, channels, digests)


def _zone(settings: Settings, problems: list[str]) -> tzinfo:
    try:
        return zone_named(settings.crawl_timezone)
    except ValueError as error:
        problems.append(f"settings: MONITOR_CRAWL_TIMEZONE: {error}")
        return zone_named("UTC")


def _sources(settings: Settings, zone: tzinfo, problems: list[str]) -> list[SourceDefinition]:
    try:
        sources = load_sources(settings.sources_path)
    except SourceConfigError as error:
        problems.append(str(error))
        return []
    if not any(source.enabled for source in sources):
        problems.append(f"{settings.sources_path}: no enabled source: nothing to crawl")
    for source in sources:
        if source.schedule.cron:
            problem = dst_problem(source.schedule.cron, zone)
            if problem:
                problems.append(f"{settings.sources_path}: source {source.id!r}: field 'schedule': {problem}")
    return sources


def _channels(settings: Settings, env: Mapping[str, str], problems: list[str]) -> Any:
    from monitor.delivery.channel_config import ChannelConfigError, load_channels

    try:
        return load_channels(settings.alerts_dir / CHANNELS_FILE, env,
                             allow_private_networks=settings.allow_private_networks)
    except ChannelConfigError as error:
        problems.append(str(error))
        return None


def _digests(settings: Settings, channels: Any, problems: list[str]) -> dict[str, Any]:
    from monitor.digests.config import read_digests

    path = settings.alerts_dir / DIGESTS_FILE
    digests, digest_problems = read_digests(path)
    problems.extend(str(problem) for problem in digest_problems)
    for digest in digests.values():
        if channels is not None and digest.channel not in channels.channels \
                and digest.channel not in channels.unavailable:
            problems.append(f"{path} [digests.{digest.id}] channel: no channel named {digest.channel!r} "
                            f"in {settings.alerts_dir / CHANNELS_FILE}")
    return digests
