"""`/timesheets` (managers and admins, within their scope): each person per day and per journey,
approve a day, correct a clock event (a reason is required), the payroll CSV of a branch and
period, and the company's time rules (admins change them here)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from nicegui import ui

from components.crew_time.timesheet_day import day_card
from components.downloads import download_csv
from components.filters import day_of
from components.forms import attempt
from components.nav import app_header
from components.testid import tid
from domain.access.locations import visible_locations
from domain.access.rbac import Permission, Principal
from domain.crew_time.payroll import PayrollFile, export_payroll_csv
from domain.crew_time.review import approve_day, correct_event
from domain.crew_time.rules import TimeRules, save_time_rules, time_rules
from domain.crew_time.schemas import ROUNDINGS, week_start
from domain.crew_time.timesheets import PersonDay, SheetEvent, list_timesheets
from domain.errors import ValidationFailed
from domain.timewindow import today_in, zone
from pages.access.session import guarded_page


class TimesheetsScreen:
    def __init__(self, principal: Principal, branches: dict[int, str], timezone: str) -> None:
        self.principal = principal
        self.branches = branches
        monday = week_start(today_in(timezone))
        only = next(iter(branches)) if len(branches) == 1 else None  # else every branch, until one is chosen
        self.form: dict[str, Any] = {"branch": only, "date_from": monday.isoformat(),
                                     "date_to": (monday + timedelta(days=6)).isoformat()}
        self.days: list[PersonDay] = []
        self.rules = TimeRules()

    def period(self) -> tuple[date, date]:
        start, end = day_of(self.form["date_from"], "From"), day_of(self.form["date_to"], "To")
        if start is None or end is None:
            raise ValidationFailed("choose the first and the last day")
        return start, end

    async def load(self) -> None:
        async def read() -> None:
            start, end = self.period()
            branch = self.form["branch"]
            self.days = await list_timesheets(self.principal, start, end, location_ids=(branch,) if branch else ())
            self.rules = await time_rules(self.principal)

        if await attempt(read):
            self.render.refresh()

    async def approve(self, day: PersonDay) -> None:
        if await attempt(lambda: approve_day(self.principal, {"user_id": day.user_id, "work_date": day.work_date}),
                         f"{day.name}'s day approved"):
            await self.load()

    async def correct(self, day: PersonDay, event: SheetEvent) -> None:
        with ui.dialog() as dialog, tid(ui.card().classes("q-pa-md gap-3").style("min-width: 24rem"),
                                        "correction-dialog"):
            ui.label(f"Correct {event.label.lower()} of {day.name}").classes("text-h6")
            ui.label(f"Now {event.at:%H:%M}, {day.location_name} time").classes("text-body2")
            when = tid(ui.input("New time (24-hour)", value=f"{event.at:%H:%M}").props("outlined type=time"),
                       "correction-time")
            reason = tid(ui.textarea("Reason (required)").props("outlined maxlength=1000"), "correction-reason")
            error = tid(ui.label().classes("text-negative"), "correction-error")

            async def save() -> None:
                async def write() -> None:
                    try:
                        clock = time.fromisoformat(when.value or "")
                    except ValueError as exc:
                        raise ValidationFailed("the new time must be like 07:45") from exc
                    at = datetime.combine(event.at.date(), clock, zone(day.timezone))
                    await correct_event(self.principal, event.id, {"at": at, "reason": reason.value or ""})

                await self.submit(dialog, write, "Correction saved", error)

            _dialog_buttons(dialog, "Save correction", save, "correction-save")
        dialog.open()

    async def submit(self, dialog: ui.dialog, action: Callable[[], Awaitable[Any]], success: str,
                     error: ui.label) -> None:
        """Run a dialog's write; on success close it and show the period again, else say why in it."""
        if await attempt(action, success, error_label=error):
            dialog.close()
            await self.load()

    async def export(self) -> None:
        async def make() -> PayrollFile:
            start, end = self.period()
            if not self.form["branch"]:
                raise ValidationFailed("choose a branch for the payroll CSV")
            return await export_payroll_csv(self.principal, self.form["branch"], start, end)

        await download_csv(make)

    async def edit_rules(self) -> None:
        rules = self.rules
        with ui.dialog() as dialog, tid(ui.card().classes("q-pa-md gap-3").style("min-width: 26rem"), "rules-dialog"):
            ui.label("Time rules").classes("text-h6")
            distance = tid(ui.number("Flag beyond (metres from the branch)", value=rules.max_distance_m, min=10,
                                     step=50).props("outlined"), "rules-distance")
            daily = tid(ui.number("Daily overtime after (hours; empty: none)", value=_hours(
                rules.daily_overtime_after_minutes), min=1, max=24, step=0.5).props("outlined clearable"),
                        "rules-daily")
            weekly = tid(ui.number("Weekly overtime after (hours; empty: none)", value=_hours(
                rules.weekly_overtime_after_minutes), min=1, max=168, step=0.5).props("outlined clearable"),
                         "rules-weekly")
            rounding = tid(ui.select({r: "Not rounded" if r == 1 else f"Nearest {r} minutes" for r in ROUNDINGS},
                                     value=rules.rounding_minutes, label="Rounding of each day").props("outlined"),
                           "rules-rounding")
            error = ui.label().classes("text-negative")

            async def save() -> None:
                form = {"max_distance_m": _whole(distance.value), "rounding_minutes": rounding.value,
                        "daily_overtime_after_minutes": _minutes(daily.value),
                        "weekly_overtime_after_minutes": _minutes(weekly.value)}
                await self.submit(dialog, lambda: save_time_rules(self.principal, form), "Time rules saved", error)

            _dialog_buttons(dialog, "Save rules", save, "rules-save")
        dialog.open()

    def controls(self) -> None:
        with ui.row().classes("w-full items-end gap-3"):
            tid(ui.select(self.branches, label="Branch", clearable=True).bind_value(self.form, "branch").props(
                "outlined dense").classes("w-72"), "timesheets-branch")
            tid(ui.input("From").bind_value(self.form, "date_from").props("outlined dense type=date stack-label"),
                "timesheets-from")
            tid(ui.input("To").bind_value(self.form, "date_to").props("outlined dense type=date stack-label"),
                "timesheets-to")
            tid(ui.button("Show", icon="search", on_click=self.load).props("unelevated no-caps"), "timesheets-show")
            tid(ui.button("Download payroll CSV", icon="download", on_click=self.export).props("outline no-caps"),
                "timesheets-export")

    @ui.refreshable_method
    def render(self) -> None:
        with ui.row().classes("w-full items-center gap-3"):
            tid(ui.label(self.rules.words()).classes("text-body2 text-grey-8"), "timesheets-rules")
            if self.principal.can(Permission.MANAGE_COMPANY):
                tid(ui.button("Change rules", icon="tune", on_click=self.edit_rules).props("flat dense no-caps"),
                    "timesheets-change-rules")
        if not self.days:
            tid(ui.label("No clocked time in this period.").classes("text-body1 text-grey-8"), "timesheets-empty")
        for day in self.days:
            day_card(day, self.approve, self.correct)


def _dialog_buttons(dialog: ui.dialog, label: str, save: Callable[[], Awaitable[None]], marker: str) -> None:
    with ui.row().classes("w-full justify-end gap-2"):
        ui.button("Cancel", on_click=dialog.close).props("flat no-caps")
        tid(ui.button(label, on_click=save).props("unelevated no-caps"), marker)


def _hours(minutes: int | None) -> float | None:
    return None if minutes is None else minutes / 60


def _minutes(hours: float | None) -> int | None:
    return None if hours is None else round(hours * 60)


def _whole(value: float | None) -> int | None:
    return None if value is None else round(value)


async def timesheets_page(principal: Principal) -> None:
    app_header(principal)
    locations = await visible_locations(principal)
    branches = {o.id: o.name for o in locations}
    timezone = locations[0].timezone if locations else "America/Toronto"
    screen = TimesheetsScreen(principal, branches, timezone)
    with ui.column().classes("w-full max-w-screen-xl mx-auto p-4 gap-3"):
        tid(ui.label("Timesheets").classes("text-h5"), "page-title")
        screen.controls()
        screen.render()
    await screen.load()


def register() -> None:
    guarded_page("/timesheets", allow=Permission.MANAGE_TIMESHEETS, title="Timesheets · C&C CRM")(timesheets_page)
