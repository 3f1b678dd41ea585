"""The id of the request being served, for records written deep in a use case (the audit log).

Set by the request-id middleware; worker threads that serve the request inherit it (anyio copies
the context). Outside a request (the CLI, start-up, jobs) it is None.
"""

from __future__ import annotations

from contextvars import ContextVar

current_request_id: ContextVar[str | None] = ContextVar("current_request_id", default=None)
