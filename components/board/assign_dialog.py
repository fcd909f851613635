"""The Assign dialog: pick a truck and a crew among what the journey's location may use.

Resources already booked in the journey's window are shown disabled with the journey holding
them, before anything is saved; the server checks again on save (another dispatcher may have been
quicker) and its refusal is shown in the dialog."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from html import escape

from nicegui import ui

from components.board.job_card import humanize
from db.enums import CrewRole
from domain.access.rbac import Principal
from domain.board.assignment import CrewChoice, assign, job_roles_for
from domain.board.availability import Availability, ResourceOption, availability
from domain.errors import DomainError

SavedHandler = Callable[[int], Awaitable[None] | None]


@dataclass
class _Choice:
    truck_id: int | None
    #: The job role shown for every person (chosen or not), and who is chosen.
    roles: dict[int, CrewRole] = field(default_factory=dict)
    chosen: set[int] = field(default_factory=set)


def _default_role(person: ResourceOption) -> CrewRole:
    return job_roles_for(person.detail)[0]


def _role_options(person: ResourceOption) -> dict[str, str]:
    return {r.value: humanize(r.value) for r in job_roles_for(person.detail)}


def _conflict_caption(option: ResourceOption) -> None:
    """Free, off (with the reason) or booked (with the journey holding it)."""
    if option.conflict:
        ui.label(f"Booked: {option.conflict}").classes("text-caption text-negative").props(
            f'data-testid="conflict-{option.id}"')
    elif option.off:
        ui.label(f"Off: {option.off}").classes("text-caption text-deep-orange-10").props(
            f'data-testid="off-{option.id}"')
    else:
        ui.label("Free").classes("text-caption text-green-10").props(f'data-testid="free-{option.id}"')


def _blocked(option: ResourceOption, may_override: bool) -> bool:
    """Not offered: booked, or off for those who may not override."""
    return not option.assigned and (not option.available or (option.off is not None and not may_override))


class AssignDialog:
    def __init__(self, principal: Principal, offered: Availability, on_saved: SavedHandler | None) -> None:
        self.principal, self.offered, self.on_saved = principal, offered, on_saved
        self.choice = _Choice(
            offered.truck_id,
            {p.id: CrewRole(offered.crew_roles[p.id]) if p.id in offered.crew_roles else _default_role(p)
             for p in offered.crew},
            set(offered.crew_roles) & {p.id for p in offered.crew},
        )
        dropped = len(offered.crew_roles) - len(self.choice.chosen)
        self.dialog = ui.dialog().props('data-testid="assign-dialog"')
        # The lists scroll, not the card: Save and Cancel stay on screen (and axe can see them).
        with self.dialog, ui.card().classes("w-[760px] max-w-full q-pa-md gap-3"):
            with ui.row().classes("w-full items-baseline justify-between"):
                ui.label(f"Assign crew · {offered.title}").classes("text-h6")
                ui.label(offered.window).classes("text-grey-7")
            with ui.row().classes("w-full no-wrap gap-4 items-start"):
                with ui.column().classes("flex-1 gap-1"):
                    ui.label("Truck").classes("text-subtitle2")
                    self.trucks = ui.list().props("bordered separator dense").classes(
                        "w-full rounded-borders max-h-[45vh] overflow-auto")
                    self._fill_trucks()
                with ui.column().classes("flex-1 gap-1"):
                    ui.label("Crew").classes("text-subtitle2")
                    with ui.list().props("bordered separator dense").classes(
                            "w-full rounded-borders max-h-[45vh] overflow-auto"):
                        for person in offered.crew:
                            self._crew_row(person)
                        if not offered.crew:
                            ui.item("No drivers or movers work at this location").classes("text-grey-7")
            if dropped:
                ui.label(f"{dropped} current crew member(s) no longer work here and will be removed on save.") \
                    .classes("text-caption text-deep-orange-10")
            self.error = ui.label("").classes("text-negative").props('role=alert data-testid="assign-error"')
            with ui.row().classes("w-full items-center gap-2") as self.override_row:
                self.override = ui.input("Reason to assign anyway").props(
                    'outlined dense maxlength=200 data-testid="override-reason"').classes("flex-1").mark(
                    "override-reason")
            self.override_row.set_visibility(False)
            with ui.row().classes("w-full justify-end gap-2"):
                ui.button("Cancel", on_click=self.dialog.close).props("flat no-caps")
                ui.button("Save", icon="save", on_click=self.save).props(
                    'unelevated no-caps color=primary data-testid="assign-save"').mark("assign-save")

    def _fill_trucks(self) -> None:
        self.trucks.clear()
        with self.trucks:
            self._truck_item(None, "No truck", "", None)
            for truck in self.offered.trucks:
                detail = " · ".join(x for x in (truck.detail, truck.lent and "lent") if x)
                self._truck_item(truck.id, truck.label, detail, truck)

    def _truck_item(self, truck_id: int | None, label: str, detail: str, option: ResourceOption | None) -> None:
        selected = self.choice.truck_id == truck_id
        item = ui.item(on_click=lambda: self._pick_truck(truck_id)).props(
            f'data-testid="truck-{truck_id or "none"}"').mark(f"truck-{truck_id or 'none'}")
        if selected:
            item.props("active active-class=bg-blue-1")
        if option is not None and _blocked(option, self.offered.may_override):
            item.disable()
        with item:
            with ui.item_section().props("avatar"):
                ui.icon("radio_button_checked" if selected else "radio_button_unchecked",
                        color="primary" if selected else "grey-6")
            with ui.item_section():
                ui.item_label(label)
                if detail:
                    ui.item_label(detail).props("caption").classes("text-grey-9")
                if option is not None:
                    _conflict_caption(option)

    def _pick_truck(self, truck_id: int | None) -> None:
        self.choice.truck_id = truck_id
        self._fill_trucks()

    def _crew_row(self, person: ResourceOption) -> None:
        chosen = person.id in self.choice.chosen
        with ui.item().props(f'data-testid="crew-{person.id}"'):
            with ui.item_section().props("side"):
                box = ui.checkbox(value=chosen, on_change=lambda e: self._toggle(person, e.value)).mark(
                    f"crew-{person.id}").props(f'aria-label="{escape(person.label)}"')
                if _blocked(person, self.offered.may_override) and not chosen:
                    box.disable()
            with ui.item_section():
                ui.item_label(person.label + (" (lent)" if person.lent else ""))
                ui.item_label(humanize(person.detail)).props("caption").classes("text-grey-9")
                _conflict_caption(person)
            with ui.item_section().props("side"):
                ui.select(_role_options(person), value=self.choice.roles[person.id].value,
                          on_change=lambda e: self._set_role(person, e.value)).props(
                    f'dense borderless options-dense data-testid="crew-role-{person.id}" '
                    f'aria-label="Role of {escape(person.label)}"').mark(
                    f"crew-role-{person.id}").classes("w-28")

    def _toggle(self, person: ResourceOption, on: bool) -> None:
        if on:
            self.choice.chosen.add(person.id)
        else:
            self.choice.chosen.discard(person.id)

    def _set_role(self, person: ResourceOption, role: str) -> None:
        self.choice.roles[person.id] = CrewRole(role)

    async def save(self) -> None:
        self.error.set_text("")
        crew = [CrewChoice(user_id, self.choice.roles[user_id]) for user_id in sorted(self.choice.chosen)]
        reason = (self.override.value or "").strip() if self.override_row.visible else None
        try:
            await assign(self.principal, self.offered.journey_id, truck_id=self.choice.truck_id, crew=crew,
                         override_reason=reason or None)
        except DomainError as exc:
            overridable = bool(exc.details.get("overridable"))
            self.error.set_text(exc.message + (" Give a reason below to assign anyway." if overridable else ""))
            self.override_row.set_visibility(overridable or self.override_row.visible)
            return
        self.dialog.close()
        ui.notify(f"Crew and truck saved for {self.offered.title}", type="positive")
        if self.on_saved is not None:
            result = self.on_saved(self.offered.journey_id)
            if result is not None:
                await result


async def open_assign_dialog(principal: Principal, journey_id: int, on_saved: SavedHandler | None = None) -> None:
    try:
        offered = await availability(principal, journey_id)
    except DomainError as exc:
        ui.notify(exc.message, type="negative")
        return
    AssignDialog(principal, offered, on_saved).dialog.open()
