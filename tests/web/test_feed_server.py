"""The app under a real uvicorn server on loopback, read by feedparser over HTTP (conditional GET included),
with uvicorn's own logging config: the access log shows the request but never the token."""

from __future__ import annotations

import io
import logging
import socket
import threading
import time

import feedparser
import httpx
import uvicorn

from monitor.config import Settings
from monitor.web import create_app, uvicorn_log_config
from tests.web.feed_store import RULES, FeedStore, url
from tests.web.parsing import json_feed


class ServerThread:
    """uvicorn serving `app` on a free loopback port in a thread."""

    LOGGERS = ("uvicorn.access", "uvicorn.error")

    def __init__(self, app: object, log: io.StringIO) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        config = uvicorn.Config(app, log_config=uvicorn_log_config(), access_log=True, lifespan="on")
        self.server = uvicorn.Server(config)
        # uvicorn.Config has just applied its logging config; watch what its loggers emit from now on
        self.log_handler = logging.StreamHandler(log)
        for name in self.LOGGERS:
            logging.getLogger(name).addHandler(self.log_handler)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive(), "uvicorn did not start"
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.socket.close()
        for name in self.LOGGERS:
            logging.getLogger(name).removeHandler(self.log_handler)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def test_feedparser_reads_every_format_over_http_and_tokens_stay_out_of_the_log(store: FeedStore) -> None:
    store.add_story(title="Chips ]]> & <script>x</script>", canonical_url="https://example.org/a")
    store.add_story("memory", title="HBM " + "long " * 2000)
    token = store.token()
    app = create_app(store.engine, Settings.from_env(), rules=RULES)
    access_log = io.StringIO()
    with ServerThread(app, access_log) as server:
        for fmt in ("rss", "atom"):
            parsed = feedparser.parse(server.url(url(token, "all", fmt)))
            assert not parsed.bozo, parsed.get("bozo_exception")
            assert parsed.status == 200 and parsed.headers["x-content-type-options"] == "nosniff"
            assert [entry.title for entry in parsed.entries] == [
                "HBM " + " ".join(["long"] * 2000), "Chips ]]> & <script>x</script>"
            ]
            again = feedparser.parse(server.url(url(token, "all", fmt)), etag=parsed.etag)
            assert again.status == 304 and not again.entries
            since = feedparser.parse(server.url(url(token, "all", fmt)), modified=parsed.modified)
            assert since.status == 304
        # feedparser 6.0 does not read JSON Feed: fetch it over the same server and check it as JSON
        response = httpx.get(server.url(url(token, "all", "json")))
        assert response.headers["content-type"] == "application/feed+json"
        assert [item["title"] for item in json_feed(response.content)["items"]][1] == "Chips ]]> & <script>x</script>"
        head = httpx.head(server.url(url(token, "all", "atom")))
        assert head.status_code == 200 and head.content == b"" and head.headers["etag"].startswith('"atom-')
        missing = feedparser.parse(server.url(url("not-a-token")))
        assert missing.status == 404
    logged = access_log.getvalue()
    assert "/feeds/[token]/all.rss" in logged and " 304" in logged and " 404" in logged
    assert token not in logged and "not-a-token" not in logged
