"""Crew time on the crew's journey page: the next clock event as one big button (one tap clocks
the whole crew when the viewer drives or leads it; movers clock themselves), the other events
possible now as smaller buttons, and the day's events of the crew in words, in the branch's time
zone, 24-hour. Every button is at least 48 px high; colours keep AA contrast in sunlight (white on
blue-9 and green-9, blue-9 and green-9 on white: 5:1 and more; Quasar's default primary and
positive do not reach 4.5:1).

The panel reads and writes through `domain/crew_time`; the page gives it `locate`, which asks the
phone for its position (None when refused or unavailable: the event is recorded without one).
Each tap carries a fresh client key, so a tap delivered twice is written once."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import context, ui

from components.live import on_event
from components.testid import tid
from db.enums import ClockKind
from domain.access.rbac import Principal
from domain.crew_time.board import ClockBoard, journey_clock
from domain.crew_time.clock import clock
from domain.crew_time.kinds import ACTIONS
from domain.errors import DomainError
from domain.events.bus import DomainEvent, EventType

Locate = Callable[[], Awaitable[dict[str, Any] | None]]

BIG = "min-height: 64px"
SMALL = "min-height: 48px"


class ClockPanel:
    def __init__(self, principal: Principal, journey_id: int, locate: Locate) -> None:
        self.principal = principal
        self.journey_id = journey_id
        self.locate = locate
        self.whole_crew = True
        self.busy = False
        self.board: ClockBoard | None = None
        self.client = context.client

    async def load(self) -> None:
        """Read the clock, and follow it live (another crew member's tap, the office's corrections)."""
        self.board = await journey_clock(self.principal, self.journey_id)
        on_event(self._concerns, self._changed)

    def _concerns(self, event: DomainEvent) -> bool:
        return event.type is EventType.CLOCKED and event.journey_id == self.journey_id

    async def _changed(self, _event: DomainEvent) -> None:
        board = await journey_clock(self.principal, self.journey_id)
        if board != self.board:
            self.board = board
            self.render.refresh()

    async def tap(self, kind: ClockKind) -> None:
        if self.busy:  # a double tap clocks once
            return
        self.busy = True
        try:
            found = await self.locate()
            position = found and {"lat": found["lat"], "lng": found["lng"], "accuracy_m": found.get("accuracy")}
            tap = {"kind": kind, "whole_crew": bool(self.board and self.board.leads and self.whole_crew),
                   "client_key": uuid.uuid4().hex, "position": position}
            result = await clock(self.principal, self.journey_id, tap)
        except DomainError as exc:
            self._notify(exc.message, "negative")
        else:
            names = ", ".join(p.name for p in result.clocked)
            self._notify(f"{ACTIONS[kind]}: {names}" + ("" if position else " (no position)"), "positive")
            for person in result.skipped:
                self._notify(f"{person.name} not clocked: {person.reason}", "warning")
        finally:
            self.busy = False
        self.board = await journey_clock(self.principal, self.journey_id)
        self.render.refresh()

    def _notify(self, message: str, kind: str) -> None:
        colour = {"positive": "green-9"}.get(kind)
        with self.client:
            ui.notify(message, type=kind, position="top", multi_line=True, color=colour)  # type: ignore[arg-type]

    @ui.refreshable_method
    def render(self) -> None:
        board = self.board
        if board is None:
            return
        with tid(ui.card().classes("w-full q-pa-md gap-2").props("flat bordered"), "clock-panel"):
            ui.label("Crew time").classes("text-h6")
            self._buttons(board)
            self._lines(board)

    def _buttons(self, board: ClockBoard) -> None:
        if board.cancelled:
            tid(ui.label("This journey was cancelled: nothing to clock on it.").classes("text-body1 text-grey-8"),
                "clock-state")
            return
        if board.my_role is None:
            tid(ui.label("Only the crew of this journey clocks on it.").classes("text-body1 text-grey-8"),
                "clock-state")
            return
        if board.approved:
            tid(ui.label("Your day is approved. Ask the office for any correction.").classes(
                "text-body1 text-grey-8"), "clock-state")
            return
        if board.next_kind is None:
            tid(ui.label("Your day is ended.").classes("text-body1 text-green-9"), "clock-state")
            return
        if board.leads:
            tid(ui.switch("Clock the whole crew", value=self.whole_crew).bind_value(self, "whole_crew").props(
                "size=lg color=blue-9").classes("text-body1").style(SMALL), "clock-whole-crew")
        kind = board.next_kind
        tid(ui.button(ACTIONS[kind], icon="schedule", on_click=lambda: self.tap(kind)).props(
            "unelevated no-caps size=xl color=blue-9").classes("w-full").style(BIG), "clock-next")
        if board.other_kinds:
            with ui.row().classes("w-full gap-2"):
                for other in board.other_kinds:
                    tid(ui.button(ACTIONS[other], on_click=lambda k=other: self.tap(k)).props(
                        "outline no-caps color=blue-9").classes("col-grow").style(SMALL), f"clock-{other.value}")

    @staticmethod
    def _lines(board: ClockBoard) -> None:
        if not board.lines:
            tid(ui.label("Nothing clocked yet today.").classes("text-body2 text-grey-8"), "clock-none")
            return
        with tid(ui.column().classes("w-full gap-1"), "clock-lines"):
            for line in board.lines:
                notes = [n for n, on in (("no position", not line.has_position),
                                         ("corrected by the office", line.corrected)) if on]
                text = f"{line.at:%H:%M} · {line.label} · {line.name}" + (f" ({', '.join(notes)})" if notes else "")
                ui.label(text).classes("text-body1")


async def clock_panel(principal: Principal, journey_id: int, locate: Locate) -> ClockPanel:
    """A loaded panel; the page calls its `render()` where the panel goes."""
    panel = ClockPanel(principal, journey_id, locate)
    await panel.load()
    return panel
