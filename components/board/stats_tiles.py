"""Figure tiles above the board: totals, progress, unassigned, sources, and value where allowed."""

from __future__ import annotations

from nicegui import ui

from components.board.job_card import money
from domain.board.views import BoardStats


def stats_tiles(stats: BoardStats, prefix: str = "stat") -> None:
    """The tiles, built in the current container; each value is marked `<prefix>-<key>`."""

    def _tile(label: str, value: str, key: str, color: str = "text-dark") -> None:
        with ui.card().classes("q-pa-sm min-w-[110px] flex-1").props(f'flat bordered data-testid="{prefix}-{key}"'):
            ui.label(label).classes("text-caption text-grey-7 text-uppercase")
            ui.label(value).classes(f"text-h6 text-weight-bold {color}").mark(f"{prefix}-{key}")

    with ui.row().classes("w-full gap-2 no-wrap overflow-auto"):
        _tile("Jobs", str(stats.total), "total")
        _tile("Completed", str(stats.completed), "completed", "text-green-9")
        _tile("In progress", str(stats.in_progress), "in-progress", "text-blue-8")
        _tile("Unassigned", str(stats.unassigned), "unassigned", "text-deep-orange-10" if stats.unassigned
              else "text-dark")
        _tile("SmartMoving", str(stats.smartmoving), "smartmoving", "text-primary")
        _tile("Manual", str(stats.manual), "manual")
        if stats.cancelled:
            _tile("Cancelled", str(stats.cancelled), "cancelled", "text-red-8")
        if stats.estimated_value is not None:
            _tile("Est. value", money(stats.estimated_value), "value", "text-green-9")
