"""A journey's inventory exceptions (damaged at pickup, missing or damaged at delivery), in words
with their photos: on the journey page and in the phone's completion phase."""

from __future__ import annotations

from nicegui import ui

from components.testid import tid
from components.workflow.phase_record import media_url
from domain.access.rbac import Principal
from domain.inventory.views import ExceptionView, journey_inventory


def photo_row(photo_ids: tuple[int, ...], what: str) -> None:
    """Thumbnails opening the full photo (through the scoped media route)."""
    if not photo_ids:
        return
    with ui.row().classes("gap-2"):
        for n, media_id in enumerate(photo_ids, start=1):
            with ui.link(target=media_url(media_id), new_tab=True):
                ui.image(media_url(media_id, thumbnail=True)).classes("w-20 h-20 rounded-borders").props(
                    f'fit=cover alt="Photo {n} of {what}"')


def exceptions_list(found: tuple[ExceptionView, ...]) -> None:
    if not found:
        tid(ui.label("No exceptions: nothing damaged or missing.").classes("text-body2 text-grey-8"),
            "inventory-no-exceptions")
        return
    for exception in found:
        line = exception.line
        with tid(ui.column().classes("w-full gap-1 q-py-xs"), f"inventory-exception-{line.id}"):
            with ui.row().classes("w-full items-baseline justify-between no-wrap gap-2"):
                ui.label(f"{line.title} · {line.room}").classes("text-body1 text-weight-medium")
                ui.label(exception.what).classes("text-body2 text-deep-orange-10 text-right")
            if exception.words:
                ui.label(exception.words).classes("text-body2")
            photo_row(exception.photo_ids, line.name)


async def exceptions_card(principal: Principal, journey_id: int) -> None:
    """The exceptions of a journey with an inventory (nothing at all for one without)."""
    view = await journey_inventory(principal, journey_id)
    if not view.lines:
        return
    with tid(ui.card().props("flat bordered").classes("w-full gap-2"), "inventory-exceptions"):
        found = len(view.exceptions)
        words = [f"{len(view.lines)} item{'s' if len(view.lines) != 1 else ''}",
                 f"{found} exception{'s' if found != 1 else ''}"]
        if view.unchecked and any(line.checked_at for line in view.lines):
            words.append(f"{view.unchecked} not checked at delivery yet")
        ui.label("Inventory: " + ", ".join(words)).classes("text-subtitle2")
        exceptions_list(view.exceptions)
