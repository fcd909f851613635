"""The plain-ASGI stand-ins for `ui.run`'s two middlewares answer as NiceGUI's own do: same
headers on the same requests (a redirect under the proxy's prefix, cache directives on versioned
assets only), and `install` makes `ui.run` add them."""

from __future__ import annotations

import httpx
import pytest
from nicegui import core, ui_run
from nicegui.middlewares import RedirectWithPrefixMiddleware, SetCacheControlMiddleware
from nicegui.version import __version__
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from api.http import nicegui_middleware
from api.http.nicegui_middleware import CacheControlOnAssets, RedirectWithPrefix


async def _redirect(_request: Request) -> Response:
    return RedirectResponse("/login?redirect_to=%2Fboard")


async def _away(_request: Request) -> Response:
    return RedirectResponse("https://example.test/elsewhere")


async def _text(_request: Request) -> Response:
    return PlainTextResponse("x")


def _app(*middlewares: type) -> Starlette:
    app = Starlette(routes=[Route("/board", _redirect), Route("/away", _away),
                            Route("/{path:path}", _text)])
    for middleware in middlewares:
        app.add_middleware(middleware)
    return app


REQUESTS = [
    ("/board", {}),
    ("/board", {"X-Forwarded-Prefix": "/crm"}),
    ("/away", {"X-Forwarded-Prefix": "/crm"}),
    (f"/_nicegui/{__version__}/static/quasar.js", {}),
    (f"/_nicegui/{__version__}/dynamic_resources/x.js", {}),
    ("/_nicegui/0.0.1/static/quasar.js", {}),
    ("/api/journey/active", {"X-Forwarded-Prefix": "/crm"}),
]


async def _answers(app: Starlette) -> list[tuple[int, str | None, str | None]]:
    answers = []
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app") as client:
        for path, headers in REQUESTS:
            response = await client.get(path, headers=headers, follow_redirects=False)
            answers.append((response.status_code, response.headers.get("location"),
                            response.headers.get("cache-control")))
    return answers


async def test_the_same_headers_as_niceguis_middlewares(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(core.app.config, "cache_control_directives", "public, max-age=60", raising=False)  # ui.run's
    ours = await _answers(_app(RedirectWithPrefix, CacheControlOnAssets))
    assert ours == await _answers(_app(RedirectWithPrefixMiddleware, SetCacheControlMiddleware))
    assert ours[1][1] == "/crm/login?redirect_to=%2Fboard"  # the cases differ: the comparison means something
    assert ours[3][2] == "public, max-age=60" and ours[4][2] is None


def test_install_makes_ui_run_add_ours(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ui_run, "RedirectWithPrefixMiddleware", RedirectWithPrefixMiddleware)
    monkeypatch.setattr(ui_run, "SetCacheControlMiddleware", SetCacheControlMiddleware)
    nicegui_middleware.install()
    assert vars(ui_run)["RedirectWithPrefixMiddleware"] is RedirectWithPrefix
    assert vars(ui_run)["SetCacheControlMiddleware"] is CacheControlOnAssets
