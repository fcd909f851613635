"""The planner's drag-and-drop and keyboard script (planner.js), added to the page once."""

from __future__ import annotations

from pathlib import Path

from nicegui import ui

_SCRIPT = (Path(__file__).parent / "planner.js").read_text(encoding="utf-8")


def add_planner_script() -> None:
    ui.add_body_html(f"<script>{_SCRIPT}</script>")
