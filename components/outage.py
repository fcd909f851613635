"""Open pages say when a tap was not saved because the database is unavailable.

NiceGUI hands an exception of an event handler (a click, a change, an upload) that nobody
caught to the page's `ui.on_exception` handlers. Every guarded page registers `report_unsaved_taps`
once (pages/access/session.py), so a write that failed for lack of a database shows a clear
notification instead of the tap vanishing; handlers need no code of their own for it.
"""

from __future__ import annotations

import logging

from nicegui import ui

from domain.runtime.outage import NOT_SAVED_MESSAGE, is_database_outage

log = logging.getLogger("ccrm.pages")


def _tell(exception: Exception) -> None:
    if is_database_outage(exception):
        log.warning("a tap was not saved: database unavailable (%s)", type(exception).__name__)
        ui.notify(NOT_SAVED_MESSAGE, type="negative", position="top", multi_line=True, timeout=8000)


def report_unsaved_taps() -> None:
    """On the page being built: report event handlers that failed for lack of a database."""
    ui.on_exception(_tell)
