"""Stand-ins for the EU Funding & Tenders Portal search service: topic rows, a MockTransport
handler whose pages can fail on purpose, and a real local server (for real time-outs)."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlparse

import httpx

API_KEY = "SEDIA"


def topic(
    identifier: str, deadlines: list[str], *, status: str = "31094502", title: str = "A topic", **meta: Any
) -> dict[str, Any]:
    return {
        "reference": f"{identifier}en",
        "language": "en",
        "summary": title,
        "metadata": {
            "identifier": [identifier],
            "title": [title],
            "status": [status],
            "type": ["1"],
            "deadlineDate": deadlines,
            **meta,
        },
    }


def page_body(topics: list[dict[str, Any]], page: int, size: int) -> bytes:
    rows = topics[(page - 1) * size : page * size]
    return json.dumps({"totalResults": len(topics), "results": rows}).encode()


# What a page answers on a given attempt: "ok" or a failure.
FAILURES: dict[str, Callable[[httpx.Request], httpx.Response]] = {}


def _raise(exc: type[httpx.TransportError]) -> Callable[[httpx.Request], httpx.Response]:
    def fail(request: httpx.Request) -> httpx.Response:
        raise exc("simulated", request=request)

    return fail


FAILURES.update(
    {
        "503": lambda request: httpx.Response(503, text="Service Unavailable"),
        "502": lambda request: httpx.Response(502),
        "429": lambda request: httpx.Response(429, headers={"Retry-After": "7"}),
        "connect": _raise(httpx.ConnectError),
        "read-timeout": _raise(httpx.ReadTimeout),
        "cut-off": _raise(httpx.RemoteProtocolError),
        "truncated-json": lambda request: httpx.Response(200, content=b'{"totalResults": 3, "results": [{"ref'),
        "malformed-json": lambda request: httpx.Response(200, content=b"<html>busy</html>"),
        "not-a-search-answer": lambda request: httpx.Response(200, json=["results"]),
        "400": lambda request: httpx.Response(400, text="bad request"),
    }
)


class PortalScript:
    """A MockTransport handler: serves `topics` in pages, failing as `script[page]` says, attempt by attempt."""

    def __init__(self, topics: list[dict[str, Any]], script: dict[int, list[str]] | None = None) -> None:
        self.topics = topics
        self.script = {page: list(steps) for page, steps in (script or {}).items()}
        self.pages: list[int] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        page, size = int(params["pageNumber"]), int(params["pageSize"])
        self.pages.append(page)
        steps = self.script.get(page)
        step = steps.pop(0) if steps else "ok"
        if step != "ok":
            return FAILURES[step](request)
        return httpx.Response(200, content=page_body(self.topics, page, size))


class _Handler(BaseHTTPRequestHandler):
    topics: ClassVar[list[dict[str, Any]]] = []
    delays: ClassVar[list[float]] = []  # seconds to stall before answering, request by request
    requests: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        query = parse_qs(urlparse(self.path).query)
        type(self).requests.append(self.path)
        delay = type(self).delays.pop(0) if type(self).delays else 0.0
        if delay:
            time.sleep(delay)
        if query.get("apiKey") != [API_KEY]:
            self.send_response(401)
            self.end_headers()
            return
        body = page_body(type(self).topics, int(query["pageNumber"][0]), int(query["pageSize"][0]))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):  # the client gave up waiting
            self.wfile.write(body)

    def log_message(self, *_args: Any) -> None:
        return


@contextmanager
def serve_portal(topics: list[dict[str, Any]], delays: list[float] | None = None) -> Iterator[tuple[str, list[str]]]:
    """A real HTTP portal on a loopback port: (its URL, the request paths it saw)."""
    handler = type("Portal", (_Handler,), {"topics": topics, "delays": list(delays or []), "requests": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/search-api/prod/rest/search", handler.requests
    finally:
        server.shutdown()
        server.server_close()
