"""JSON bodies read by hand (the catalogue import: large, parsed off the event loop or in a child
process): not JSON, or nested deeper than the parser goes, is a 422."""

from __future__ import annotations

import json
from typing import Any

from app.errors import InvalidInput


def parse_json(raw: bytes) -> Any:
    """A request body as JSON; not JSON, or nested deeper than the parser goes: a 422 problem."""
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(
            "The body is not valid JSON.", errors=[{"loc": ["body"], "msg": str(exc), "type": "json_invalid"}]
        ) from exc
    except RecursionError as exc:
        raise nested_too_deeply() from exc


def nested_too_deeply() -> InvalidInput:
    return InvalidInput(
        "The body's JSON is nested too deeply.",
        errors=[{"loc": ["body"], "msg": "JSON nested too deeply", "type": "json_too_deep"}],
    )
