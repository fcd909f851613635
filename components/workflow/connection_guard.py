"""Field pages never lose an action silently: while offline, input is blocked under a banner.

Decision: block input rather than queue actions in the browser. A queued action would be replayed
against a journey that may have moved on meanwhile (another crew member completed the phase, a
manager rejected it); blocking keeps every action a live, confirmed round trip. See
connection_guard.js for the mechanics. `on_reconnect` redraws the page from the database.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from nicegui import ui

_SCRIPT = (Path(__file__).with_suffix(".js")).read_text(encoding="utf-8")

_BANNER = """
<div id="ccrm-offline" hidden role="alert" data-testid="offline-banner"
     style="position:fixed;inset:0;z-index:10000;background:rgba(0,0,0,.45);touch-action:none">
  <div style="background:#c10015;color:#fff;padding:14px 16px;font:600 17px/1.35 system-ui,sans-serif;
              box-shadow:0 2px 8px rgba(0,0,0,.4)">
    <div>Offline — reconnecting…</div>
    <div data-detail style="font-weight:400;font-size:15px;margin-top:2px"></div>
  </div>
</div>
"""


def connection_guard(on_reconnect: Callable[[], Awaitable[None] | None]) -> None:
    """Add the offline banner and input blocking to the current page."""
    ui.add_body_html(_BANNER + f"<script>{_SCRIPT}</script>")
    ui.on("ccrm_reconnected", on_reconnect)
