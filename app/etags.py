"""Entity tags for conditional requests (RFC 9110): one comparison for every resource."""

from __future__ import annotations


def etag_matches(header: str, etag: str) -> bool:
    """Whether an `If-Match`/`If-None-Match` header names `etag` (weak tags compare equal, `*` matches)."""
    candidates = [part.strip().removeprefix("W/") for part in header.split(",")]
    return "*" in candidates or etag.removeprefix("W/") in candidates
