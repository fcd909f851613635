"""`/board/timeline`: a location's trucks as rows, the day's hours as columns, journeys as
bars where they are scheduled; journeys without a truck in a side list, ready to assign."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
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
from domain.journeys.access import CLOSED_STATUSES
from domain.journeys.labels import zone_words
from pages.access.session import guarded_page

#: Local hours always shown, [FIRST_HOUR, LAST_HOUR); the axis widens to cover every journey.
FIRST_HOUR = 6
LAST_HOUR = 22
_LABEL_WIDTH = "w-36 shrink-0"


@dataclass(frozen=True, slots=True)
class Axis:
    """The timeline's hours, [first, last), local to the location."""

    first: int
    last: int

    @property
    def span(self) -> int:
        return self.last - self.first

    def fraction(self, value: datetime | None, default: float) -> float:
        if value is None:
            return default
        hours = value.hour + value.minute / 60 - self.first
        return min(max(hours / self.span, 0.0), 1.0)

    @property
    def grid_style(self) -> str:
        return ("background-image: repeating-linear-gradient(to right, #e0e0e0 0, #e0e0e0 1px, transparent 1px, "
                f"transparent calc(100% / {self.span}));")


def axis_for(cards: Iterable[JobCard], day: date) -> Axis:
    """From FIRST_HOUR (or the earliest start) to LAST_HOUR (or the latest end, rounded up; a
    journey running past midnight takes the axis to 24:00)."""
    first, last = FIRST_HOUR, LAST_HOUR
    for card in cards:
        if card.scheduled_start is not None and card.scheduled_start.date() == day:
            first = min(first, card.scheduled_start.hour)
        end = card.scheduled_end
        if end is not None:
            last = 24 if end.date() > day else max(last, end.hour + (1 if end.minute else 0))
    return Axis(first, last)


def _bar(card: JobCard, day: date, axis: Axis) -> None:
    left = axis.fraction(card.scheduled_start, 0.0)
    ends_later = card.scheduled_end is not None and card.scheduled_end.date() > day
    right = 1.0 if ends_later or card.scheduled_end is None else axis.fraction(card.scheduled_end, 1.0)
    width = max(right - left, 0.02)
    style = f"left: {left * 100:.2f}%; width: {width * 100:.2f}%; top: 4px; bottom: 4px;"
    with ui.link(target=f"/journeys/{card.id}").classes(
            f"absolute rounded q-px-xs no-underline text-white overflow-hidden bg-{STATUS_COLORS[card.status]}"
    ).style(style).props(f'data-testid="bar-{card.id}" title="{card.label} · {card.customer_name} · '
                         f'{time_range(card)}"').mark(f"bar-{card.id}"):
        ui.label(f"{card.label} · {card.customer_name}").classes("text-caption ellipsis")


def _row(row: TruckRow, day: date, axis: Axis) -> None:
    with ui.row().classes("w-full no-wrap items-stretch").props(f'data-testid="truck-row-{row.truck_id}"'):
        with ui.column().classes(f"{_LABEL_WIDTH} gap-0 q-py-xs"):
            ui.label(row.number).classes("text-weight-medium")
            ui.label(" · ".join(x for x in (row.size, row.lent and "lent") if x)).classes("text-caption text-grey-7")
        with ui.element("div").classes("relative flex-1 h-12 border-b").style(axis.grid_style):
            for card in row.cards:
                _bar(card, day, axis)


def _hour_header(axis: Axis, zone: str) -> None:
    """Hour labels; on narrower screens only every other (then every third) hour, so they never overlap."""
    with ui.row().classes("w-full no-wrap"):
        ui.label(zone).classes(f"{_LABEL_WIDTH} text-caption text-grey-7").props('data-testid="timeline-zone"')
        with ui.element("div").classes("relative flex-1 h-5"):
            for hour in range(axis.first, axis.last + 1):
                offset = hour - axis.first
                shown = "" if offset % 3 == 0 else ("hidden md:block" if offset % 2 == 0 else "hidden xl:block")
                ui.label(f"{hour:02d}:00").classes(f"absolute text-caption text-grey-7 {shown}").style(
                    f"left: {offset / axis.span * 100:.2f}%; transform: translateX(-50%)").mark("hour-label")


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
            self.body = ui.element("div").classes("w-full flex flex-col lg:flex-row items-start gap-4")

    async def load(self) -> Timeline:
        return await load_timeline(self.principal, self.location_id, self.day)

    async def show(self, timeline: Timeline) -> None:
        self.body.clear()
        with self.body:
            self._grid(timeline)
            self._unassigned(timeline)

    def _grid(self, timeline: Timeline) -> None:
        axis = axis_for((c for row in timeline.rows for c in row.cards), timeline.day)
        with ui.card().classes("w-full lg:flex-1 q-pa-sm q-px-lg gap-0 overflow-auto").props(
                'flat bordered data-testid="timeline"'):
            _hour_header(axis, zone_words(timeline.location.timezone))
            for row in timeline.rows:
                _row(row, timeline.day, axis)
            if not timeline.rows:
                ui.label("This location has no active trucks.").classes("text-grey-7 q-pa-sm")

    def _unassigned(self, timeline: Timeline) -> None:
        can_assign = self.principal.can(Permission.ASSIGN_CREW)
        with ui.card().classes("w-full lg:w-80 shrink-0 q-pa-sm gap-2").props(
                'flat bordered data-testid="no-truck-list"'):
            ui.label(f"Without a truck ({len(timeline.unassigned)})").classes("text-subtitle2")
            for card in timeline.unassigned:
                entry = ui.column().classes("w-full gap-1 q-pa-xs border-b")
                with entry.props(f'data-testid="no-truck-{card.id}"').mark(f"no-truck-{card.id}"):
                    ui.html(f'<div class="flex items-center gap-2">{badge_html(card)}'
                            f'{status_html(card.status, card.current_phase)}'
                            f'<span class="text-caption">{time_range(card)}</span></div>')
                    ui.link(card.customer_name, f"/journeys/{card.id}").classes("text-body2")
                    if can_assign and card.status not in CLOSED_STATUSES:
                        ui.button("Assign", icon="group_add", on_click=lambda c=card: open_assign_dialog(
                            self.principal, c.id, lambda _id: self.reload())).props("dense flat no-caps color=primary")


async def timeline_page(principal: Principal, location: int | None = None, day: str | None = None) -> None:
    await open_location_page(principal, "Timeline", location, day,
                             lambda locations, location_id, when: TimelinePage(principal, locations, location_id, when))


def register() -> None:
    guarded_page("/board/timeline", allow=Permission.USE_BOARD, title="Timeline · C&C CRM")(timeline_page)
