"""The Availability dialog of one person or truck: the periods off (time off, out of service), each
with its reason and a Remove button; a form to add one (first and last day, optionally only some
days of the week, a reason); for people, their skills and licences. Opened from the Users and
Trucks tables and from the planner's row names (roles with MANAGE_AVAILABILITY)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui

from components.forms import attempt
from domain.access.rbac import Principal
from domain.availability.edit import add_period, remove_period, resource_availability, set_skills
from domain.availability.periods import WEEKDAY_NAMES
from domain.availability.skills import SKILLS
from domain.errors import DomainError

Changed = Callable[[], Awaitable[None]]


class AvailabilityDialog:
    def __init__(self, principal: Principal, *, user_id: int | None, truck_id: int | None,
                 on_changed: Changed | None) -> None:
        self.principal, self.user_id, self.truck_id, self.on_changed = principal, user_id, truck_id, on_changed
        self.form: dict[str, Any] = {"starts_on": "", "ends_on": "", "weekdays": [], "reason": ""}
        self.dialog = ui.dialog()
        with self.dialog, ui.card().classes("w-[640px] max-w-full q-pa-md gap-3").props(
                'data-testid="availability-dialog"'):
            self.title = ui.label("Availability").classes("text-h6")
            self.periods = ui.column().classes("w-full gap-1").props('data-testid="availability-periods"')
            ui.label("Add a period off" if user_id else "Add an out-of-service period").classes("text-subtitle2")
            with ui.row().classes("w-full gap-2 items-start"):
                ui.input("First day").bind_value(self.form, "starts_on").props(
                    'outlined dense type=date stack-label data-testid="period-starts"').mark("period-starts")
                ui.input("Last day").bind_value(self.form, "ends_on").props(
                    'outlined dense type=date stack-label data-testid="period-ends"').mark("period-ends")
                ui.select({i: name for i, name in enumerate(WEEKDAY_NAMES)}, label="Only on (optional)",
                          multiple=True).bind_value(self.form, "weekdays").props(
                    'outlined dense use-chips data-testid="period-weekdays"').classes("min-w-[200px]").mark(
                    "period-weekdays")
            ui.input("Reason").bind_value(self.form, "reason").props(
                'outlined dense maxlength=200 data-testid="period-reason"').classes("w-full").mark("period-reason")
            self.error = ui.label("").classes("text-negative").props('role=alert data-testid="availability-error"')
            ui.button("Add period", icon="event_busy", on_click=self.add).props(
                'unelevated no-caps color=primary data-testid="period-add"').mark("period-add")
            if user_id is not None:
                ui.separator()
                self.skills = ui.select(dict(SKILLS), label="Skills and licences", multiple=True).props(
                    'outlined dense use-chips data-testid="skills"').classes("w-full").mark("skills")
                ui.button("Save skills", icon="badge", on_click=self.save_skills).props(
                    'outline no-caps color=primary data-testid="skills-save"').mark("skills-save")
            with ui.row().classes("w-full justify-end"):
                ui.button("Close", on_click=self.dialog.close).props("flat no-caps")

    async def load(self, *, skills: bool = True) -> bool:
        """(Re)read the periods; `skills`: also put the stored skills in the picker (not after
        adding or removing a period, which would drop a choice not yet saved)."""
        try:
            found = await resource_availability(self.principal, user_id=self.user_id, truck_id=self.truck_id)
        except DomainError as exc:
            ui.notify(exc.message, type="negative")
            return False
        self.title.set_text(f"Availability · {found.name}")
        self.periods.clear()
        with self.periods:
            if not found.periods:
                ui.label("No periods off.").classes("text-grey-8")
            for period in found.periods:
                with ui.row().classes("w-full items-center justify-between no-wrap").props(
                        f'data-testid="period-{period.id}"'):
                    ui.label(period.describe())
                    ui.button("Remove", on_click=lambda p=period.id: self.remove(p)).props(
                        f'flat dense no-caps color=negative data-testid="period-remove-{period.id}"')
        if skills and self.user_id is not None:
            self.skills.set_value(sorted(found.skills))
        return True

    async def _changed(self) -> None:
        await self.load(skills=False)
        if self.on_changed is not None:
            await self.on_changed()

    async def add(self) -> None:
        self.error.set_text("")
        data = {"user_id": self.user_id, "truck_id": self.truck_id, "starts_on": self.form["starts_on"] or None,
                "ends_on": self.form["ends_on"] or self.form["starts_on"] or None,
                "weekdays": self.form["weekdays"] or [], "reason": self.form["reason"]}
        if await attempt(lambda: add_period(self.principal, data), "Period recorded", self.error):
            self.form.update(reason="", weekdays=[])
            await self._changed()

    async def remove(self, period_id: int) -> None:
        if await attempt(lambda: remove_period(self.principal, period_id), "Period removed"):
            await self._changed()

    async def save_skills(self) -> None:
        chosen = list(self.skills.value or [])
        if await attempt(lambda: set_skills(self.principal, self.user_id or 0, {"skills": chosen}), "Skills saved",
                         self.error):
            await self._changed()


async def open_availability(principal: Principal, *, user_id: int | None = None, truck_id: int | None = None,
                            on_changed: Changed | None = None) -> None:
    dialog = AvailabilityDialog(principal, user_id=user_id, truck_id=truck_id, on_changed=on_changed)
    if await dialog.load():
        dialog.dialog.open()
