"""A webhook receiver on 127.0.0.1 for the delivery tests: scripted answers per path, every body recorded.

Builds on `tests.fixture_server` (`Answer`, `Route`, `serve`): a route's answers are served in turn, the
last one repeating, so a test scripts `500, 500, 200` or a 429 with Retry-After. Unlike the fixture server it
records each request's body, and can run a hook before answering (the kill-and-restart test uses it to
hold the database between the receiver's 2xx and the dispatcher marking the delivery sent).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.fixture_server import Answer, Route, serve


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float

    def json(self) -> Any:
        return json.loads(self.body)

    def header(self, name: str) -> str | None:
        lowered = {key.lower(): value for key, value in self.headers.items()}
        return lowered.get(name.lower())


class Receiver:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.received: list[Received] = []
        self.before_answer: Callable[[Received], None] | None = None
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def script(self, path: str, *answers: Answer) -> str:
        self.routes[path] = Route(list(answers))
        return self.url(path)

    def at(self, path: str) -> list[Received]:
        with self._lock:
            return [request for request in self.received if request.path == path]

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                request = Received(self.path, dict(self.headers.items()), body, time.monotonic())
                with receiver._lock:
                    receiver.received.append(request)
                    route = receiver.routes.get(self.path)
                    answer = route.next_answer() if route else Answer(status=404)
                if receiver.before_answer is not None:
                    receiver.before_answer(request)
                try:
                    serve(self, answer)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
                    self.close_connection = True

        return Handler


def ok(status: int = 200, body: str = "ok") -> Answer:
    return Answer(status=status, body=body, headers={"Content-Type": "text/plain"})
