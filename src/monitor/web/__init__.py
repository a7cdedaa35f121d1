"""The service's HTTP side: feeds of matches behind per-feed tokens (`create_app`), with token-free logs."""

from monitor.web.app import create_app, feed_app
from monitor.web.logs import RedactFeedTokens, install_log_redaction, uvicorn_log_config

__all__ = ["RedactFeedTokens", "create_app", "feed_app", "install_log_redaction", "uvicorn_log_config"]
