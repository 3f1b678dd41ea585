"""Authentication as FastAPI dependencies: the bearer token, its principal and a scope check.

A key the worker checked recently is at hand on the event loop; any other is checked in a worker
thread (a database read), so no request's authentication holds the loop. Every authenticated
request counts against its token's rate limit.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from app.errors import Forbidden, Unauthorized
from app.principal import Principal
from app.routers.deps import app_state
from app.services.auth import authenticate, hash_token

bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer <token>`.")


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthorized("An API key is required: send 'Authorization: Bearer <token>'.")
    state = app_state(request)
    token = credentials.credentials
    principal = state.principals.get(hash_token(token))
    if principal is None:
        checked = await run_in_threadpool(authenticate, state.engine, token, state.principals)
        principal = checked.principal
        if checked.touch_at is not None:
            state.key_usage.record(principal.key_id, checked.touch_at)
    request.state.principal = principal
    quota = state.rate_limiter.hit(principal.key_id)
    request.state.quota = quota  # the RateLimit headers are added to whatever answer follows
    if not quota.allowed:
        raise state.rate_limiter.refuse(quota)
    return principal


def require(scope: str) -> object:
    """A dependency that authenticates and checks `scope` in one step (one dependency less to solve
    on every request than a check stacked on `current_principal`)."""

    async def authorised(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> Principal:
        principal = await current_principal(request, credentials)
        if not principal.has(scope):
            raise Forbidden(f"This action needs the '{scope}' scope.")
        return principal

    return Depends(authorised)


AnyPrincipal = Annotated[Principal, Depends(current_principal)]
ReadPrincipal = Annotated[Principal, require("read")]
WritePrincipal = Annotated[Principal, require("write")]
AdminPrincipal = Annotated[Principal, require("admin")]
