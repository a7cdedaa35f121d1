"""Runs the real `monitor serve` in a subprocess against fixture feeds, with a local webhook receiver."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from monitor.config import PROJECT_ROOT

RSS_HEADERS = {"Content-Type": "application/rss+xml; charset=utf-8"}
CHANNELS = """[channels.team-slack]
kind = "webhook"
url_env = "TEST_HOOK_URL"

[channels.ops]
kind = "webhook"
url_env = "TEST_OPS_URL"
operator = true
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def alerts_dir(root: Path) -> Path:
    """A copy of the shipped rules and concepts with channels pointing at the test's receiver, no digests."""
    folder = root / "alerts"
    for part in ("rules", "concepts", "templates"):
        if (PROJECT_ROOT / "alerts" / part).is_dir():
            shutil.copytree(PROJECT_ROOT / "alerts" / part, folder / part)
    (folder / "channels.toml").write_text(CHANNELS, encoding="utf-8")
    return folder


def feed_sources(path: Path, feeds: dict[str, str], schedule: str = "1s") -> Path:
    path.write_text("".join(f'[[sources]]\nid = "{source_id}"\nfamily = "feed"\nurls = ["{url}"]\n'
                            f'language = "en"\nschedule = "{schedule}"\n\n' for source_id, url in feeds.items()),
                    encoding="utf-8")
    return path


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    at: float


class _Server(ThreadingHTTPServer):
    request_queue_size = 256  # the dispatcher sends concurrently; the default backlog of 5 resets connections


@dataclass
class WebhookReceiver:
    """A real HTTP server recording every POST (JSON body); answers 200."""

    received: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        receiver = self
        self._lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as webhook clients expect

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    body = json.loads(data or b"{}")
                except ValueError:
                    body = {"raw": data.decode(errors="replace")}
                with receiver._lock:
                    receiver.received.append(Received(self.path, dict(self.headers.items()), body, time.time()))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def to(self, path: str) -> list[Received]:
        with self._lock:
            return [entry for entry in self.received if entry.path == path]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class ServiceProcess:
    """`python -m monitor serve` with the test's environment; stderr goes to a file (the structured log)."""

    def __init__(self, workdir: Path, env: dict[str, str], name: str = "node") -> None:
        self.workdir = workdir
        self.port = free_port()
        self.log_path = workdir / f"{name}.log"
        self.env = {**os.environ, "MONITOR_ALLOW_PRIVATE_NETWORKS": "1", "MONITOR_PER_HOST_DELAY": "0",
                    "MONITOR_RETRY_TIMES": "0", "MONITOR_HTTP_PORT": str(self.port), "MONITOR_NODE_NAME": name,
                    "MONITOR_HOME": str(workdir / "home"), "MONITOR_DISPATCH_INTERVAL": "0.5",
                    "MONITOR_SHUTDOWN_GRACE": "20", **env}
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> ServiceProcess:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen([sys.executable, "-m", "monitor", "serve"], env=self.env, cwd=self.workdir,
                                        stdout=log, stderr=log)
        log.close()
        wait_for(lambda: self.healthz() is not None or self.process.poll() is not None, 60, "healthz answers")
        assert self.process.poll() is None, self.log()
        return self

    def healthz(self) -> tuple[int, dict[str, Any]] | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=5) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")
        except OSError:
            return None

    def get(self, path: str) -> tuple[int, bytes]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=5) as answer:
            return answer.status, answer.read()

    def stop(self, timeout: float = 60) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""


def wait_for(condition: Callable[[], Any], timeout: float, what: str, interval: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for: {what}")
