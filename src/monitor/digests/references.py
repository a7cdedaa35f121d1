"""How digests connect to rules and channels: which rules a digest follows, and names that do not resolve."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from monitor.digests.config import Digest, DigestConfigError
from monitor.rules.ruleset import RuleSet


def digest_rule_ids(digest: Digest, rules: RuleSet) -> dict[str, str]:
    """Rule id → rule name, in rule-set order: the digest's `rules` (every enabled rule for "*") and every
    rule whose `deliver.digests` names the digest. Ids unknown to the rule set are kept (their matches may
    still be stored) under their id."""
    wanted = set(digest.rules)
    chosen: dict[str, str] = {}
    for rule in rules.rules:
        follows = rule.id in wanted or digest.id in rule.deliver.digests
        if follows or (digest.follows_all_rules and rule.enabled):
            chosen[rule.id] = rule.name
    for rule_id in digest.rules:
        if rule_id != "*" and rule_id not in chosen:
            chosen[rule_id] = rule_id
    return chosen


def channels_of(channels: Any) -> Mapping[str, Any]:
    """The name → channel mapping of a ChannelSet (or of a plain mapping)."""
    return getattr(channels, "channels", channels)


def email_channel(digest: Digest, channels: Any) -> Any:
    """The digest's channel if it is a usable email channel; raises LookupError saying why not."""
    channel = channels_of(channels).get(digest.channel)
    if channel is None:
        reason = getattr(channels, "reason_unusable", lambda name: None)(digest.channel)
        raise LookupError(reason or f"no channel named {digest.channel!r} in channels.toml")
    if not hasattr(channel, "smtp_host"):
        raise LookupError(f"channel {digest.channel!r} is not an email channel")
    return channel


def check_references(
    path: Path, digests: Mapping[str, Digest], rules: RuleSet, channels: Any | None = None
) -> list[DigestConfigError]:
    """Unknown rule ids, rules that name an unknown digest, and channels that are missing or not email."""
    problems = []
    for digest in digests.values():
        for rule_id in digest.rules:
            if rule_id != "*" and rules.get(rule_id) is None:
                problems.append(DigestConfigError(path, f"unknown rule id {rule_id!r}", digest=digest.id,
                                                  field="rules", hint="see alerts/rules/*.toml for rule ids"))
        if channels is not None:
            try:
                email_channel(digest, channels)
            except LookupError as error:
                problems.append(DigestConfigError(path, str(error), digest=digest.id, field="channel",
                                                  hint="name an email channel of alerts/channels.toml"))
    for rule in rules.rules:
        for name in rule.deliver.digests:
            if name not in digests:
                problems.append(DigestConfigError(
                    path, f"rule {rule.id!r} delivers to unknown digest {name!r}", field="deliver.digests",
                    hint=f"add [digests.{name}] or fix {rule.path or rule.id}",
                ))
    return problems
