"""Prometheus metrics of one service process, in their own registry (served at `/metrics`).

Counters are bumped by the jobs; gauges that describe shared state (source states, pending deliveries) are
read from the store when scraped, so every node reports the same numbers for them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from monitor.crawl.runner import SourceRun


class ServiceMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.crawl_runs = Counter("monitor_crawl_runs", "Crawls of a source run by this node, by status",
                                  ["source", "status"], registry=self.registry)
        self.items_new = Counter("monitor_items_new", "New items stored by this node's crawls", ["source"],
                                 registry=self.registry)
        self.ticks_skipped = Counter("monitor_crawl_ticks_skipped",
                                     "Crawl ticks this node did not run, by reason", ["reason"],
                                     registry=self.registry)
        self.batch_seconds = Histogram("monitor_crawl_batch_seconds", "Duration of one crawl batch",
                                       buckets=(0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800),
                                       registry=self.registry)
        self.matches_new = Counter("monitor_matches_new", "Matches this node's match stage stored",
                                   registry=self.registry)
        self.job_errors = Counter("monitor_job_errors", "Scheduled jobs that raised, by job kind", ["kind"],
                                  registry=self.registry)
        self.health_alerts = Counter("monitor_health_alerts", "Operator alerts on source health, by outcome",
                                     ["outcome"], registry=self.registry)
        self.up = Gauge("monitor_service_up", "1 while the scheduler runs, 0 while draining",
                        registry=self.registry)

    def record_runs(self, runs: list[SourceRun]) -> None:
        for run in runs:
            self.crawl_runs.labels(run.source.id, run.outcome.status).inc()
            if run.outcome.counts.new:
                self.items_new.labels(run.source.id).inc(run.outcome.counts.new)

    def add_store_gauges(self, read: Callable[[], dict[str, dict[str, float]]]) -> None:
        """`read()` returns {metric name: {label value: number}}, e.g. source states and delivery counts."""
        self.registry.register(_StoreCollector(read))

    def render(self) -> bytes:
        return generate_latest(self.registry)


STORE_GAUGES = {"monitor_sources": ("Sources by the state of their last run", "state"),
                "monitor_deliveries": ("Deliveries by status", "status"),
                "monitor_health_alerts_unsent": ("Operator alerts waiting to be handed over", "kind")}


class _StoreCollector(Collector):
    def __init__(self, read: Callable[[], dict[str, dict[str, float]]]) -> None:
        self.read = read

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            values = self.read()
        except Exception:  # the store is unreachable: /healthz says so; metrics keep the counters
            return
        for name, by_label in values.items():
            help_text, label = STORE_GAUGES.get(name, (name, "label"))
            family = GaugeMetricFamily(name, help_text, labels=[label])
            for label_value, number in sorted(by_label.items()):
                family.add_metric([label_value], number)
            yield family
