"""A signature pad drawn with a finger: a canvas with pointer events (see signature_pad.js).

The browser sends the drawing as a PNG data URL after each stroke, so `data_url` is already
on the server when the crew taps "Save"; `wipe()` wipes the pad on both sides. A pad created
with `initial` (the unsaved drawing, kept by the page) shows it again after a redraw.
"""

from __future__ import annotations

from collections.abc import Callable

from nicegui import ui
from nicegui.events import GenericEventArguments


class SignaturePad(ui.element, component="signature_pad.js"):
    def __init__(self, *, height: int = 200, export_width: int = 600, initial: str | None = None,
                 on_change: Callable[[str | None], None] | None = None) -> None:
        super().__init__()
        self._props["height"] = height
        self._props["export-width"] = export_width
        self._props["initial"] = initial
        self.data_url: str | None = initial
        self.strokes = 1 if initial else 0
        self._on_change = on_change
        self.on("signed", self._signed)

    def _signed(self, event: GenericEventArguments) -> None:
        args = event.args if isinstance(event.args, dict) else {}
        self.strokes = int(args.get("strokes") or 0)
        data_url = args.get("dataUrl")
        self.data_url = data_url if isinstance(data_url, str) and self.strokes else None
        if self._on_change:
            self._on_change(self.data_url)

    def wipe(self) -> None:
        self.data_url, self.strokes = None, 0
        if self._on_change:
            self._on_change(None)
        self.run_method("clear")
