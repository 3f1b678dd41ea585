"""ASGI middleware: request ids with structured access logs, and request body limits.

Both are plain ASGI so that they see every request, including ones no route answers, and so that
a body limit stops reading as soon as the limit is passed instead of buffering the whole upload.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.request_context import current_request_id
from app.routers.problems import MAX_LISTED_ERRORS, PROBLEM_MEDIA_TYPE, TYPE_BASE, validation_detail

access_log = logging.getLogger("fundmatch.access")


class RequestIdMiddleware:
    """Gives each request an id (or keeps a sane incoming X-Request-ID), logs one line per request,
    tells browsers not to guess content types (`X-Content-Type-Options: nosniff`), and adds the
    RateLimit headers of an authenticated request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = message.setdefault("headers", [])
                headers.append((b"x-request-id", request_id.encode("latin-1")))
                headers.append((b"x-content-type-options", b"nosniff"))
                quota = scope["state"].get("quota")
                if quota is not None:
                    headers.extend(quota.headers())
            await send(message)

        token = current_request_id.set(request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            current_request_id.reset(token)
            access_log.info(
                "request",
                extra={
                    "request_id": request_id,
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )


class BodyLimitMiddleware:
    """Answers 413 when a request body passes its limit; `limit_for(path)` picks the limit.

    A body without a declared length (chunked) is read here, up to the limit, before any route sees
    it: a route that parses its body would otherwise turn the interruption into a 400.
    """

    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _send_too_large(send, limit)
            return
        if declared is not None or b"transfer-encoding" not in headers:
            # no body, or one the server holds to its declared length
            await self.app(scope, receive, send)
            return
        try:
            body = await read_body(receive, limit)
        except _TooLargeError:
            await _send_too_large(send, limit)
            return
        if body is not None:
            await self.app(scope, replaying(body, receive), send)


class _TooLargeError(Exception):
    pass


async def read_body(receive: Receive, limit: int | None = None) -> bytes | None:
    """The whole request body (None when the client went away); `_TooLargeError` past `limit`."""
    chunks: list[bytes] = []
    received = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunk = message.get("body", b"")
        received += len(chunk)
        if limit is not None and received > limit:
            raise _TooLargeError
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def replaying(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives the app `body` (already read) once, then whatever the client sends."""
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _send_too_large(send: Send, limit: int) -> None:
    body = json.dumps(
        {
            "type": TYPE_BASE + "payload-too-large",
            "title": "Payload too large",
            "status": 413,
            "detail": f"The request body is larger than {limit} bytes.",
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


NUL_MESSAGE = "text may not contain the NUL character (U+0000)"


class NulCharacterMiddleware:
    """Answers 422 when a request's path, query or JSON body holds the NUL character.

    PostgreSQL text cannot hold it: stored or queried, it would fail deep in a write (a 500, and a
    broken connection). It is never meaningful in this API's text, so it is refused for every field
    at the door, with the place of each occurrence. Bodies without one pass untouched (a byte search).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        errors = _nul_in_url(scope)
        if errors:
            await _send_nul_problem(send, errors)
            return
        body = await read_body(receive)  # the body limit in front of this bounds it
        if body is None:
            return  # the client went away
        if b"\\u0000" in body and (errors := _nul_in_json(body)):
            await _send_nul_problem(send, errors)
            return
        await self.app(scope, replaying(body, receive), send)


def _nul_in_url(scope: Scope) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = []
    if "\x00" in scope["path"]:
        errors.append({"loc": ["path"], "msg": NUL_MESSAGE, "type": "nul_character"})
    query = scope.get("query_string", b"")
    if b"%00" in query.lower() or b"\x00" in query:
        for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
            if "\x00" in name or "\x00" in value:
                errors.append({"loc": ["query", name.replace("\x00", "")], "msg": NUL_MESSAGE, "type": "nul_character"})
    return errors


def _nul_in_json(body: bytes) -> list[dict[str, Any]]:
    """The places of NUL characters in a JSON body (none when it is not JSON: the route says so)."""
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):
        return []
    found: list[dict[str, Any]] = []

    def walk(node: object, loc: list[str | int]) -> None:
        if isinstance(node, str):
            if "\x00" in node:
                found.append({"loc": loc, "msg": NUL_MESSAGE, "type": "nul_character"})
        elif isinstance(node, dict):
            for key, item in node.items():
                walk(key, loc) if "\x00" in key else walk(item, [*loc, key])
        elif isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, [*loc, i])

    walk(value, ["body"])
    return found


async def _send_nul_problem(send: Send, errors: list[dict[str, Any]]) -> None:
    listed = errors[:MAX_LISTED_ERRORS]
    body = json.dumps(
        {
            "type": TYPE_BASE + "validation-error",
            "title": "Validation error",
            "status": 422,
            "detail": validation_detail(errors),
            "errors": listed,
        },
        ensure_ascii=False,
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 422,
            "headers": [(b"content-type", PROBLEM_MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
