"""The board's location picker (limited to the user's scope) and day picker (Today, Tomorrow,
or any date), shared by the board and the timeline."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta

from nicegui import ui

from domain.locations import LocationOption

ChangeHandler = Callable[[int, date], Awaitable[None]]


def board_controls(locations: list[LocationOption], location_id: int, day: date, today: date,
                   on_change: ChangeHandler) -> None:
    """Built in the current container; `on_change(location_id, day)` on any change."""
    tomorrow = today + timedelta(days=1)

    async def pick_location(value: int | None) -> None:
        if value is not None and value != location_id:
            await on_change(value, day)

    async def pick_day(value: str | None) -> None:
        try:
            chosen = date.fromisoformat(value or "")
        except ValueError:
            return
        if chosen != day:
            await on_change(location_id, chosen)

    with ui.row().classes("items-center gap-2"):
        ui.select({l.id: l.name for l in locations}, value=location_id, with_input=len(locations) > 8,
                  on_change=lambda e: pick_location(e.value)).props(
            'outlined dense options-dense data-testid="location-picker"').classes("min-w-[220px]").mark(
            "location-picker")
        with ui.button_group().props("flat"):
            for label, target in (("Today", today), ("Tomorrow", tomorrow)):
                ui.button(label, on_click=lambda t=target: on_change(location_id, t)).props(
                    f'no-caps {"unelevated color=primary" if day == target else "outline color=primary"} '
                    f'data-testid="day-{label.lower()}"').mark(f"day-{label.lower()}")
        ui.input(value=day.isoformat(), on_change=lambda e: pick_day(e.value)).props(
            'outlined dense type=date data-testid="day-picker"').classes("w-40").mark("day-picker")
        ui.label(f"{day:%A %d %B %Y}").classes("text-grey-7").props('data-testid="day-label"')


def parse_day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def pick_location(locations: list[LocationOption], wanted: int | None) -> int | None:
    """The wanted location if the user may see it, else their first one."""
    ids = [l.id for l in locations]
    return wanted if wanted in ids else (ids[0] if ids else None)


def no_locations() -> None:
    ui.label("You have no locations assigned yet: ask an admin to assign you to a branch.").classes(
        "text-grey-7 q-pa-md").props('data-testid="no-locations"')
