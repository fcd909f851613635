"""The Suggested crews dialog: pick a branch (and the planner's day), see what the solver proposes
for every job missing a truck or a crew, tick the proposals to keep, accept. Each accepted proposal
is an ordinary assignment: one refused meanwhile (someone booked, someone off) says so, the others stand."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

from nicegui import ui

from domain.access.rbac import Principal
from domain.board.assignment import UNCHANGED, assign
from domain.errors import DomainError
from domain.planner.suggest import Proposal, Suggestions, suggest_crews
from domain.planner.views import Planner

Refresh = Callable[[], Awaitable[None]]


class SuggestionsDialog:
    def __init__(self, principal: Principal, planner: Planner, refresh: Refresh) -> None:
        self.principal, self.refresh = principal, refresh
        self.day: date = planner.days[0] if len(planner.days) == 1 else max(planner.today, planner.days[0])
        if self.day not in planner.days:
            self.day = planner.days[0]
        self.branches = {loc.id: loc.name for loc in planner.locations if loc.id in planner.chosen}
        self.days = {d.isoformat(): f"{d:%a} {d.day} {d:%b}" for d in planner.days}
        self.location_id = next(iter(self.branches))
        self.picked: dict[int, bool] = {}
        self.found: Suggestions | None = None
        self.dialog = ui.dialog().props('data-testid="suggest-dialog"')
        with self.dialog, ui.card().classes("w-[720px] max-w-full q-pa-md gap-3"):
            ui.label("Suggested crews").classes("text-h6")
            with ui.row().classes("w-full items-center gap-2"):
                ui.select(self.branches, value=self.location_id, label="Branch",
                          on_change=lambda e: self._choose(location_id=e.value)).props(
                    'outlined dense data-testid="suggest-branch"').classes("min-w-[220px]").mark("suggest-branch")
                ui.select(self.days, value=self.day.isoformat(), label="Day",
                          on_change=lambda e: self._choose(day=date.fromisoformat(e.value))).props(
                    'outlined dense data-testid="suggest-day"').classes("w-44").mark("suggest-day")
            self.body = ui.column().classes("w-full gap-1 max-h-[60vh] overflow-auto").props(
                'data-testid="suggest-list"')
            self.result = ui.label("").props('role=status data-testid="suggest-result"')
            with ui.row().classes("w-full justify-end gap-2"):
                ui.button("Close", on_click=self.dialog.close).props("flat no-caps")
                self.accept_button = ui.button("Accept selected", icon="done_all", on_click=self.accept).props(
                    'unelevated no-caps color=primary data-testid="suggest-accept"').mark("suggest-accept")

    async def _choose(self, *, location_id: int | None = None, day: date | None = None) -> None:
        self.location_id = location_id or self.location_id
        self.day = day or self.day
        await self.load()

    async def load(self) -> None:
        self.body.clear()
        self.result.set_text("")
        with self.body:
            ui.spinner().props('aria-label="Working out crews"')
        try:
            self.found = await suggest_crews(self.principal, self.location_id, self.day)
        except DomainError as exc:
            self.body.clear()
            self.result.set_text(exc.message)
            return
        self.picked = {p.job_id: True for p in self.found.proposals}
        self._show(self.found)

    def _show(self, found: Suggestions) -> None:
        self.body.clear()
        with self.body:
            if not found.proposals and not found.left_out:
                ui.label("Every job of this day already has a truck and a crew.").props('data-testid="suggest-none"')
            for proposal in found.proposals:
                self._proposal(proposal)
            for job, why in found.left_out:
                ui.label(f"{job}: {why}").classes("text-caption text-deep-orange-10")
        self.accept_button.set_enabled(bool(found.proposals))

    def _proposal(self, proposal: Proposal) -> None:
        with ui.row().classes("w-full items-start no-wrap gap-2 border-b q-py-xs").props(
                f'data-testid="suggest-{proposal.job_id}"'):
            ui.checkbox(value=True, on_change=lambda e, j=proposal.job_id: self.picked.__setitem__(j, e.value)).props(
                f'aria-label="Keep the proposal for {proposal.job_label}"').mark(f"suggest-pick-{proposal.job_id}")
            with ui.column().classes("gap-0"):
                ui.label(f"{proposal.job_label} · {proposal.customer} · {proposal.time_label}").classes(
                    "text-weight-medium")
                ui.label(proposal.summary).classes("text-body2")

    async def accept(self) -> None:
        if self.found is None:
            return
        done, refused = 0, []
        for proposal in self.found.proposals:
            if not self.picked.get(proposal.job_id):
                continue
            try:
                await assign(self.principal, proposal.job_id,
                             truck_id=proposal.truck_id if proposal.truck_id else UNCHANGED,
                             crew=list(proposal.crew) if proposal.crew else None)
                done += 1
            except DomainError as exc:
                refused.append(f"{proposal.job_label}: {exc.message}")
        said = f"{done} accepted." + (f" Not assigned — {'; '.join(refused)}" if refused else "")
        self.result.set_text(said)
        ui.notify(said, type="positive" if not refused else "warning")
        await self.refresh()
        await self.load()
        self.result.set_text(said)


async def open_suggestions(principal: Principal, planner: Planner, refresh: Refresh) -> None:
    dialog = SuggestionsDialog(principal, planner, refresh)
    dialog.dialog.open()
    await dialog.load()
