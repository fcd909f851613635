"""`/board/timeline`: a location's trucks as rows, the day's hours as columns, journeys as
bars where they are scheduled; journeys without a truck in a side list, ready to assign."""

from __future__ import annotations

from datetime import date, datetime

from nicegui import ui

from components.board.assign_dialog import open_assign_dialog
from components.board.controls import LocationDayPage, open_location_page
from components.board.job_card import badge_html, status_html, time_range
from components.theme import STATUS_COLORS
from domain.access.locations import LocationOption
from domain.access.rbac import Permission, Principal
from domain.board.cards import JobCard
from domain.board.views import Timeline, TruckRow, load_timeline
from pages.access.session import guarded_page

#: Local hours shown, [FIRST_HOUR, LAST_HOUR).
FIRST_HOUR = 6
LAST_HOUR = 22
_SPAN = LAST_HOUR - FIRST_HOUR
_LABEL_WIDTH = "w-36 shrink-0"
_GRID = ("background-image: repeating-linear-gradient(to right, #e0e0e0 0, #e0e0e0 1px, transparent 1px, "
         f"transparent calc(100% / {_SPAN}));")


def _fraction(value: datetime | None, default: float) -> float:
    if value is None:
        return default
    hours = value.hour + value.minute / 60 - FIRST_HOUR
    return min(max(hours / _SPAN, 0.0), 1.0)


def _bar(card: JobCard, day: date) -> None:
    left = _fraction(card.scheduled_start, 0.0)
    ends_later = card.scheduled_end is not None and card.scheduled_end.date() > day
    right = 1.0 if ends_later or card.scheduled_end is None else _fraction(card.scheduled_end, 1.0)
    width = max(right - left, 0.02)
    style = f"left: {left * 100:.2f}%; width: {width * 100:.2f}%; top: 4px; bottom: 4px;"
    with ui.link(target=f"/journeys/{card.id}").classes(
            f"absolute rounded q-px-xs no-underline text-white overflow-hidden bg-{STATUS_COLORS[card.status]}"
    ).style(style).props(f'data-testid="bar-{card.id}" title="{card.label} · {card.customer_name} · '
                         f'{time_range(card)}"').mark(f"bar-{card.id}"):
        ui.label(f"{card.label} · {card.customer_name}").classes("text-caption ellipsis")


def _row(row: TruckRow, day: date) -> None:
    with ui.row().classes("w-full no-wrap items-stretch").props(f'data-testid="truck-row-{row.truck_id}"'):
        with ui.column().classes(f"{_LABEL_WIDTH} gap-0 q-py-xs"):
            ui.label(row.number).classes("text-weight-medium")
            ui.label(" · ".join(x for x in (row.size, row.lent and "lent") if x)).classes("text-caption text-grey-7")
        with ui.element("div").classes("relative flex-1 h-12 border-b").style(_GRID):
            for card in row.cards:
                _bar(card, day)


def _hour_header() -> None:
    with ui.row().classes("w-full no-wrap"):
        ui.element("div").classes(_LABEL_WIDTH)
        with ui.element("div").classes("relative flex-1 h-5"):
            for hour in range(FIRST_HOUR, LAST_HOUR):
                ui.label(f"{hour}:00").classes("absolute text-caption text-grey-7").style(
                    f"left: {(hour - FIRST_HOUR) / _SPAN * 100:.2f}%")


class TimelinePage(LocationDayPage):
    def __init__(self, principal: Principal, locations: list[LocationOption], location_id: int,
                 day: date | None) -> None:
        super().__init__(principal, locations, location_id, day)
        with ui.column().classes("w-full q-pa-md gap-3"):
            with ui.row().classes("w-full items-center justify-between"):
                ui.label("Timeline").classes("text-h5").props('data-testid="page-title"')
                ui.button("Board", icon="dashboard", on_click=lambda: ui.navigate.to(
                    f"/board?location={self.location_id}&day={self.day}")).props("outline no-caps")
            self.controls = ui.row().classes("w-full")
            self.body = ui.row().classes("w-full no-wrap items-start gap-4")

    async def load(self) -> Timeline:
        return await load_timeline(self.principal, self.location_id, self.day)

    async def show(self, timeline: Timeline) -> None:
        self.body.clear()
        with self.body:
            self._grid(timeline)
            self._unassigned(timeline)

    def _grid(self, timeline: Timeline) -> None:
        with ui.card().classes("flex-1 q-pa-sm gap-0 overflow-auto").props('flat bordered data-testid="timeline"'):
            _hour_header()
            for row in timeline.rows:
                _row(row, timeline.day)
            if not timeline.rows:
                ui.label("This location has no active trucks.").classes("text-grey-7 q-pa-sm")

    def _unassigned(self, timeline: Timeline) -> None:
        can_assign = self.principal.can(Permission.ASSIGN_CREW)
        with ui.card().classes("w-80 shrink-0 q-pa-sm gap-2").props('flat bordered data-testid="no-truck-list"'):
            ui.label(f"Without a truck ({len(timeline.unassigned)})").classes("text-subtitle2")
            for card in timeline.unassigned:
                with ui.column().classes("w-full gap-1 q-pa-xs border-b").props(f'data-testid="no-truck-{card.id}"'):
                    ui.html(f'<div class="flex items-center gap-2">{badge_html(card)}{status_html(card.status)}'
                            f'<span class="text-caption">{time_range(card)}</span></div>')
                    ui.link(card.customer_name, f"/journeys/{card.id}").classes("text-body2")
                    if can_assign:
                        ui.button("Assign", icon="group_add", on_click=lambda c=card: open_assign_dialog(
                            self.principal, c.id, lambda _id: self.reload())).props("dense flat no-caps color=primary")


async def timeline_page(principal: Principal, location: int | None = None, day: str | None = None) -> None:
    await open_location_page(principal, "Timeline", location, day,
                             lambda locations, location_id, when: TimelinePage(principal, locations, location_id, when))


def register() -> None:
    guarded_page("/board/timeline", allow=Permission.USE_BOARD, title="Timeline · C&C CRM")(timeline_page)
