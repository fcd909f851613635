"""Figure tiles above the board: totals, progress, unassigned, sources, and value where allowed.

Built once per page and updated in place (issue 18): a live refresh changes the values' text and
colour, it does not rebuild the tiles (rebuilding them was a quarter of a busy board's CPU)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from nicegui import ui

from components.board.job_card import money
from domain.board.views import BoardStats

#: Every colour a value may take, removed before the current one is set.
_COLORS = "text-dark text-green-9 text-blue-8 text-deep-orange-10 text-primary text-red-8"


@dataclass(frozen=True, slots=True)
class _Tile:
    label: str
    key: str
    value: Callable[[BoardStats], str]
    color: Callable[[BoardStats], str]
    #: Whether the tile shows for these figures.
    shown: Callable[[BoardStats], bool] = lambda _stats: True


def _fixed(color: str) -> Callable[[BoardStats], str]:
    return lambda _stats: color


_TILES = (
    _Tile("Jobs", "total", lambda s: str(s.total), _fixed("text-dark")),
    _Tile("Completed", "completed", lambda s: str(s.completed), _fixed("text-green-9")),
    _Tile("In progress", "in-progress", lambda s: str(s.in_progress), _fixed("text-blue-8")),
    _Tile("Unassigned", "unassigned", lambda s: str(s.unassigned),
          lambda s: "text-deep-orange-10" if s.unassigned else "text-dark"),
    _Tile("SmartMoving", "smartmoving", lambda s: str(s.smartmoving), _fixed("text-primary")),
    _Tile("Manual", "manual", lambda s: str(s.manual), _fixed("text-dark")),
    _Tile("Cancelled", "cancelled", lambda s: str(s.cancelled), _fixed("text-red-8"), lambda s: bool(s.cancelled)),
    _Tile("Est. value", "value", lambda s: money(s.estimated_value) if s.estimated_value is not None else "",
          _fixed("text-green-9"), lambda s: s.estimated_value is not None),
)


class StatsTiles:
    """The tiles, built in the current container; each value is marked `<prefix>-<key>`. The value
    tile exists only for principals who see money (the first figures say which: a page's principal
    does not change)."""

    def __init__(self, stats: BoardStats, prefix: str = "stat") -> None:
        self.stats = stats
        self._tiles: list[tuple[_Tile, ui.card, ui.label]] = []
        with ui.row().classes("w-full gap-2 no-wrap overflow-auto"):
            for tile in _TILES:
                if tile.key == "value" and stats.estimated_value is None:
                    continue
                box = ui.card().classes("q-pa-sm min-w-[110px] flex-1").props(
                    f'flat bordered data-testid="{prefix}-{tile.key}"')
                with box:
                    ui.label(tile.label).classes("text-caption text-grey-7 text-uppercase")
                    value = ui.label(tile.value(stats)).classes(
                        f"text-h6 text-weight-bold {tile.color(stats)}").mark(f"{prefix}-{tile.key}")
                box.set_visibility(tile.shown(stats))
                self._tiles.append((tile, box, value))

    def update(self, stats: BoardStats) -> None:
        """Show these figures: only what differs is sent to the browser."""
        before, self.stats = self.stats, stats
        for tile, box, value in self._tiles:
            value.set_text(tile.value(stats))  # (a property: unchanged text sends nothing)
            if tile.color(stats) != tile.color(before):
                value.classes(remove=_COLORS, add=tile.color(stats))
            box.set_visibility(tile.shown(stats))
