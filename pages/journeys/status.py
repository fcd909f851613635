"""`/journeys/<id>/status`: one journey's live status, and its dispatch notes for those who may
edit them. Open to every role; the domain decides which journeys each may see."""

from __future__ import annotations

from nicegui import ui

from components.journeys.progress import journey_progress_card
from components.nav import app_header
from domain.access.rbac import Permission, Principal
from domain.errors import DomainError, NotFound
from domain.journeys.status import MAX_NOTES_LENGTH, journey_progress, update_journey_notes
from pages.access.session import guarded_page


async def journey_status(principal: Principal, journey_id: int) -> None:
    app_header(principal)
    try:
        journey = await journey_progress(principal, journey_id)
    except NotFound:
        ui.label("Journey not found.").classes("text-h6").props('data-testid="journey-not-found"')
        return
    with ui.column().classes("w-full items-center gap-4 p-4"):
        journey_progress_card(principal, journey)
        if principal.can(Permission.EDIT_JOBS):
            _notes_editor(principal, journey_id, journey.notes or "")


def _notes_editor(principal: Principal, journey_id: int, notes: str) -> None:
    async def save() -> None:
        try:
            await update_journey_notes(principal, journey_id, editor.value or "")
        except DomainError as exc:
            ui.notify(exc.message, type="negative")
            return
        ui.notify("Notes saved", type="positive")

    with ui.card().classes("w-full max-w-xl").props("flat bordered"):
        editor = ui.textarea("Dispatch notes", value=notes).props(
            f'outlined autogrow maxlength={MAX_NOTES_LENGTH} data-testid="notes-input"'
        ).classes("w-full").mark("notes-input")
        ui.button("Save notes", on_click=save).props('data-testid="save-notes"').mark("save-notes")


def register() -> None:
    guarded_page("/journeys/{journey_id}/status", allow=Permission.VIEW_JOURNEY_STATUS,
                 title="Journey · C&C CRM")(journey_status)
