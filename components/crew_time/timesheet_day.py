"""One person's day on `/timesheets`: worked time (clocked and rounded), breaks, approval, and per
journey its clock events in the branch's time zone (24-hour) with their flags and a Correct button.
Durations read `7 h 45 min`; nothing shows an id, an enum name or an ISO timestamp."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from nicegui import ui

from components.journeys.words import day_words
from components.testid import tid
from domain.crew_time.timesheets import PersonDay, SheetEvent, SheetJourney

OnApprove = Callable[[PersonDay], Awaitable[None]]
OnCorrect = Callable[[PersonDay, SheetEvent], Awaitable[None]]


def duration(minutes: int) -> str:
    """`7 h 45 min`, `8 h`, `20 min`."""
    h, m = divmod(max(minutes, 0), 60)
    if h and m:
        return f"{h} h {m:02d} min"
    return f"{h} h" if h else f"{m} min"


def day_card(day: PersonDay, on_approve: OnApprove, on_correct: OnCorrect) -> None:
    marker = f"day-{day.user_id}-{day.work_date:%Y%m%d}"
    with tid(ui.card().classes("w-full q-pa-md gap-2").props("flat bordered"), marker):
        with ui.row().classes("w-full items-center justify-between"):
            with ui.column().classes("gap-0"):
                ui.label(f"{day.name} · {day_words(day.work_date)}").classes("text-subtitle1 text-weight-bold")
                ui.label(f"{day.location_name} · worked {duration(day.rounded_minutes)} "
                         f"(clocked {duration(day.worked_seconds // 60)}) · breaks "
                         f"{duration(day.break_seconds // 60)}").classes("text-body2")
            with ui.row().classes("items-center gap-3"):
                if day.flagged:
                    tid(ui.badge(f"{day.flagged} to check", color="deep-orange-10").classes("text-body2"),
                        f"{marker}-flagged")
                if day.approved_at is not None:
                    tid(ui.label(f"Approved by {day.approved_by} on {day_words(day.approved_at.date())} "
                                 f"{day.approved_at:%H:%M}").classes("text-body2 text-green-9"), f"{marker}-approved")
                else:
                    tid(ui.button("Approve", icon="task_alt", on_click=lambda: on_approve(day)).props(
                        "unelevated no-caps color=green-9"), f"{marker}-approve")
        for journey in day.journeys:
            _journey(day, journey, on_correct)


def _journey(day: PersonDay, journey: SheetJourney, on_correct: OnCorrect) -> None:
    title = journey.customer_name + (f" · #{journey.job_number}" if journey.job_number else "")
    with ui.column().classes("w-full gap-1 q-pl-md"):
        ui.label(f"{title} · {duration(journey.worked_seconds // 60)} worked, "
                 f"{duration(journey.break_seconds // 60)} breaks").classes("text-body1 text-weight-medium")
        for problem in journey.problems:
            ui.label(f"To check: {problem}").classes("text-body2 text-deep-orange-10")
        for event in journey.events:
            with ui.row().classes("items-center gap-3"):
                ui.label(f"{_clock(event.at)} {event.label}").classes("text-body2").style("min-width: 16rem")
                for flag in event.flags:
                    ui.label(flag).classes("text-body2 text-deep-orange-10")
                if event.correction:
                    ui.label(f"Corrected: {event.correction}").classes("text-body2 text-grey-8")
                tid(ui.button("Correct", icon="edit", on_click=lambda e=event: on_correct(day, e)).props(
                    "flat dense no-caps color=primary"), f"correct-{event.id}")


def _clock(at: datetime) -> str:
    return f"{at:%H:%M}"
