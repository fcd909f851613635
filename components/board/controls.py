"""The board's location picker (limited to the user's scope) and day picker (Today, Tomorrow,
or any date), shared by the board and the timeline."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from nicegui import context, ui

from components.live import on_event, whole_page
from components.nav import app_header
from domain.board.views import DayView
from domain.errors import DomainError
from domain.events.bus import DomainEvent
from domain.events.touched import touched
from domain.access.locations import LocationOption, visible_locations
from domain.access.rbac import Principal

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
        ui.select({loc.id: loc.name for loc in locations}, label="Branch", value=location_id,
                  with_input=len(locations) > 8,
                  on_change=lambda e: pick_location(e.value)).props(
            'outlined dense options-dense data-testid="location-picker"').classes("min-w-[220px]").mark(
            "location-picker")
        with ui.button_group().props("flat"):
            for label, target in (("Today", today), ("Tomorrow", tomorrow)):
                ui.button(label, on_click=lambda t=target: on_change(location_id, t)).props(
                    f'no-caps {"unelevated color=primary" if day == target else "outline color=primary"} '
                    f'data-testid="day-{label.lower()}"').mark(f"day-{label.lower()}")
        ui.input("Day", value=day.isoformat(), on_change=lambda e: pick_day(e.value)).props(
            'outlined dense stack-label type=date data-testid="day-picker"').classes("w-40").mark("day-picker")
        ui.label(f"{day:%A %d %B %Y}").classes("text-grey-7").props('data-testid="day-label"')


def _parse_day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


class LocationDayPage:
    """A page showing one location on one day: `load()` reads it, `show()` renders it; the
    location and day pickers are rebuilt on every reload (the day defaults to the location's today)."""

    def __init__(self, principal: Principal, locations: list[LocationOption], location_id: int,
                 day: date | None) -> None:
        self.principal, self.locations, self.location_id = principal, locations, location_id
        self.day: date | None = day
        #: Where the subclass's layout wants the pickers.
        self.controls: ui.row
        #: The page's address; the location, day (and the subclass's filters) go in its query.
        request = context.client.request
        self.path = request.url.path if request is not None else ""

    def query(self) -> dict[str, str]:
        """The state the address keeps, so that a reload or Back shows the same view."""
        return {"location": str(self.location_id), "day": str(self.day)}

    def keep_in_address(self) -> None:
        """Put the shown state into the browser's address (replacing, not adding, a history entry)."""
        if self.path:
            ui.navigate.history.replace(f"{self.path}?{urlencode(self.query())}")

    async def load(self) -> DayView:
        raise NotImplementedError

    async def show(self, view: Any) -> None:
        raise NotImplementedError

    def show_refusal(self, message: str) -> None:
        """Why the page could not be loaded for the chosen location, day or filters."""
        ui.notify(message, type="negative")

    def follow_events(self) -> None:
        """Reload on events of journeys of the shown location (pages may be more selective)."""
        on_event(self.concerns_me, lambda _event: self.reload(), principal=self.principal, collapse=whole_page)

    def concerns_me(self, event: DomainEvent) -> bool:
        """A journey of the shown location and day (a single journey's event does not say its day)."""
        return touched(event).day(self.location_id, self.day)

    async def change(self, location_id: int, day: date) -> None:
        self.location_id, self.day = location_id, day
        await self.reload()

    async def reload(self) -> None:
        try:
            view = await self.load()
        except DomainError as exc:
            self.show_refusal(exc.message)
            return
        self.day = view.day
        self.controls.clear()
        with self.controls:
            board_controls(self.locations, self.location_id, view.day, view.today, self.change)
        await self.show(view)
        self.keep_in_address()


PageFactory = Callable[[list[LocationOption], int, date | None], LocationDayPage]


async def open_location_page(principal: Principal, title: str, location: int | None, day: str | None,
                             make: PageFactory) -> None:
    """The header, then the page for the wanted location if the user may see it (else their first
    location) and the wanted day (else that location's today), loaded and following live events."""
    app_header(principal)
    locations = await visible_locations(principal)
    ids = [loc.id for loc in locations]
    if not ids:
        ui.label(title).classes("text-h5 q-pa-md").props('data-testid="page-title"')
        ui.label("You have no locations assigned yet: ask an admin to assign you to a branch.").classes(
            "text-grey-7 q-pa-md").props('data-testid="no-locations"')
        return
    if location is not None and location not in ids:
        ui.notify("That location is not one of yours: showing your first location", type="warning")
    page = make(locations, location if location in ids else ids[0], _parse_day(day))
    await page.reload()
    page.follow_events()
