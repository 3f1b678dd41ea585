"""The AppError family: domain outcomes that carry their own status, raised by services.

Pure: no web framework. `app/routers/problems.py` renders them as RFC 9457 problem documents.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class AppError(Exception):
    """A domain outcome with its own status; raised by services, rendered by one handler."""

    status = 400
    slug = "bad-request"
    title = "Bad request"

    def __init__(self, detail: str, *, errors: Sequence[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = list(errors) if errors is not None else None
        self.headers: dict[str, str] = {}
        # Extra members of the problem document (RFC 9457 allows them), e.g. the allowed next statuses.
        self.extra: dict[str, Any] = {}


class Unauthorized(AppError):
    status, slug, title = 401, "unauthorized", "Unauthorized"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.headers = {"WWW-Authenticate": "Bearer"}


class Forbidden(AppError):
    status, slug, title = 403, "forbidden", "Forbidden"


class NotFound(AppError):
    status, slug, title = 404, "not-found", "Not found"


class Conflict(AppError):
    status, slug, title = 409, "conflict", "Conflict"


class PreconditionFailed(AppError):
    status, slug, title = 412, "precondition-failed", "Precondition failed"


class PreconditionRequired(AppError):
    status, slug, title = 428, "precondition-required", "Precondition required"


class PayloadTooLarge(AppError):
    status, slug, title = 413, "payload-too-large", "Payload too large"


class TooManyRequests(AppError):
    status, slug, title = 429, "too-many-requests", "Too many requests"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.headers = {"Retry-After": str(retry_after)}


class InvalidInput(AppError):
    status, slug, title = 422, "validation-error", "Validation error"


class UpstreamError(AppError):
    status, slug, title = 502, "upstream-error", "Upstream error"


def validation_errors(raw: Sequence[Any], prefix: Sequence[str | int] = ()) -> list[dict[str, Any]]:
    """Pydantic-style errors as `{"loc", "msg", "type"}`, without the echoed input (it may hold
    secrets or megabytes)."""
    cleaned = []
    for err in raw:
        loc = [*prefix, *(part for part in err.get("loc", ()) if isinstance(part, str | int))]
        cleaned.append({"loc": loc, "msg": str(err.get("msg", "")), "type": str(err.get("type", ""))})
    return cleaned
