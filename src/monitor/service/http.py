"""The service's own HTTP routes — `/healthz` (JSON) and `/metrics` (Prometheus) — added to the feeds app.

`/healthz` answers 200 while the scheduler runs and the store answers (status `ok`, or `degraded` when a source
is not healthy: that is the operator's business, not a reason to restart the node) and 503 when the store cannot
be read or the service is shutting down.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from monitor.service.logs import event
from monitor.service.metrics import ServiceMetrics
from monitor.service.status import ServiceStatus, healthz_document

log = logging.getLogger("monitor.service.http")
NO_STORE = {"cache-control": "no-store", "x-content-type-options": "nosniff"}


def service_routes(read_status: Callable[[], ServiceStatus], is_running: Callable[[], bool], node: str,
                   metrics: ServiceMetrics) -> list[BaseRoute]:
    async def healthz(_request: Request) -> Response:
        running = is_running()
        try:
            status = await asyncio.to_thread(read_status)
        except Exception as error:
            event(log, "healthz.store_unreadable", logging.WARNING, error=type(error).__name__)
            body: dict[str, Any] = {"status": "down", "node": node,
                                    "error": f"store unreadable: {type(error).__name__}"}
            return JSONResponse(body, status_code=503, headers=NO_STORE)
        document = healthz_document(status, node, running)
        return JSONResponse(document, status_code=200 if running else 503, headers=NO_STORE)

    async def metrics_endpoint(_request: Request) -> Response:
        body = await asyncio.to_thread(metrics.render)
        return Response(body, media_type=CONTENT_TYPE_LATEST, headers=NO_STORE)

    return [Route("/healthz", healthz, methods=["GET", "HEAD"]),
            Route("/metrics", metrics_endpoint, methods=["GET"])]
