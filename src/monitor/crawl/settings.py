"""Scrapy settings of the project, built from `monitor.config.Settings`.

`scrapy.cfg` points here, so `scrapy list`, `scrapy crawl <family> -a source=<id>` and `scrapy shell` see the same
settings as `monitor crawl`: module-level names are filled from the environment at import.
"""

from __future__ import annotations

from typing import Any

from monitor.config import Settings

BROWSER_USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
)


def scrapy_settings(settings: Settings) -> dict[str, Any]:
    """The Scrapy settings dictionary for one crawl process."""
    return {
        "BOT_NAME": "monitor",
        "SPIDER_MODULES": ["spiders"],
        "NEWSPIDER_MODULE": "spiders",
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "USER_AGENT": settings.user_agent,
        "ROBOTSTXT_OBEY": True,
        "ROBOTSTXT_USER_AGENT": "monitor-bot",
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
        "LOG_LEVEL": settings.log_level,
        "LOG_STDOUT": False,
        "LOGSTATS_INTERVAL": 0,
        "DOWNLOAD_TIMEOUT": settings.download_timeout,
        "DOWNLOAD_MAXSIZE": settings.max_response_bytes,
        "DOWNLOAD_WARNSIZE": min(settings.max_response_bytes, 8 * 1024 * 1024),
        "CONCURRENT_REQUESTS": settings.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": settings.per_host_concurrency,
        "MONITOR_ALLOWED_ADDRESSES": ",".join(settings.allowed_addresses),
        "DOWNLOAD_DELAY": settings.per_host_delay,
        "DOWNLOAD_DELAY_JITTER": 0.0,
        "RETRY_TIMES": settings.retry_times,
        "REDIRECT_MAX_TIMES": 5,
        "COOKIES_ENABLED": False,
        "DNSCACHE_ENABLED": True,
        "MONITOR_DATABASE_URL": settings.database_url,
        "MONITOR_ALLOW_PRIVATE_NETWORKS": settings.allow_private_networks,
        "MONITOR_RETRY_BACKOFF": settings.retry_backoff,
        "MONITOR_MAX_RETRY_AFTER": settings.max_retry_after,
        "MONITOR_NEAR_DUPLICATE_DAYS": settings.near_duplicate_days,
        "MONITOR_BROWSER_USER_AGENT": BROWSER_USER_AGENT,
        "DOWNLOADER_MIDDLEWARES": {
            "monitor.crawl.network_guard.PrivateNetworkMiddleware": 40,
            "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
            "monitor.crawl.robots.StrictRobotsTxtMiddleware": 100,
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "monitor.crawl.retry.BackoffRetryMiddleware": 550,
            "monitor.crawl.conditional.ConditionalGetMiddleware": 560,
        },
        "SPIDER_MIDDLEWARES": {
            "monitor.crawl.source_accounting.SourceAccountingMiddleware": 950,
        },
        "ITEM_PIPELINES": {
            "monitor.crawl.pipelines.ValidatePipeline": 100,
            "monitor.crawl.pipelines.NormalisePipeline": 200,
            "monitor.crawl.pipelines.StorePipeline": 300,
        },
        "EXTENSIONS": {
            "scrapy.extensions.telnet.TelnetConsole": None,
            "monitor.crawl.run_recorder.RunRecorder": 100,
        },
    }


globals().update(scrapy_settings(Settings.from_env()))
