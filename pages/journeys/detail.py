"""`/journeys/{id}`: one journey — customer, addresses, crew and truck, the six phases with what
was recorded on each (photos and signatures link to the media API), and its audit trail for
those who may read it. Actions (assign, edit, cancel, delete) appear as the domain allows."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from nicegui import ui

from components.board.assign_dialog import open_assign_dialog
from components.inventory.exceptions import exceptions_card
from components.board.job_card import badge_html, humanize, money, phase_bar_html, status_html, time_range
from components.journeys.form import open_journey_form
from components.documents.document_list import documents_card
from components.journeys.job_sheet import job_sheet_card
from components.customer.link_panel import customer_link_panel
from components.live import on_event, whole_page
from components.nav import app_header
from db.enums import ActivityKind
from domain.access.locations import LocationOption
from domain.access.rbac import Permission, Principal
from domain.documents.library import journey_documents, verify_file
from domain.errors import DomainError, NotFound
from domain.events.touched import touched
from domain.journeys.access import CLOSED_STATUSES
from domain.journeys.labels import PHASE_LABELS, zone_words
from domain.journeys.detail import ActivityRecord, AuditRecord, JourneyDetail, StepRecord, journey_detail
from domain.journeys.edit import cancel_journey, delete_journey
from pages.access.session import guarded_page

_MEDIA_KINDS = (ActivityKind.PHOTO, ActivityKind.SIGNATURE)


def _when(value: datetime | None) -> str:
    return f"{value:%d %b %H:%M}" if value else "—"


def _field(label: str, value: str | None, testid: str = "") -> None:
    with ui.column().classes("gap-0"):
        ui.label(label).classes("text-caption text-grey-7")
        ui.label(value or "—").props(f'data-testid="{testid}"' if testid else "")


def _activity(record: ActivityRecord) -> None:
    with ui.row().classes("w-full items-start no-wrap gap-3 q-py-xs border-b"):
        ui.label(record.label).classes("w-56 shrink-0 text-weight-medium")
        if record.kind in _MEDIA_KINDS and record.media_id is not None:
            with ui.link(target=f"/api/media/{record.media_id}", new_tab=True):
                ui.element("img").props(
                    f'src="/api/media/{record.media_id}/thumbnail" alt="{humanize(record.kind.value)}" '
                    f'loading=lazy data-testid="media-{record.media_id}"').classes("h-20 rounded-borders")
        else:
            ui.label(record.value).classes("flex-1").props('data-testid="record-value"')
        ui.label(f"{record.by or ''} {_when(record.at)}").classes("text-caption text-grey-7")


def _step(step: StepRecord) -> None:
    title = f"{step.position} · {PHASE_LABELS[step.phase]} — {humanize(step.status.value)}"
    with ui.expansion(title, value=step.status.value == "IN_PROGRESS").classes("w-full").props(
            f'dense bordered data-testid="phase-{step.position}"'):
        with ui.row().classes("gap-6 text-caption text-grey-8"):
            ui.label(f"Started {_when(step.started_at)}")
            ui.label(f"Completed {_when(step.completed_at)}")
            ui.label(f"Approved {_when(step.approved_at)}")
        if step.rejection_reason:
            ui.label(f"Rejected: {step.rejection_reason}").classes("text-negative")
        for record in step.activities:
            _activity(record)
        if not step.activities:
            ui.label("Nothing recorded yet.").classes("text-grey-7")


def _audit(trail: tuple[AuditRecord, ...], zone: str) -> None:
    ui.label("Audit trail").classes("text-h6 q-mt-md")
    rows = [{"at": _when(e.at), "actor": e.actor or "System", "action": e.action_words, "changes": e.changes}
            for e in trail]
    ui.table(columns=[
        {"name": "at", "label": f"When ({zone})", "field": "at", "align": "left"},
        {"name": "actor", "label": "Who", "field": "actor", "align": "left"},
        {"name": "action", "label": "Action", "field": "action", "align": "left"},
        {"name": "changes", "label": "Changes", "field": "changes", "align": "left",
         "style": "white-space: normal"},
    ], rows=rows).props('flat bordered dense data-testid="audit-trail"').classes("w-full").mark("audit-trail")


class JourneyPage:
    def __init__(self, principal: Principal, journey_id: int) -> None:
        self.principal, self.journey_id = principal, journey_id
        self.body = ui.column().classes("w-full q-pa-md gap-3")
        #: The journey's location and day as last shown (a large sync batch names only those).
        self.place: tuple[int | None, date | None] = (None, None)

    async def render(self) -> None:
        try:
            detail = await journey_detail(self.principal, self.journey_id)
        except NotFound:
            self.body.clear()
            with self.body:
                ui.label("Journey not found").classes("text-h6").props('data-testid="not-found"')
                ui.link("Back to the board", "/board")
            return
        self.place = (detail.card.location_id, detail.card.journey_date)
        self.body.clear()
        with self.body:
            self._header(detail)
            self._facts(detail)
            documents_card(await journey_documents(self.principal, self.journey_id),
                           lambda content: verify_file(self.principal, content))
            await customer_link_panel(self.principal, self.journey_id, self.render)
            await exceptions_card(self.principal, self.journey_id)
            ui.label("Phases").classes("text-h6 q-mt-md")
            for step in detail.steps:
                _step(step)
            if detail.audit is not None:
                _audit(detail.audit, zone_words(detail.card.timezone))

    def _header(self, detail: JourneyDetail) -> None:
        card = detail.card
        with ui.row().classes("w-full items-center justify-between"):
            with ui.row().classes("items-center gap-3"):
                ui.button(icon="arrow_back", on_click=lambda: ui.navigate.to(
                    f"/board?location={card.location_id}&day={card.journey_date}")).props(
                    'flat round aria-label="Back to the board"')
                status = status_html(card.status, card.current_phase)
                ui.html(f'<div class="flex items-center gap-2">{badge_html(card)}{status}</div>')
                ui.label(card.customer_name).classes("text-h5").props('data-testid="page-title"')
            self._actions(detail)
        ui.label(f"{card.location_name} · {card.journey_date:%A %d %B %Y} · {time_range(card)} "
                 f"({zone_words(card.timezone)})").classes(
            "text-grey-8")
        ui.html(phase_bar_html(card.phases, card.progress)).classes("w-full")

    def _actions(self, detail: JourneyDetail) -> None:
        card, can = detail.card, self.principal.can
        with ui.row().classes("gap-2"):
            if can(Permission.ASSIGN_CREW) and card.status not in CLOSED_STATUSES:
                ui.button("Assign crew", icon="group_add", on_click=lambda: open_assign_dialog(
                    self.principal, card.id, lambda _id: self.render())).props("unelevated no-caps color=primary") \
                    .mark("detail-assign")
            if can(Permission.EDIT_JOBS) and card.status not in CLOSED_STATUSES:
                location = [LocationOption(card.location_id, card.location_name, card.timezone)]
                ui.button("Edit", icon="edit", on_click=lambda: open_journey_form(
                    self.principal, location, card.location_id, card.journey_date, card,
                    lambda _id: self.render())).props("outline no-caps").mark("detail-edit")
                if not card.is_smartmoving:
                    ui.button("Cancel journey", icon="event_busy", on_click=self._confirm_cancel).props(
                        "outline no-caps color=negative").mark("detail-cancel")
            if can(Permission.DELETE_JOURNEYS) and not card.is_smartmoving:
                ui.button("Delete", icon="delete", on_click=self._confirm_delete).props(
                    "flat no-caps color=negative").mark("detail-delete")

    def _facts(self, detail: JourneyDetail) -> None:
        card = detail.card
        with ui.element("div").classes("w-full grid gap-3 grid-cols-1 md:grid-cols-2 xl:grid-cols-4"):
            with ui.card().props("flat bordered").classes("gap-2"):
                ui.label("Customer").classes("text-subtitle2")
                _field("Name", card.customer_name)
                with ui.column().classes("gap-0"):
                    ui.label("Phone").classes("text-caption text-grey-7")
                    if card.customer_phone:
                        ui.link(card.customer_phone, f"tel:{card.customer_phone.replace(' ', '')}")
                    else:
                        ui.label("—")
                _field("Email", card.customer_email)
            with ui.card().props("flat bordered").classes("gap-2"):
                ui.label("Addresses").classes("text-subtitle2")
                _field("Pickup", card.origin_address, "pickup")
                _field("Delivery", card.destination_address, "delivery")
            with ui.card().props("flat bordered").classes("gap-2"):
                ui.label("Job").classes("text-subtitle2")
                _field("Service · size", " · ".join(x for x in (card.service_type, card.move_size) if x))
                _field("Source", f"SmartMoving {card.job_number or ''}" if card.is_smartmoving else "Manual")
                _field("Confirmed", "yes" if card.confirmed else "no")
                if card.estimated_value is not None:
                    _field("Estimated value", money(card.estimated_value), "estimated-value")
                if detail.balance is not None and detail.balance.balance_due is not None:
                    due = detail.balance.balance_due
                    _field("Balance due (whole quote)", money(due) if due > 0 else "Paid in full", "balance-due")
            with ui.card().props("flat bordered").classes("gap-2"):
                ui.label("Crew and truck").classes("text-subtitle2")
                _field("Truck", card.truck_number, "truck")
                for member in card.crew:
                    ui.label(f"{member.name} · {humanize(member.role.value)}").props('data-testid="crew-member"')
                if not card.crew:
                    ui.label("No crew yet").classes("text-deep-orange-10")
        if detail.sheet is not None:
            job_sheet_card(detail.sheet)
        if card.notes:
            with ui.card().props("flat bordered").classes("w-full"):
                ui.label("Notes").classes("text-subtitle2")
                ui.label(card.notes).classes("whitespace-pre-wrap")

    async def _run(self, action: Any, done: str) -> bool:
        try:
            await action
        except DomainError as exc:
            ui.notify(exc.message, type="negative")
            return False
        ui.notify(done, type="positive")
        return True

    def _confirm_cancel(self) -> None:
        with ui.dialog() as dialog, ui.card().classes("w-96"):
            ui.label("Cancel this journey?").classes("text-h6")
            reason = ui.input("Reason (optional)").classes("w-full").mark("cancel-reason")

            async def confirm() -> None:
                if await self._run(cancel_journey(self.principal, self.journey_id, reason.value), "Journey cancelled"):
                    dialog.close()
                    await self.render()

            with ui.row().classes("w-full justify-end"):
                ui.button("Keep it", on_click=dialog.close).props("flat no-caps")
                ui.button("Cancel journey", on_click=confirm).props("unelevated no-caps color=negative").mark(
                    "cancel-confirm")
        dialog.open()

    def _confirm_delete(self) -> None:
        with ui.dialog() as dialog, ui.card().classes("w-96"):
            ui.label("Delete this journey for good?").classes("text-h6")
            ui.label("Its steps and records are erased; the audit entry stays.").classes("text-grey-7")

            async def confirm() -> None:
                if await self._run(delete_journey(self.principal, self.journey_id), "Journey deleted"):
                    dialog.close()
                    ui.navigate.to("/board")

            with ui.row().classes("w-full justify-end"):
                ui.button("Keep it", on_click=dialog.close).props("flat no-caps")
                ui.button("Delete", on_click=confirm).props("unelevated no-caps color=negative").mark("delete-confirm")
        dialog.open()


async def journey_view(principal: Principal, journey_id: int) -> None:
    app_header(principal)
    page = JourneyPage(principal, journey_id)
    await page.render()
    on_event(lambda e: touched(e).journey(journey_id, *page.place), lambda _e: page.render(), principal=principal,
             collapse=whole_page)


def register() -> None:
    guarded_page("/journeys/{journey_id}", allow=Permission.USE_BOARD, title="Journey · C&C CRM")(journey_view)
