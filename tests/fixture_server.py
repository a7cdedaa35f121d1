"""A real HTTP server on 127.0.0.1 for end-to-end tests: serves fixture files and scripted answers.

Routes map a path (with query string, or without it as a fallback) to a `Route`: a static body, or a list of
answers served in turn (the last one repeats), so a test can script `500, 500, 200` or a 429 with Retry-After.
Every request is recorded with its headers.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class Answer:
    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    """Seconds to wait before answering (slow servers, timeouts)."""
    drop: bool = False
    """Close the connection without answering (connection reset)."""
    conditional: bool = True
    """Answer 304 when the request's If-None-Match equals the ETag header given here."""


@dataclass
class Route:
    answers: list[Answer]
    hits: int = 0

    def next_answer(self) -> Answer:
        answer = self.answers[min(self.hits, len(self.answers) - 1)]
        self.hits += 1
        return answer


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    at: float


class FixtureServer:
    """Start with `with FixtureServer() as server:`; `server.url('/path')` gives the absolute URL."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[RecordedRequest] = []
        self.default_status = 404
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def add(self, path: str, *answers: Answer) -> None:
        self.routes[path] = Route(list(answers))

    def add_text(self, path: str, body: bytes | str, content_type: str = "text/html; charset=utf-8",
                 status: int = 200, **headers: str) -> None:
        self.add(path, Answer(status=status, body=body, headers={"Content-Type": content_type, **headers}))

    def add_file(self, path: str, file: Path, content_type: str, **headers: str) -> None:
        self.add_text(path, file.read_bytes(), content_type, **headers)

    def requests_to(self, path_prefix: str) -> list[RecordedRequest]:
        with self._lock:
            return [request for request in self.requests if request.path.startswith(path_prefix)]

    def __enter__(self) -> FixtureServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _route_for(self, path: str) -> Route | None:
        return self.routes.get(path) or self.routes.get(path.split("?", 1)[0])

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                with server._lock:
                    server.requests.append(
                        RecordedRequest("GET", self.path, dict(self.headers.items()), time.monotonic()))
                    route = server._route_for(self.path)
                    answer = route.next_answer() if route else Answer(status=server.default_status, body=b"")
                serve(self, answer)

            def do_POST(self) -> None:
                self.do_GET()

        return Handler


def serve(handler: BaseHTTPRequestHandler, answer: Answer) -> None:
    if answer.delay:
        time.sleep(answer.delay)
    if answer.drop:
        handler.close_connection = True
        handler.connection.close()
        return
    body = answer.body.encode() if isinstance(answer.body, str) else answer.body
    etag = answer.headers.get("ETag")
    if answer.conditional and etag and handler.headers.get("If-None-Match") == etag:
        handler.send_response(304)
        handler.send_header("ETag", etag)
        handler.send_header("Content-Length", "0")
        handler.end_headers()
        return
    handler.send_response(answer.status)
    for name, value in answer.headers.items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)

