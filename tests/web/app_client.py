"""A synchronous face for `httpx.AsyncClient(transport=ASGITransport(app))`, run on an anyio portal thread."""

from __future__ import annotations

from contextlib import ExitStack
from functools import partial
from typing import Any

import httpx
from anyio.from_thread import start_blocking_portal
from starlette.applications import Starlette


class AppClient:
    """`get` / `head` / `request` straight into the ASGI app, no network; `close()` shuts the app down."""

    def __init__(self, app: Starlette) -> None:
        self.app = app
        self._stack = ExitStack()
        self._portal = self._stack.enter_context(start_blocking_portal())
        self._client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self._portal.call(partial(self._client.request, method, url, **kwargs))

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def head(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("HEAD", url, **kwargs)

    def close(self) -> None:
        self._portal.call(self._client.aclose)
        self._stack.close()
        self.app.state.feeds.close()
