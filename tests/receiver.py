"""A webhook receiver on the loopback address: a threading HTTP server that answers each request
with the next status of a script (then the last one), keeps what it received, and can hold a
request for a while (a target that is slow to answer)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    statuses: list[int]
    hold_first_seconds: float = 0.0
    received: list[Received] = field(default_factory=list)
    url: str = ""
    location: str = "https://elsewhere.example/"
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_status(self) -> tuple[int, int]:
        with self.lock:
            n = len(self.received)
            status = self.statuses[min(n - 1, len(self.statuses) - 1)]
        return n, status

    def wait_for(self, count: int, timeout: float = 30.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.05)
        raise AssertionError(f"expected {count} requests, got {len(self.received)}")


@contextmanager
def receiver(statuses: list[int], hold_first_seconds: float = 0.0) -> Iterator[Receiver]:
    script = Receiver(statuses, hold_first_seconds)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length)
            with script.lock:
                script.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            n, status = script.next_status()
            if n == 1 and script.hold_first_seconds:
                time.sleep(script.hold_first_seconds)
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", script.location)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    script.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/fundmatch"
    try:
        yield script
    finally:
        server.shutdown()
        server.server_close()
