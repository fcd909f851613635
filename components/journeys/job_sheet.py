"""The job sheet on a page: arrival window, each stop with its access notes, materials, volume
and weight — plain words, the branch's 24-hour time (`domain.journeys.job_sheet` writes them).
Used by the crew's phone page and the desk journey page; it has no money to show."""

from __future__ import annotations

from nicegui import ui

from components.testid import tid
from domain.journeys.job_sheet import JobSheet, StopSheet


def _line(icon: str, text: str | None, testid: str) -> None:
    if not text:
        return
    with ui.row().classes("w-full items-start no-wrap gap-2"):
        ui.icon(icon, size="20px", color="grey-7")
        tid(ui.label(text).classes("text-body1"), testid)


def _stop(stop: StopSheet, n: int) -> None:
    with tid(ui.column().classes("w-full gap-1 q-py-xs").style("border-top: 1px solid #e0e0e0"), f"stop-{n}"):
        ui.label(stop.label).classes("text-caption text-grey-7 text-uppercase")
        if stop.address:
            ui.label(stop.address).classes("text-body1 text-weight-medium")
        _line("apartment", stop.place, f"stop-{n}-place")
        _line("stairs", stop.stairs, f"stop-{n}-stairs")
        _line("elevator", stop.elevator, f"stop-{n}-elevator")
        _line("local_parking", stop.parking, f"stop-{n}-parking")
        _line("sticky_note_2", stop.notes, f"stop-{n}-notes")


def job_sheet_card(sheet: JobSheet) -> None:
    """A bordered card; nothing at all when SmartMoving gave no details."""
    if sheet.empty:
        return
    with tid(ui.card().classes("w-full q-pa-md gap-2").props("flat bordered"), "site-details"):
        ui.label("On site").classes("text-subtitle1 text-weight-bold")
        if sheet.starts_in_window:
            with tid(ui.row().classes("w-full items-center no-wrap gap-2 bg-amber-1 q-pa-sm rounded-borders"),
                     "arrival-window"):
                ui.icon("schedule", size="20px", color="amber-10")
                ui.label(f"{sheet.timing} — no fixed start: arrive within the window").classes("text-body1")
        else:
            _line("schedule", sheet.timing, "timing")
        for n, stop in enumerate(sheet.stops, 1):
            _stop(stop, n)
        if sheet.materials:
            ui.label("Materials").classes("text-caption text-grey-7 text-uppercase q-mt-xs")
            for n, material in enumerate(sheet.materials, 1):
                _line("inventory_2", material, f"material-{n}")
        _line("view_in_ar", " · ".join(x for x in (sheet.volume, sheet.weight) if x) or None, "volume")
        _line("chair", sheet.inventory, "inventory")
