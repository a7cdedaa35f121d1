"""Starting `monitor serve`: bind the HTTP port, install the asyncio reactor (before anything imports
`twisted.internet.reactor`), build the service on the reactor's loop, and run the reactor without Twisted's
signal handlers (the service has its own). Returns the exit code: 0 after a clean shutdown.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Any

from monitor.service.config_check import ConfigCheckError, ServiceConfig
from monitor.service.logs import event

log = logging.getLogger("monitor.service")


def bind_http(host: str, port: int) -> socket.socket:
    """The listening socket, bound before anything else starts: a port in use refuses the start at once."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise ConfigCheckError([f"settings: MONITOR_HTTP_HOST/MONITOR_HTTP_PORT: cannot listen on "
                                f"{host}:{port}: {error.strerror}"]) from None
    sock.set_inheritable(False)
    return sock


def serve(config: ServiceConfig) -> int:
    """Run the service until SIGTERM or SIGINT; the exit code."""
    from monitor.crawl.runner import make_runner
    from monitor.store.database import shared_engine

    settings = config.settings
    sock = bind_http(settings.http_host, settings.http_port)
    runner = make_runner(settings)  # installs the asyncio reactor and the guarded resolver; migrates the store
    engine = shared_engine(settings.database_url)
    from scrapy.utils.defer import deferred_from_coro
    from twisted.internet import reactor

    outcome: dict[str, int] = {"code": 1}

    def finished(code: Any) -> None:
        outcome["code"] = int(code) if isinstance(code, int) else 0

    def failed(failure: Any) -> None:
        event(log, "service.failed", logging.ERROR, error=f"{failure.type.__name__}: {failure.value}")
        outcome["code"] = 1

    def start() -> None:
        deferred = deferred_from_coro(_main(config, engine, runner, sock))
        deferred.addCallbacks(finished, failed)
        deferred.addBoth(lambda _: reactor.stop())

    reactor.callWhenRunning(start)
    reactor.run(installSignalHandlers=False)
    sock.close()
    engine.dispose()
    return outcome["code"]


async def _main(config: ServiceConfig, engine: Any, runner: Any, sock: socket.socket) -> int:
    from monitor.service.http import service_routes
    from monitor.service.integrations import build_integrations
    from monitor.service.jobs import ServiceJobs
    from monitor.service.runtime import ServiceRuntime, install_exception_logging

    install_exception_logging(asyncio.get_running_loop())
    integrations = build_integrations(config, engine)
    try:
        jobs = ServiceJobs(config, engine, runner, integrations)
        routes = service_routes(jobs.status, lambda: jobs.running, jobs.node, jobs.metrics)
        assert integrations.create_app is not None
        app = integrations.create_app(routes)
        return await ServiceRuntime(jobs, app, sock).run()
    finally:
        await integrations.close()
