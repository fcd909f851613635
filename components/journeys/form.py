"""The journey form dialog: a new manual journey, or the edit of an existing one.

A SmartMoving journey's customer, addresses, date and value are shown read-only (SmartMoving
owns them); the domain refuses them anyway. Every rule is the domain's: its message is shown."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from nicegui import ui

from components.forms import clear_on_change
from domain.access.locations import LocationOption
from domain.access.rbac import Permission, Principal
from domain.board.cards import JobCard
from domain.errors import DomainError, ValidationFailed
from domain.journeys.edit import JourneyDraft, create_journey, update_journey
from domain.journeys.schemas import (
    MAX_ADDRESS,
    MAX_CATALOGUE_LABEL,
    MAX_CUSTOMER_NAME,
    MAX_EMAIL,
    MAX_NOTES,
    MAX_PHONE,
)

SavedHandler = Callable[[int], Awaitable[None] | None]

SERVICE_TYPES = ["Moving", "Packing", "Moving and Packing", "Load Only", "Unload Only", "Commercial"]
MOVE_SIZES = ["Studio", "1 Bedroom", "2 Bedroom", "3 Bedroom", "4+ Bedroom", "Office", "Storage Unit"]
#: Form field → (label, max length); the customer-facing ones SmartMoving owns on its journeys.
_TEXT_FIELDS: dict[str, tuple[str, int]] = {
    "customer_name": ("Customer name *", MAX_CUSTOMER_NAME),
    "customer_phone": ("Phone", MAX_PHONE),
    "customer_email": ("Email", MAX_EMAIL),
    "origin_address": ("Pickup address", MAX_ADDRESS),
    "destination_address": ("Delivery address", MAX_ADDRESS),
    "service_type": ("Service type", MAX_CATALOGUE_LABEL),
    "move_size": ("Move size", MAX_CATALOGUE_LABEL),
}
#: Times typed as 24-hour HH:MM whatever the browser's locale (a `type=time` input follows it: 12-hour in en-US).
TIME_PROPS = 'outlined dense mask="##:##" placeholder="HH:MM" inputmode=numeric'
_SUGGESTIONS = {"service_type": SERVICE_TYPES, "move_size": MOVE_SIZES}


def _parse_day(text: str | None) -> date:
    try:
        return date.fromisoformat(text or "")
    except ValueError as exc:
        raise ValidationFailed("choose the journey date") from exc


def _parse_time(day: date, text: str | None, label: str) -> datetime | None:
    """A naive wall-clock datetime (the domain gives it the location's timezone)."""
    if not text:
        return None
    try:
        return datetime.combine(day, time.fromisoformat(text))
    except ValueError as exc:
        raise ValidationFailed(f"{label} must be a time like 09:30") from exc


class JourneyForm:
    def __init__(self, principal: Principal, locations: list[LocationOption], location_id: int, day: date,
                 card: JobCard | None, on_saved: SavedHandler | None) -> None:
        self.principal, self.card, self.on_saved = principal, card, on_saved
        owned_elsewhere = card is not None and card.is_smartmoving
        self.inputs: dict[str, Any] = {}
        self.dialog = ui.dialog().props('data-testid="journey-form"')
        with self.dialog, ui.card().classes("w-[640px] max-w-full q-pa-md gap-2"):
            ui.label(f"Edit journey {card.label}" if card else "New journey").classes("text-h6")
            if owned_elsewhere:
                ui.label("Customer, addresses, date and value come from SmartMoving and are changed there.") \
                    .classes("text-caption text-grey-7")
            with ui.row().classes("w-full no-wrap gap-2"):
                self.location = ui.select({loc.id: loc.name for loc in locations}, label="Location",
                                          value=location_id) \
                    .classes("flex-1").props("outlined dense").mark("form-location")
                if card is not None:
                    self.location.disable()
                self.day = ui.input("Date", value=(card.journey_date if card else day).isoformat()).props(
                    "outlined dense type=date").classes("w-40").mark("form-date")
                self.start = ui.input("Start (24 h)", value=_clock(card.scheduled_start) if card else "").props(
                    TIME_PROPS).classes("w-32").mark("form-start")
                self.end = ui.input("End (24 h)", value=_clock(card.scheduled_end) if card else "").props(
                    TIME_PROPS).classes("w-32").mark("form-end")
            if owned_elsewhere:
                self.day.disable()
            for name, (label, limit) in _TEXT_FIELDS.items():
                field = ui.input(label, value=getattr(card, name) if card else "",
                                 autocomplete=_SUGGESTIONS.get(name)).props(
                    f"outlined dense maxlength={limit}").classes("w-full").mark(f"form-{name}")
                if owned_elsewhere:
                    field.disable()
                self.inputs[name] = field
            with ui.row().classes("w-full items-center gap-4"):
                self.value = None
                if principal.can(Permission.VIEW_FINANCIAL_DATA):
                    known = None if card is None or card.estimated_value is None else float(card.estimated_value)
                    self.value = ui.number("Estimated value ($)", value=known,
                                           min=0, precision=2).props("outlined dense").classes("w-48") \
                        .mark("form-value")
                    if owned_elsewhere:
                        self.value.disable()
                self.confirmed = ui.checkbox("Confirmed by the customer", value=card.confirmed if card else False)
                if owned_elsewhere:
                    self.confirmed.disable()
            self.notes = ui.textarea("Notes", value=(card.notes or "") if card else "").props(
                f"outlined dense autogrow maxlength={MAX_NOTES}").classes("w-full").mark("form-notes")
            self.error = ui.label("").classes("text-negative").props('role=alert data-testid="form-error"') \
                .mark("form-error")
            clear_on_change(self.error, [self.location, self.day, self.start, self.end, self.confirmed, self.notes,
                                         *self.inputs.values(), *([self.value] if self.value is not None else [])])
            with ui.row().classes("w-full justify-end gap-2"):
                ui.button("Cancel", on_click=self.dialog.close).props("flat no-caps")
                ui.button("Save", icon="save", on_click=self.save).props(
                    'unelevated no-caps color=primary data-testid="form-save"').mark("form-save")

    def _fields(self) -> dict[str, Any]:
        day = _parse_day(self.day.value)
        fields: dict[str, Any] = {name: field.value for name, field in self.inputs.items()}
        fields.update(
            journey_date=day, confirmed=bool(self.confirmed.value), notes=self.notes.value,
            scheduled_start=_parse_time(day, self.start.value, "the start"),
            scheduled_end=_parse_time(day, self.end.value, "the end"),
        )
        if self.value is not None and self.value.value is not None:
            fields["estimated_value"] = Decimal(str(self.value.value))
        return fields

    async def save(self) -> None:
        self.error.set_text("")
        try:
            fields = self._fields()
            if self.card is None:
                draft = JourneyDraft(location_id=self.location.value, **fields)
                journey_id = await create_journey(self.principal, draft)
            else:
                journey_id = self.card.id
                if self.card.is_smartmoving:
                    fields = {k: fields[k] for k in ("notes", "scheduled_start", "scheduled_end")}
                await update_journey(self.principal, journey_id, fields)
        except DomainError as exc:
            self.error.set_text(exc.message)
            return
        self.dialog.close()
        ui.notify("Journey saved", type="positive")
        if self.on_saved is not None:
            result = self.on_saved(journey_id)
            if result is not None:
                await result


def _clock(value: datetime | None) -> str:
    return value.strftime("%H:%M") if value else ""


def open_journey_form(principal: Principal, locations: list[LocationOption], location_id: int, day: date,
                      card: JobCard | None = None, on_saved: SavedHandler | None = None) -> None:
    JourneyForm(principal, locations, location_id, day, card, on_saved).dialog.open()
