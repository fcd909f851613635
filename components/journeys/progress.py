"""A journey's live progress card: status, phase, progress and dispatch notes, kept current by
domain events (from this instance or, through the relay, any other).

Selector contract (also used by `bench/live.py` and the e2e tests; the board's cards follow it):
the card carries `data-testid="journey-card-<id>"`, its progress text
`data-testid="journey-progress-<id>"`, its notes `data-testid="journey-notes-<id>"`.
"""

from __future__ import annotations

from nicegui import ui

from components.live import on_event, whole_page
from domain.errors import NotFound
from domain.events.bus import DomainEvent
from domain.events.touched import touched
from domain.journeys.status import JourneyProgress, journey_progress
from domain.access.rbac import Principal


def _label(value: str) -> str:
    return value.replace("_", " ").capitalize()


def journey_progress_card(principal: Principal, journey: JourneyProgress) -> None:
    jid = journey.id
    with ui.card().classes("w-full max-w-xl gap-2").props(f'flat bordered data-testid="journey-card-{jid}"'):
        with ui.row().classes("w-full items-center justify-between no-wrap"):
            ui.label(journey.customer_name or f"Journey #{jid}").classes("text-h6")
            status = ui.badge().props(f'data-testid="journey-status-{jid}"')
        bar = ui.linear_progress(show_value=False, size="10px").classes("rounded").props('aria-label="Progress"')
        progress = ui.label().classes("text-body2 text-grey-8").props(f'data-testid="journey-progress-{jid}"')
        ui.label("Notes").classes("text-caption text-grey-7 q-mt-sm")
        notes = ui.label().classes("text-body2 whitespace-pre-wrap").props(f'data-testid="journey-notes-{jid}"')

    def show(current: JourneyProgress) -> None:
        status.set_text(_label(current.status.value))
        bar.set_value(current.progress / 100)
        progress.set_text(f"{current.progress}% · {_label(current.current_phase.value)}")
        notes.set_text(current.notes or "—")

    async def refresh(_event: DomainEvent) -> None:
        try:
            show(await journey_progress(principal, jid))
        except NotFound:
            status.set_text("No longer available")

    show(journey)
    on_event(lambda event: touched(event).journey(jid), refresh, principal=principal, collapse=whole_page)
