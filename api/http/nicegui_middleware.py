"""NiceGUI's two middlewares of `ui.run`, as plain ASGI.

`ui.run` adds `RedirectWithPrefixMiddleware` (a redirect's `Location` under the proxy's
`X-Forwarded-Prefix`) and `SetCacheControlMiddleware` (`Cache-Control` on NiceGUI's versioned
assets) around the whole app. Both are Starlette `BaseHTTPMiddleware`s, which run every request
in a task of its own and pass its body through a memory stream: about 0.65 ms of CPU per
request for the pair, on every API call, for two header edits. `install()` makes `ui.run` add
these instead: the same edits, done on the response's start message.
"""

from __future__ import annotations

from nicegui import core, ui_run
from nicegui.version import __version__
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_ASSETS = f"/_nicegui/{__version__}/"
_DYNAMIC_ASSETS = f"{_ASSETS}dynamic_resources/"


class RedirectWithPrefix:
    """A redirect to a path of the app (`Location: /...`) goes under `X-Forwarded-Prefix`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        prefix = Headers(scope=scope).get("x-forwarded-prefix", "") if scope["type"] == "http" else ""
        if not prefix:
            await self.app(scope, receive, send)
            return

        async def send_prefixed(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                location = headers.get("location")
                if location is not None and location.startswith("/"):
                    headers["location"] = prefix + location
            await send(message)

        await self.app(scope, receive, send_prefixed)


class CacheControlOnAssets:
    """NiceGUI's versioned assets (not its dynamic resources) get `ui.run`'s cache directives."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(_ASSETS) or path.startswith(_DYNAMIC_ASSETS):
            await self.app(scope, receive, send)
            return

        async def send_cached(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["Cache-Control"] = core.app.config.cache_control_directives
            await send(message)

        await self.app(scope, receive, send_cached)


#: The names `ui.run` adds its middlewares by, and what it adds instead.
_REPLACED = {"RedirectWithPrefixMiddleware": RedirectWithPrefix, "SetCacheControlMiddleware": CacheControlOnAssets}


def install() -> None:
    """Before `ui.run`: it adds these in place of its BaseHTTPMiddleware versions (a NiceGUI that
    no longer has them fails here, at start-up, rather than running both)."""
    missing = [name for name in _REPLACED if not hasattr(ui_run, name)]
    if missing:
        raise RuntimeError(f"nicegui.ui_run has no {', '.join(missing)}: review api/http/nicegui_middleware.py")
    vars(ui_run).update(_REPLACED)
