"""Requests that arrive while the app is still starting wait for the startup to finish.

NiceGUI opens the port first and runs `app.on_startup` handlers as tasks, so right after a
restart a phone that reconnects (and reloads its page) can reach a page before the database
engine exists. Such requests wait here (at most STARTUP_WAIT_SECONDS) instead of failing with a
500; `/health` is never held (it reports the startup itself). The flag is `domain.runtime.health`'s,
which app.py sets at the end of its startup and clears on shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib

from starlette.types import ASGIApp, Receive, Scope, Send

from api.http.envelope import fail
from domain.runtime.health import is_started, wait_started

STARTUP_WAIT_SECONDS = 60.0
_NEVER_HELD = frozenset({"/health", "/api/health"})


class StartupGate:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not is_started() and scope.get("path") not in _NEVER_HELD:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(STARTUP_WAIT_SECONDS):
                    await wait_started()
            if not is_started():
                response = fail(503, "starting", "the app is still starting: try again in a moment",
                                headers={"Retry-After": "5"})
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
