"""The service's web app: feeds of matches (RSS 2.0, Atom 1.0, JSON Feed 1.1) behind per-feed tokens.

Routes (GET and HEAD):
    /feeds/{token}/all.rss | .atom | .json            every rule with `deliver.feed = true`
    /feeds/{token}/rules/{rule_id}.rss | .atom | .json one rule

Only one query parameter is accepted: `limit` (1–200, default 50); any other parameter, a repeated or
malformed `limit` answers 400. A bad, unknown or revoked token, a token of another scope and an unknown
feed all answer the same plain 404. The service adds its own routes (health, metrics) through
`extra_routes` and runs the app under uvicorn with `uvicorn_log_config()` (see `monitor.web.logs`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from monitor.config import Settings
from monitor.rules import RuleSet, load_rule_set
from monitor.store.feed_models import ALL_SCOPE
from monitor.web.conditional import not_modified
from monitor.web.feed_urls import public_url
from monitor.web.feeds import DEFAULT_LIMIT, MAX_LIMIT, SECURITY_HEADERS, FeedService, Stale
from monitor.web.logs import install_log_redaction

ALLOWED_PARAMETERS = frozenset({"limit"})
ERROR_HEADERS = {**SECURITY_HEADERS, "cache-control": "no-store"}


def create_app(
    engine: Engine,
    settings: Settings,
    *,
    rules: RuleSet | None = None,
    extra_routes: Sequence[BaseRoute] = (),
) -> Starlette:
    """The app over `engine`; `rules` defaults to the rule set in `settings.alerts_dir`."""
    rule_set = rules if rules is not None else load_rule_set(settings.alerts_dir)
    service = FeedService(engine, rule_set.rules, home_url=public_url() + "/")
    return feed_app(service, extra_routes)


def feed_app(service: FeedService, extra_routes: Sequence[BaseRoute] = ()) -> Starlette:
    """The app around a ready feed service (the benchmark builds one without a cache)."""
    install_log_redaction()

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            service.close()

    routes = [
        Route("/feeds/{token}/all.{fmt}", all_feed, methods=["GET", "HEAD"]),
        Route("/feeds/{token}/rules/{name}", rule_feed, methods=["GET", "HEAD"]),
        *extra_routes,
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.feeds = service
    return app


async def all_feed(request: Request) -> Response:
    return await _serve(request, ALL_SCOPE, request.path_params["fmt"])


async def rule_feed(request: Request) -> Response:
    rule_id, dot, fmt = request.path_params["name"].rpartition(".")
    if not dot or rule_id == ALL_SCOPE:
        return _not_found()
    return await _serve(request, rule_id, fmt)


async def _serve(request: Request, scope: str, fmt: str) -> Response:
    limit = _limit(request)
    if isinstance(limit, str):
        return PlainTextResponse(limit + "\n", status_code=400, headers=ERROR_HEADERS)
    service: FeedService = request.app.state.feeds
    token = request.path_params["token"]
    found = await run_in_threadpool(service.lookup, token, scope, fmt, limit)
    if found is None:
        return _not_found()
    feed = await run_in_threadpool(service.render, found) if isinstance(found, Stale) else found
    if not_modified(request.headers, feed.etag, feed.last_modified):
        return Response(status_code=304, headers=feed.not_modified_headers)
    return Response(feed.body, headers=feed.headers)


def _limit(request: Request) -> int | str:
    """The `limit` parameter, or the reason the query string is refused."""
    items = request.query_params.multi_items()
    if any(name not in ALLOWED_PARAMETERS for name, _ in items):
        return "unknown query parameter; only `limit` is accepted"
    values = [value for _, value in items]
    if not values:
        return DEFAULT_LIMIT
    if len(values) > 1 or not values[0].isascii() or not values[0].isdigit() or len(values[0]) > 3:
        return f"`limit` must be one whole number from 1 to {MAX_LIMIT}"
    limit = int(values[0])
    if not 1 <= limit <= MAX_LIMIT:
        return f"`limit` must be one whole number from 1 to {MAX_LIMIT}"
    return limit


def _not_found() -> Response:
    return PlainTextResponse("Not Found\n", status_code=404, headers=ERROR_HEADERS)
