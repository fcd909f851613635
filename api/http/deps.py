"""FastAPI dependencies: the acting `Principal` from the bearer token (or the browser session)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, nullcontext
from typing import Annotated

from fastapi import Depends, Request

from domain.access.rbac import Principal
from domain.access.signin import principal_for_session
from domain.access.tokens import decode_token
from domain.errors import NotAuthenticated
from domain.schemas import row_id_in
from domain.unit_of_work import request_reads


async def current_principal(request: Request) -> AsyncIterator[Principal]:
    """The acting principal; for a GET (or HEAD), the route's reads then continue in the session
    the principal was read in (`request_reads`, until the route returns: the dependency's scope is
    "function", so the connection is back in the pool before the answer is sent). Writes read it
    on its own, so that a write request never holds two connections.

    See `_principal_of` for who is let in."""
    reads: AbstractAsyncContextManager[object] = (
        request_reads() if request.method in ("GET", "HEAD") else nullcontext())
    async with reads:
        yield await _principal_of(request)


async def _principal_of(request: Request) -> Principal:
    """401 unless a valid bearer token of an active, known user comes with the request.

    For GET requests the signed NiceGUI session cookie also counts, so pages can show API
    resources (e.g. media in `<img>` tags) without handling tokens. Writes always need the token
    (the cookie is SameSite=lax, and not accepting it for writes rules out CSRF altogether)."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        claims = decode_token(header[7:].strip())
        user_id = row_id_in(str(claims["sub"]))
        if user_id is None:
            raise NotAuthenticated("invalid access token")
        principal = await principal_for_session(user_id, claims["ver"])
    elif request.method in ("GET", "HEAD") and request.scope.get("session", {}).get("id"):
        from nicegui import app  # the page session, only present in a request NiceGUI tracks

        stored = app.storage.user
        user_id = row_id_in(str(stored.get("user_id", "")))
        principal = await principal_for_session(user_id, stored.get("token_version")) if user_id else None
    else:
        raise NotAuthenticated("sign in first: send 'Authorization: Bearer <token>'")
    if principal is None:
        raise NotAuthenticated("unknown or inactive user, or a session that has ended: sign in again")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal, scope="function")]
