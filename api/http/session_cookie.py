"""The browser session: NiceGUI's session id in Starlette's signed cookie, installed by the app
itself rather than by `ui.run(storage_secret=...)`, so that the cookie can be `Secure`.

Starlette's SessionMiddleware decides `Secure` once, for every response; but the app is served
over http on a developer's machine and in the tests, and over https behind the proxy. Here each
request gets the cookie its scheme allows: `Secure` when it came over https, directly or from a
trusted proxy (`X-Forwarded-Proto`, see TRUSTED_PROXIES). For this the trusted-proxy middleware
must run first (it is added after this one in app.py, so it is outside).

NiceGUI adds its own session middleware when `ui.run` gets a storage secret; it gets None, and
`install_session` sets the secret NiceGUI keeps for its storage itself. API calls with a bearer
token skip both (api/http/bearer.py): they neither read nor get a session cookie.
"""

from __future__ import annotations

from nicegui import App
from nicegui.storage import RequestTrackingMiddleware, Storage
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from api.http.bearer import SkippedOnBearerApi

#: The cookie's name (Starlette's default, which NiceGUI uses too).
SESSION_COOKIE = "session"


class SessionCookieMiddleware:
    """Starlette's session middleware, `https_only` chosen per request by its scheme."""

    def __init__(self, app: ASGIApp, secret_key: str) -> None:
        self.plain = SessionMiddleware(app, secret_key, session_cookie=SESSION_COOKIE, same_site="lax")
        self.secure = SessionMiddleware(app, secret_key, session_cookie=SESSION_COOKIE, same_site="lax",
                                        https_only=True)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        chosen = self.secure if scope.get("scheme") in ("https", "wss") else self.plain
        await chosen(scope, receive, send)


def install_session(app: App, secret: str) -> None:
    """Session cookie and NiceGUI's request tracking (which creates `app.storage.user` for the
    session id) as the next middlewares, outside those added before; `ui.run` must then get
    `storage_secret=None`. Bearer API calls skip both."""
    app.add_middleware(SkippedOnBearerApi, middleware=RequestTrackingMiddleware)
    app.add_middleware(SkippedOnBearerApi, middleware=SessionCookieMiddleware, secret_key=secret)

    def keep_secret() -> None:  # ui.run(storage_secret=None) resets it; NiceGUI prunes user storage only with one
        Storage.secret = secret

    keep_secret()
    app.on_startup(keep_secret)
