"""FastAPI dependencies: the acting `Principal` from the bearer token (or the browser session)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from domain.access.rbac import Principal
from domain.access.signin import principal_for_user_id
from domain.access.tokens import decode_token
from domain.errors import NotAuthenticated
from domain.schemas import row_id_in


async def current_principal(request: Request) -> Principal:
    """401 unless a valid bearer token of an active, known user comes with the request.

    For GET requests the signed NiceGUI session cookie also counts, so pages can show API
    resources (e.g. media in `<img>` tags) without handling tokens. Writes always need the token
    (the cookie is SameSite=lax, and not accepting it for writes rules out CSRF altogether)."""
    header = request.headers.get("authorization", "")
    user_id: int | None = None
    if header.lower().startswith("bearer "):
        claims = decode_token(header[7:].strip())
        user_id = row_id_in(str(claims["sub"]))
        if user_id is None:
            raise NotAuthenticated("invalid access token")
    elif request.method in ("GET", "HEAD") and request.scope.get("session", {}).get("id"):
        from nicegui import app  # the page session, only present in a request NiceGUI tracks

        raw = app.storage.user.get("user_id")
        user_id = int(raw) if raw else None
    if user_id is None:
        raise NotAuthenticated("sign in first: send 'Authorization: Bearer <token>'")
    principal = await principal_for_user_id(user_id)
    if principal is None:
        raise NotAuthenticated("unknown or inactive user")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
