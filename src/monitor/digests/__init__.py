"""Email digests: alerts/digests.toml, schedules in each digest's time zone, durable sends, rendering.

The service loads `load_digests(alerts_dir / "digests.toml")`, schedules each digest with
`cron_trigger(digest)` (job id `digest:<id>`, replace_existing, coalesce, max_instances=1, a misfire grace
of hours) calling `run_digest_async(engine, digest, channels, rules, now=datetime.now(UTC))`; at start-up it
runs each of `digests_due(engine, digests.values(), now)` once, and every minute or so
`retry_pending_digests_async(engine, digests, channels, now=…)`.
"""

from monitor.digests.config import Digest, DigestConfigError, DigestSetError, load_digests, read_digests
from monitor.digests.references import check_references, digest_rule_ids
from monitor.digests.render import DigestTemplateError, DigestTemplates, templates_for
from monitor.digests.runner import (
    DigestResult,
    SmtpOptions,
    digests_due,
    dry_run,
    retry_pending_digests,
    retry_pending_digests_async,
    run_digest,
    run_digest_async,
    scheduled_period,
)
from monitor.digests.schedule import cron_trigger, due_periods, latest_run, next_run, previous_run

__all__ = [
    "Digest",
    "DigestConfigError",
    "DigestResult",
    "DigestSetError",
    "DigestTemplateError",
    "DigestTemplates",
    "SmtpOptions",
    "check_references",
    "cron_trigger",
    "digest_rule_ids",
    "digests_due",
    "dry_run",
    "due_periods",
    "latest_run",
    "load_digests",
    "next_run",
    "previous_run",
    "read_digests",
    "retry_pending_digests",
    "retry_pending_digests_async",
    "run_digest",
    "run_digest_async",
    "scheduled_period",
    "templates_for",
]
