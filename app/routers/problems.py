"""RFC 9457 problem+json: the rendering of AppError, validation errors, unknown routes and 405s.

Every answer that is not a success goes through `problem_response`, so clients see one shape.
Unexpected exceptions stay 500, are logged with the request id, and carry that id in the answer.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.errors import AppError, validation_errors
from app.jsonbody import nested_too_deeply

log = logging.getLogger("fundmatch.errors")

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://fundmatch.example.org/problems/"
# An answer lists at most this many validation errors (an 800 KB body of bad items must not
# become a 21 MB answer); `detail` says how many there were.
MAX_LISTED_ERRORS = 50


class ValidationItem(BaseModel):
    """One thing wrong with the request."""

    loc: list[str | int] = Field(
        description='Where: the part of the request and the path in it, e.g. `["body", "budget_eur"]` or, in a '
        'catalogue import, `["programmes", 12, "funder"]`.'
    )
    msg: str = Field(description="What is wrong, in English.")
    type: str = Field(description="A stable code for the kind of error, e.g. `missing`, `unknown_reference`.")


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = Field(
        examples=[TYPE_BASE + "not-found"], description="A URI naming the kind of problem; stable, for programs."
    )
    title: str = Field(description="A short summary of the kind of problem, e.g. `Not found`.")
    status: int = Field(description="The HTTP status code, e.g. 404.")
    detail: str = Field(description="What went wrong in this case, in English.")
    instance: str | None = Field(
        default=None, description="RFC 9457's address of this occurrence; fundmatch leaves it out."
    )
    request_id: str | None = Field(default=None, description="Set on 500 answers: quote it when reporting.")
    errors: list[ValidationItem] | None = Field(
        default=None, description="On a 422: each thing wrong with the request (at most 50 listed)."
    )
    allowed: list[str] | None = Field(
        default=None, description="On a 409 for an application's status: the statuses it may go to next."
    )
    existing: dict[str, Any] | None = Field(
        default=None, description="On a 409 for a second application: the one that exists (`id`, `location`)."
    )


STATUS_TITLES = {
    400: ("bad-request", "Bad request"),
    401: ("unauthorized", "Unauthorized"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    409: ("conflict", "Conflict"),
    412: ("precondition-failed", "Precondition failed"),
    413: ("payload-too-large", "Payload too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("validation-error", "Validation error"),
    428: ("precondition-required", "Precondition required"),
    429: ("too-many-requests", "Too many requests"),
    500: ("internal-error", "Internal server error"),
    503: ("unavailable", "Service unavailable"),
}


def problem_body(
    status: int,
    detail: str,
    *,
    slug: str | None = None,
    title: str | None = None,
    errors: Sequence[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    default_slug, default_title = STATUS_TITLES.get(status, ("error", "Error"))
    body: dict[str, Any] = {
        "type": TYPE_BASE + (slug or default_slug),
        "title": title or default_title,
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        listed = list(errors[:MAX_LISTED_ERRORS])
        if len(errors) > len(listed):
            body["detail"] = f"{detail} Only the first {len(listed)} of {len(errors)} errors are listed."
        body["errors"] = listed
    return body


def problem_response(
    status: int,
    detail: str,
    *,
    slug: str | None = None,
    title: str | None = None,
    errors: Sequence[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = problem_body(status, detail, slug=slug, title=title, errors=errors)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def validation_detail(errors: Sequence[dict[str, Any]]) -> str:
    first = errors[0] if errors else None
    if first is None:
        return "The request is not valid."
    where = ".".join(str(p) for p in first["loc"])
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {first['msg']}{more}"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(_request: Request, exc: AppError) -> JSONResponse:
        body = {**exc.extra, **problem_body(exc.status, exc.detail, slug=exc.slug, title=exc.title, errors=exc.errors)}
        return JSONResponse(body, status_code=exc.status, media_type=PROBLEM_MEDIA_TYPE, headers=exc.headers or None)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = validation_errors(exc.errors())
        return problem_response(422, validation_detail(errors), errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if isinstance(exc.__cause__, RecursionError):  # FastAPI's body parsing gave up on deep JSON
            return await _app_error(request, nested_too_deeply())
        headers = dict(exc.headers) if exc.headers else None
        if exc.status_code == 404 and exc.detail == "Not Found":
            detail = f"No resource at {request.url.path}."
        elif exc.status_code == 405:
            detail = f"{request.method} is not allowed on {request.url.path}."
            headers = {**(headers or {}), "Allow": ", ".join(_allowed_methods(request))}
        else:
            detail = str(exc.detail)
        return problem_response(exc.status_code, detail, headers=headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # This handler runs outside the request-id middleware: it sets the id itself.
        request_id = str(getattr(request.state, "request_id", "") or "")
        log.exception("unexpected error", extra={"path": request.url.path, "request_id": request_id})
        body = problem_body(500, f"An unexpected error occurred; it has been logged as request {request_id}.")
        body["request_id"] = request_id
        return JSONResponse(
            body,
            status_code=500,
            media_type=PROBLEM_MEDIA_TYPE,
            headers={"X-Request-ID": request_id, "X-Content-Type-Options": "nosniff"},
        )


def _allowed_methods(request: Request) -> list[str]:
    """The methods the API documents for this path (Starlette's own header names one route's only)."""
    table: list[tuple[re.Pattern[str], set[str]]] | None = getattr(request.app.state, "allowed_methods", None)
    if table is None:
        table = [
            (re.compile("^" + re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(path)) + "$"), {m.upper() for m in item})
            for path, item in request.app.openapi()["paths"].items()
        ]
        request.app.state.allowed_methods = table
    methods: set[str] = set()
    for pattern, path_methods in table:
        if pattern.match(request.url.path):
            methods |= path_methods
    return sorted(methods)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries so that generated clients see every problem status a route answers."""
    return {
        status: {
            "description": STATUS_TITLES.get(status, ("", "Error"))[1],
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }
