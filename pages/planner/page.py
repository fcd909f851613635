"""`/planner?view=day|week&day=YYYY-MM-DD&branches=1,2`: trucks and people × hours (a day) or days
(a week) across the chosen branches of the user's scope; drag a job onto a truck or a person onto
a job to assign, Enter on a job for the Assign dialog; suggested crews for a branch and a day.

The view, the day and the branches are the address: reload, Back and bookmarks keep them."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from nicegui import ui
from nicegui.events import GenericEventArguments

from components.admin.availability_dialog import open_availability
from components.board.assign_dialog import open_assign_dialog
from components.live import on_event
from components.nav import app_header
from components.planner.grid import STYLE, UNPLACED_STYLE, grid_html, unplaced_html
from components.planner.script import add_planner_script
from components.planner.suggestions import open_suggestions
from db.enums import CrewRole
from domain.access.rbac import Permission, Principal
from domain.board.assignment import CrewChoice, assign
from domain.errors import DomainError
from domain.events.bus import DomainEvent
from domain.events.touched import touched
from domain.planner.views import Planner, View, load_planner
from pages.access.session import guarded_page


def planner_address(view: View, day: date, branches: tuple[int, ...] | list[int]) -> str:
    return "/planner?" + urlencode({"view": view.value, "day": day.isoformat(),
                                    "branches": ",".join(str(b) for b in branches)})


def parse_state(view: str | None, day: str | None, branches: str | None) -> tuple[View, date | None, list[int]]:
    """The address's state; anything unreadable falls back to the defaults (day view, today, first branches)."""
    chosen_view = View.WEEK if view == View.WEEK.value else View.DAY
    try:
        chosen_day: date | None = date.fromisoformat(day) if day else None
    except ValueError:
        chosen_day = None
    ids = [int(part) for part in (branches or "").split(",") if part.strip().isdigit() and len(part.strip()) < 10]
    return chosen_view, chosen_day, ids


def crew_role_for(person_drives: bool, crew: tuple[tuple[int, CrewRole], ...]) -> CrewRole:
    """A driver dropped on a job without a driver drives it; anyone else moves."""
    has_driver = any(role is CrewRole.DRIVER for _user, role in crew)
    return CrewRole.DRIVER if person_drives and not has_driver else CrewRole.MOVER


class PlannerPage:
    def __init__(self, principal: Principal, planner: Planner) -> None:
        self.principal, self.planner = principal, planner
        self.busy = False
        ui.add_css(STYLE + UNPLACED_STYLE)
        add_planner_script()
        with ui.column().classes("w-full q-pa-md gap-3"):
            self._controls()
            self.message = ui.label("").classes("text-body2").props('aria-live="polite" data-testid="planner-message"')
            with ui.row().classes("w-full no-wrap items-start gap-4"):
                with ui.card().classes("flex-1 q-pa-none overflow-auto").props("flat bordered"):
                    self.grid = ui.html(self._grid_html(), sanitize=False).classes("w-full")
                with ui.card().classes("w-80 shrink-0 q-pa-none gap-0").props('flat bordered'):
                    self.side_title = ui.label("").classes("text-subtitle2 q-pa-sm")
                    self.side = ui.html(unplaced_html(planner), sanitize=False).classes(
                        "w-full max-h-[75vh] overflow-auto")
        self._title_side()
        ui.on("planner_drop", self.dropped)
        ui.on("planner_pick", self.picked)
        ui.on("planner_availability", self.availability)
        on_event(self._concerns, lambda _event: self.refresh(), principal=principal)

    def _grid_html(self) -> str:
        return grid_html(self.planner, editable=self.principal.can(Permission.MANAGE_AVAILABILITY))

    # --- controls ---------------------------------------------------------------------------------

    def _go(self, *, view: View | None = None, day: date | None = None, branches: list[int] | None = None) -> None:
        p = self.planner
        chosen = branches if branches is not None else p.chosen
        ui.navigate.to(planner_address(view or p.view, day or p.days[0], chosen))

    def _controls(self) -> None:
        p = self.planner
        step = timedelta(days=1 if p.view is View.DAY else 7)
        shown = p.days[0]
        with ui.row().classes("w-full items-center gap-2"):
            ui.label("Planner").classes("text-h5 q-mr-md").props('data-testid="page-title"')
            with ui.button_group().props("flat"):
                for view in View:
                    ui.button(view.value.capitalize(), on_click=lambda v=view: self._go(view=v)).props(
                        f'no-caps {"unelevated color=primary" if view is p.view else "outline color=primary"} '
                        f'data-testid="view-{view.value}" aria-pressed="{str(view is p.view).lower()}"').mark(
                        f"view-{view.value}")
            ui.button(icon="chevron_left", on_click=lambda: self._go(day=shown - step)).props(
                'outline color=primary aria-label="Earlier" data-testid="planner-earlier"').mark("planner-earlier")
            ui.button("Today", on_click=lambda: self._go(day=p.today)).props(
                'outline no-caps color=primary data-testid="planner-today"').mark("planner-today")
            ui.button(icon="chevron_right", on_click=lambda: self._go(day=shown + step)).props(
                'outline color=primary aria-label="Later" data-testid="planner-later"').mark("planner-later")
            ui.input(value=shown.isoformat(), on_change=lambda e: self._pick_day(e.value)).props(
                'outlined dense type=date aria-label="Day" data-testid="planner-day"').classes("w-40").mark(
                "planner-day")
            span = (f"{shown:%A} {shown.day} {shown:%B %Y}" if p.view is View.DAY else
                    f"Week of {shown:%a} {shown.day} {shown:%b} – {p.days[-1]:%a} {p.days[-1].day} {p.days[-1]:%b %Y}")
            ui.label(span).classes("text-grey-8").props('data-testid="planner-span"')
            ui.select({loc.id: loc.name for loc in p.locations}, value=list(p.chosen), multiple=True,
                      label="Branches", on_change=lambda e: self._go(branches=list(e.value or []))).props(
                'outlined dense use-chips options-dense data-testid="planner-branches"').classes(
                "min-w-[260px]").mark("planner-branches")
            ui.space()
            if self.principal.can(Permission.ASSIGN_CREW):
                ui.button("Suggest crews", icon="auto_fix_high", on_click=self._suggest).props(
                    'unelevated no-caps color=primary data-testid="planner-suggest"').mark("planner-suggest")

    def _pick_day(self, value: str | None) -> None:
        try:
            chosen = date.fromisoformat(value or "")
        except ValueError:
            return
        if chosen != self.planner.days[0]:
            self._go(day=chosen)

    def _title_side(self) -> None:
        count = len(self.planner.unplaced)
        self.side_title.set_text(f"Missing a truck or crew ({count})")

    # --- changes ----------------------------------------------------------------------------------

    def _concerns(self, event: DomainEvent) -> bool:
        return touched(event).any_day(self.planner.chosen, self.planner.days)

    async def refresh(self) -> None:
        p = self.planner
        try:
            self.planner = await load_planner(self.principal, p.view, p.days[0], list(p.chosen))
        except DomainError as exc:
            self.message.set_text(exc.message)
            return
        self.grid.set_content(self._grid_html())
        self.side.set_content(unplaced_html(self.planner))
        self._title_side()

    def _job(self, job_id: int) -> Any:
        return next((job for job in self.planner.jobs if job.id == job_id), None)

    async def dropped(self, event: GenericEventArguments) -> None:
        args = event.args if isinstance(event.args, dict) else {}
        job = self._job(int(args.get("job") or 0))
        target = str(args.get("target") or "")
        if job is None:
            return
        try:
            if args.get("truck"):
                truck = int(args["truck"])
                await assign(self.principal, job.id, truck_id=truck)
                said = f"{job.label}: truck {self._name('truck', truck)}"
            else:
                person = int(args.get("person") or 0)
                row = next((r for r in self.planner.people if r.id == person), None)
                role = crew_role_for(bool(row and row.drives), job.crew)
                await assign(self.principal, job.id, join=CrewChoice(person, role))
                said = f"{job.label}: {self._name('person', person)} added to the crew"
        except DomainError as exc:
            said = exc.message + (" Press Enter on the job to assign anyway with a reason."
                                  if exc.details.get("overridable") else "")
            self.message.set_text(f"Not assigned: {said}")
            ui.run_javascript(f"window.ccrmPlanner.refused({json.dumps(target)}, {json.dumps(said)})")
            return
        self.message.set_text(said)
        await self.refresh()

    def _name(self, kind: str, row_id: int) -> str:
        rows = self.planner.trucks if kind == "truck" else self.planner.people
        return next((r.name for r in rows if r.id == row_id), "")

    async def picked(self, event: GenericEventArguments) -> None:
        args = event.args if isinstance(event.args, dict) else {}
        job = self._job(int(args.get("job") or 0))
        if job is None:
            return
        if job.closed or not self.principal.can(Permission.ASSIGN_CREW):
            ui.navigate.to(f"/journeys/{job.id}")
            return
        async def saved(_journey_id: int) -> None:
            self.message.set_text(f"{job.customer} ({job.label}): crew and truck saved")
            await self.refresh()

        await open_assign_dialog(self.principal, job.id, saved)

    async def availability(self, event: GenericEventArguments) -> None:
        args = event.args if isinstance(event.args, dict) else {}
        if not self.principal.can(Permission.MANAGE_AVAILABILITY) or args.get("kind") not in ("person", "truck"):
            return
        key = "user_id" if args["kind"] == "person" else "truck_id"
        await open_availability(self.principal, on_changed=self.refresh, **{key: int(args.get("id") or 0)})

    async def _suggest(self) -> None:
        await open_suggestions(self.principal, self.planner, self.refresh)


async def planner_page(principal: Principal, view: str | None = None, day: str | None = None,
                       branches: str | None = None) -> None:
    app_header(principal)
    chosen_view, chosen_day, ids = parse_state(view, day, branches)
    planner = await load_planner(principal, chosen_view, chosen_day, ids)
    if not planner.chosen:
        ui.label("Planner").classes("text-h5 q-pa-md").props('data-testid="page-title"')
        ui.label("You have no branches yet: ask an admin to assign you to one.").classes("q-pa-md")
        return
    PlannerPage(principal, planner)


def register() -> None:
    guarded_page("/planner", allow=Permission.USE_PLANNER, title="Planner · C&C CRM")(planner_page)
