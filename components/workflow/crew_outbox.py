"""The crew phone's outbox on the NiceGUI pages: work goes on without signal.

NiceGUI runs every Python handler over its socket, so nothing handled in Python works while the
phone is offline. The outbox is therefore plain JavaScript served by the app (`/crew/*.js`,
components/workflow/crew_offline/, allowed by the CSP as same-origin scripts): while the connection
is down it shows the journey in its own offline view, writes every action to IndexedDB with an
idempotency key and the time it was made, and sends the actions in order over the JSON crew API
once the connection is back (domain/workflow/outbox.py applies each once). A bar shows how many
wait to send and what the server refused, with why. When all is sent and the socket is back,
`on_reconnect` redraws the live page from the database. A service worker (`/crew/sw.js`) keeps
the offline page and the journeys opened today, so a journey also opens without signal.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi.responses import Response
from nicegui import app, ui
from nicegui.events import GenericEventArguments

from domain.access.rbac import Principal

ASSET_DIR = Path(__file__).with_name("crew_offline")
#: The files served under /crew/ (nothing else is: the names are fixed, never taken from a request).
ASSETS = {
    "main.js": "text/javascript", "outbox.js": "text/javascript", "view.js": "text/javascript",
    "sw.js": "text/javascript", "offline.html": "text/html; charset=utf-8",
}


class OfflineView:
    """Whether the outbox's offline view covers the live page (the page need not redraw meanwhile:
    `on_reconnect` redraws it once the view goes)."""

    def __init__(self) -> None:
        self.shown = False

    def said(self, event: GenericEventArguments) -> None:
        self.shown = bool(isinstance(event.args, dict) and event.args.get("shown"))


def crew_outbox(principal: Principal, on_reconnect: Callable[[], Awaitable[None] | None]) -> OfflineView:
    """Add the outbox to the current crew page."""
    ui.add_body_html(f'<div id="ccrm-crew" data-mode="page" data-user="{principal.user_id}"></div>'
                     '<script type="module" src="/crew/main.js"></script>')
    view = OfflineView()
    ui.on("ccrm_offline_view", view.said)
    ui.on("ccrm_reconnected", on_reconnect)
    return view


def _asset(name: str) -> Callable[[], Response]:
    content = (ASSET_DIR / name).read_bytes()
    headers = {"Cache-Control": "no-cache"}
    if name == "sw.js":
        headers["Service-Worker-Allowed"] = "/mobile/"

    def serve() -> Response:
        return Response(content, media_type=ASSETS[name], headers=headers)

    return serve


def register_assets() -> None:
    served = {getattr(route, "path", None) for route in app.routes}
    for name in ASSETS:
        if f"/crew/{name}" not in served:  # the app may be built more than once in a process (tests)
            app.add_api_route(f"/crew/{name}", _asset(name), methods=["GET"], include_in_schema=False)
