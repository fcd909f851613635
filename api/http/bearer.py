"""API calls that carry a bearer token skip the browser-session middlewares.

Such a call is authenticated by its token alone (api/http/deps.py: the token is checked first,
the session cookie only counts for a GET without one). Yet it went through the session cookie's
middleware (verifying and decoding the signed cookie) and NiceGUI's request tracking, which
gives every request without a session id a new one: a new user storage and a `Set-Cookie` for
each token call of a phone or a script. `SkippedOnBearerApi` wraps such a middleware so that a
bearer call under `/api` goes straight to the next one; everything else goes through as before.
"""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from api.http.envelope import API_PREFIX

_API_PATH_PREFIX = f"{API_PREFIX}/"
_BEARER = b"bearer "


def is_bearer_api_call(scope: Scope) -> bool:
    """An HTTP request under /api whose Authorization header is a bearer token."""
    if scope["type"] != "http" or not scope.get("path", "").startswith(_API_PATH_PREFIX):
        return False
    for name, value in scope.get("headers") or ():
        if name == b"authorization":
            return bool(value[:len(_BEARER)].lower() == _BEARER)
    return False


class SkippedOnBearerApi:
    """`middleware(app, **options)` for every request but bearer API calls, which go to `app` directly."""

    def __init__(self, app: ASGIApp, /, middleware: type, **options: Any) -> None:
        self.app = app
        self.wrapped: ASGIApp = middleware(app, **options)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if is_bearer_api_call(scope):
            await self.app(scope, receive, send)
        else:
            await self.wrapped(scope, receive, send)
