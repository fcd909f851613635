"""The crew's phone pages (390×844 first, touch targets ≥ 48 px, no desktop header):

- `/mobile`: my journeys today and tomorrow (each in its location's timezone);
- `/mobile/journey/{id}`: the job sheet, the six phases, the current phase's inputs, the big
  Complete button, and the record of what was done.

Both redraw live when the journey changes (another crew member records, a manager rejects, a new
assignment). While the connection is down the crew keeps working in the outbox's offline view,
and what they do is sent once the connection is back (components/workflow/crew_outbox.py).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from nicegui import context, ui

from components.crew_time.clock_panel import ClockPanel, clock_panel
from components.documents.document_list import documents_card
from components.forms import client_ip
from components.customer.on_my_way import on_my_way_button, shows_on_my_way
from components.inventory.crew_panel import inventory_section
from components.live import on_events
from components.journeys.job_sheet import job_sheet_card
from components.testid import tid
from components.theme import STATUS_COLORS
from components.workflow.crew_outbox import OfflineView, crew_outbox, register_assets
from components.workflow.phase_inputs import TOUCH, ItemActions, item_input
from components.workflow.phase_record import STATUS_STYLE, phase_record, phase_stepper
from db.enums import JourneyStatus, Phase, StepStatus
from domain.access.rbac import Permission, Principal
from domain.errors import DomainError, NotFound
from domain.events.bus import DomainEvent, EventType
from domain.events.touched import concerns_user, touched
from domain.workflow import phases as workflow
from domain.journeys.job_sheet import JobSheet
from domain.journeys.labels import PHASE_LABELS, status_label
from domain.workflow.crew_journeys import JourneyCard, my_journeys
from domain.workflow.crew_screen import crew_journey_view
from domain.documents.library import DocumentInfo
from domain.workflow.media import signature_png
from pages.access.session import guarded_page

#: How long the server keeps a phone's page through a dead spot (the page resumes as it was).
RECONNECT_TIMEOUT = 120.0
#: Events about a journey that redraw its page.
JOURNEY_EVENTS = frozenset({
    EventType.STEP_RECORDED, EventType.PHASE_STARTED, EventType.PHASE_COMPLETED, EventType.PHASE_APPROVED,
    EventType.PHASE_REJECTED, EventType.CREW_ASSIGNED, EventType.TRUCK_ASSIGNED, EventType.JOURNEY_CHANGED,
    EventType.JOURNEY_CANCELLED, EventType.JOURNEYS_SYNCED, EventType.INVENTORY_CHANGED,
})
#: Events the crew is told of in words (each kept through a batch; the rest collapse per journey).
NOTICE_EVENTS = frozenset({EventType.CREW_ASSIGNED, EventType.PHASE_REJECTED})
#: The phone's position: asked for (up to 15 s, fresh) when the crew taps "Record my position"; in
#: passing (up to 3 s, a fix of the last 10 minutes will do) for a signature, whose customer waits.
GEOLOCATION_JS = """
return await new Promise((resolve) => {
  if (!navigator.geolocation) return resolve({ error: "this device has no location service" });
  navigator.geolocation.getCurrentPosition(
    (p) => resolve({ lat: p.coords.latitude, lng: p.coords.longitude, accuracy: p.coords.accuracy }),
    (e) => resolve({ error: e.message || "location refused" }),
    { enableHighAccuracy: true, timeout: %d, maximumAge: %d });
});
"""
_PAGE_STYLE = "max-width: 480px; margin: 0 auto"


def _phone_layout() -> None:
    """Edge to edge: no page padding, a narrow centred column on wider screens."""
    context.client.content.classes("p-0 gap-0")


def _top_bar(title: str, subtitle: str = "", *, back: str | None = None) -> None:
    with ui.row().classes("w-full items-center no-wrap gap-1 q-px-xs q-py-xs bg-primary text-white").style(
            "position: sticky; top: 0; z-index: 10"):
        if back:
            tid(ui.button(icon="arrow_back", on_click=lambda: ui.navigate.to(back)).props(
                'flat round size=lg color=white aria-label="Back"'), "back")
        with ui.column().classes("col gap-0 q-px-sm").style("min-width: 0"):
            tid(ui.label(title).classes("text-h6 ellipsis"), "page-title")
            if subtitle:
                ui.label(subtitle).classes("text-caption ellipsis")
        ui.button(icon="logout", on_click=lambda: ui.navigate.to("/logout")).props(
            'flat round size=lg color=white aria-label="Sign out"')


def _time_range(card: JourneyCard) -> str:
    if card.starts_in_window and card.arrival_window:
        return f"Arrival {card.arrival_window}"
    if card.scheduled_start is None:
        return "Time to be confirmed"
    end = f"–{card.scheduled_end:%H:%M}" if card.scheduled_end else ""
    return f"{card.scheduled_start:%H:%M}{end}"


def _crew_line(card: JourneyCard) -> str:
    return ", ".join(f"{m.name} ({m.role.value.lower()})" for m in card.crew) or "No crew yet"


def _truck_line(card: JourneyCard) -> str:
    if card.truck_number is None:
        return "No truck yet"
    return f"Truck {card.truck_number}" + (f" · {card.truck_size}" if card.truck_size else "")


def setup_waiting_words(card: JourneyCard) -> str:
    """What the job setup still waits for, named as the step the dispatcher has to take."""
    if card.truck_number is None and not card.crew:
        return "Waiting for the dispatcher to assign a truck and a crew."
    if card.truck_number is None:
        return "Waiting for the dispatcher to assign a truck."
    if not card.crew:
        return "Waiting for the dispatcher to assign the crew."
    return "Waiting for the dispatcher to hand the journey over to you."


def _status_chip(status: JourneyStatus, phase: Phase | None = None) -> None:
    tid(ui.badge(status_label(status, phase), color=STATUS_COLORS[status]).classes("text-body2 q-px-sm"), "status")


def _progress(value: int) -> None:
    with ui.row().classes("w-full items-center no-wrap gap-2"):
        ui.linear_progress(value / 100, show_value=False, size="10px", color="positive").classes(
            "col rounded-borders").props('aria-label="Progress of the journey"')
        tid(ui.label(f"{value} %").classes("text-body2 text-weight-bold"), "progress")


def per_journey(event: DomainEvent) -> tuple[object, ...]:
    """A `collapse` key: waiting events of one journey are one (the newest), except the ones the
    crew is told of (an assignment, a phase sent back), which are kept."""
    notice = event.type if event.type in NOTICE_EVENTS else None
    return event.journey_id, notice, event.data.get("phase") if notice is EventType.PHASE_REJECTED else None


# --- /mobile ---------------------------------------------------------------------------------

class MyJourneysScreen:
    def __init__(self, principal: Principal) -> None:
        self.principal = principal
        self.cards: list[JourneyCard] = []

    async def show(self) -> None:
        _phone_layout()
        crew_outbox(self.principal, self.reload)
        _top_bar("My journeys", f"{self.principal.full_name}")
        self.cards = await my_journeys(self.principal)
        with ui.column().classes("w-full q-pa-sm gap-3").style(_PAGE_STYLE):
            self.render()
        on_events(lambda e: concerns_user(e, self.principal.user_id), self.on_events, principal=self.principal,
                  collapse=per_journey)

    async def reload(self) -> None:
        cards = await my_journeys(self.principal)
        if cards != self.cards:
            self.cards = cards
            self.render.refresh()

    async def on_events(self, events: list[DomainEvent]) -> None:
        """One re-read for the batch, then what the crew is told of."""
        await self.reload()
        if any(event.type is EventType.CREW_ASSIGNED for event in events):
            ui.notify("You have been assigned to a journey", type="info", position="top")
        for event in events:
            if event.type is EventType.PHASE_REJECTED:
                customer = next((c.customer_name for c in self.cards if c.id == event.journey_id), "a journey")
                phase = PHASE_LABELS[Phase(event.data["phase"])]
                ui.notify(f"{phase} of {customer} was sent back", type="warning", position="top", multi_line=True)

    @ui.refreshable_method
    def render(self) -> None:
        for offset, title in ((0, "Today"), (1, "Tomorrow")):
            cards = [c for c in self.cards if c.days_from_today == offset]
            ui.label(title).classes("text-subtitle1 text-weight-bold q-mt-sm")
            if not cards:
                ui.label("No journeys.").classes("text-grey-7")
            for card in cards:
                self._card(card)

    @staticmethod
    def _card(card: JourneyCard) -> None:
        url = f"/mobile/journey/{card.id}"
        card_box = ui.card().classes("w-full cursor-pointer q-pa-md").props("bordered flat")
        with tid(card_box, f"journey-{card.id}") as box:
            box.on("click", lambda: ui.navigate.to(url))
            with ui.row().classes("w-full items-center justify-between no-wrap"):
                ui.label(_time_range(card)).classes("text-h6")
                _status_chip(card.status, card.current_phase)
            ui.label(card.customer_name).classes("text-subtitle1 text-weight-medium")
            for icon, address in (("trip_origin", card.origin_address), ("place", card.destination_address)):
                if address:
                    with ui.row().classes("items-start no-wrap gap-2"):
                        ui.icon(icon, size="20px", color="grey-7")
                        ui.label(address).classes("text-body2")
            ui.label(f"{_truck_line(card)} · {card.location_name}").classes("text-body2 text-grey-8")
            ui.label(_crew_line(card)).classes("text-body2 text-grey-8")
            _progress(card.progress)


async def my_journeys_page(principal: Principal) -> None:
    await MyJourneysScreen(principal).show()


# --- /mobile/journey/{id} -------------------------------------------------------------------

def _phone_href(phone: str) -> str:
    return "tel:" + re.sub(r"[^\d+]", "", phone)


def _maps_href(address: str) -> str:
    return "https://maps.google.com/?q=" + quote(address)


class JourneyScreen:
    """One journey on a crew phone; every action goes through the domain, then the page redraws."""

    def __init__(self, principal: Principal, journey_id: int) -> None:
        self.principal = principal
        self.journey_id = journey_id
        self.drafts: dict[str, Any] = {}
        self.lock = asyncio.Lock()  # actions, in the order tapped
        self.redrawing = asyncio.Lock()  # one reload at a time (actions, live events, reconnects)
        self.client = context.client
        self.item_boxes: dict[str, ui.column] = {}
        self.sheet_box: ui.card | None = None
        self.missing_label: ui.label | None = None
        self.complete_button: ui.button | None = None
        self.on_my_way: ui.button | None = None
        self.card: JourneyCard
        self.view: workflow.WorkflowView
        self.sheet: JobSheet | None = None
        self.documents: tuple[DocumentInfo, ...] = ()
        self.offline_view: OfflineView | None = None
        self.clock: ClockPanel | None = None
        self.actions = ItemActions(record=self.record, photo=self.photo, signature=self.signature,
                                   position=self.position, notify=self.warn)

    async def load(self) -> bool:
        """Read the journey again; False when nothing changed (no redraw, so no tap is lost to one).
        A live refresh shares the read with the user's other pages of the journey."""
        read = await crew_journey_view(self.principal, self.journey_id)
        card, view, sheet, documents = read.card, read.workflow, read.sheet, read.documents
        changed = (getattr(self, "view", None) != view or getattr(self, "card", None) != card
                   or getattr(self, "sheet", None) != sheet or getattr(self, "documents", None) != documents)
        self.card, self.view, self.sheet, self.documents = card, view, sheet, documents
        return changed

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.card.timezone)

    async def show(self) -> None:
        _phone_layout()
        try:
            await self.load()
        except NotFound:
            _top_bar("Journey", back="/mobile")
            with ui.column().classes("w-full q-pa-md items-center gap-3"):
                ui.icon("search_off", size="xl", color="grey-6")
                tid(ui.label("Journey not found — it is not one of your journeys.").classes("text-h6 text-center"),
                    "not-found")
            return
        self.offline_view = crew_outbox(self.principal, self.reload)
        self.clock = await clock_panel(self.principal, self.journey_id, self.locate)
        with ui.column().classes("w-full gap-0").style(_PAGE_STYLE):
            self.render()
        on_events(self.concerns_me, self.on_events, collapse=per_journey)
        # what was committed between the first read and the subscription (e.g. a phone's outbox
        # sending as the page is rebuilt after a restart) would otherwise wait for the next change
        await self.reload()

    def concerns_me(self, event: DomainEvent) -> bool:
        if event.type in JOURNEY_EVENTS and event.company_id == self.principal.company_id and touched(event).journey(
                self.journey_id, self.card.location_id, self.card.journey_date):
            return True
        if event.type is EventType.WORKFLOW_TEMPLATE_CHANGED:
            return event.company_id == self.principal.company_id
        return event.type is EventType.CREW_ASSIGNED and self.principal.user_id in event.user_ids

    async def on_events(self, events: list[DomainEvent]) -> None:
        """One re-read for the batch (however many changes it holds), then what the crew is told of."""
        elsewhere = [e for e in events if e.type is EventType.CREW_ASSIGNED and e.journey_id != self.journey_id]
        if elsewhere:
            self.notify("You have been assigned to another journey", "info")
        if len(elsewhere) == len(events):
            return
        if self.offline_view is not None and self.offline_view.shown:
            return  # the outbox is sending what was done offline: redrawn once when it is done
        await self.reload()
        for event in events:
            if event.type is EventType.PHASE_REJECTED:
                rejected = self.view.phase(Phase(event.data["phase"]))
                self.notify(f"{rejected.label} was sent back: {rejected.rejection_reason or ''}", "warning", 10000)

    def layout(self) -> tuple[Any, ...]:
        """What decides the page's layout. When only answers on the current phase change (the
        other crew member recorded something), only those items are redrawn: a tap on another
        item at that moment is not lost to a redraw. When only the journey's card changes beyond
        its title and what setup waits for (notes, times, addresses), only its sheet is redrawn."""
        view, phase, card = self.view, self.view.current, self.card
        others = tuple((p.phase, p.status, p.items, p.other_records) for p in view.phases if p is not phase)
        return ((card.customer_name, card.job_number, card.location_name, setup_waiting_words(card)), self.sheet,
                self.documents, view.journey_status, view.progress, phase.phase, phase.status,
                phase.rejection_reason, tuple(i.key for i in phase.items), view.viewer_is_crew,
                view.viewer_can_dispatch, others)

    async def reload(self) -> None:
        async with self.redrawing:
            before, layout, card = self.view, self.layout(), self.card
            try:
                changed = await self.load()
            except NotFound:  # taken off the journey meanwhile
                ui.navigate.to("/mobile")
                return
            if not changed:
                return
            self.client.run_javascript("window.ccrmCrew && window.ccrmCrew.refresh()")  # the phone's copy
            if self.layout() != layout or self.sheet_box is None:
                self.render.refresh()
                return
            if self.card != card:
                self.sheet_box.clear()
                with self.sheet_box:
                    self._sheet_lines(self.card)
            answers = {item.key: item for item in before.current.items}
            for item in self.view.current.items:
                if answers.get(item.key) != item and item.key in self.item_boxes:
                    self.draw_item(item)
            self.update_footer()

    # actions -------------------------------------------------------------------------------

    def notify(self, message: str, kind: str, timeout: int = 3000) -> None:
        """A notification on this page, even when the button that asked for it was just redrawn away."""
        with self.client:
            ui.notify(message, type=kind, position="top", multi_line=True, timeout=timeout)  # type: ignore[arg-type]

    def warn(self, message: str) -> None:
        self.notify(message, "warning")

    async def run(self, action: Callable[[], Awaitable[Any]], success: str | None = None, *,
                  phase: Phase | None = None) -> None:
        """Actions run one after the other, in the order tapped (none is dropped); refusals are shown.
        With `phase`, the action is skipped once that phase is no longer the current one (a double
        tap on Complete completes once)."""
        async with self.lock:
            if phase is not None and phase is not self.view.current_phase:
                return
            try:
                await action()
                if success:
                    self.notify(success, "positive", 2000)
            except DomainError as exc:
                self.notify(exc.message, "negative", 8000)
            await self.reload()

    async def record(self, key: str, value: Any) -> None:
        phase = self.view.current_phase
        await self.run(lambda: workflow.record_item(self.principal, self.journey_id, phase, key, value))

    async def photo(self, key: str, content: bytes) -> None:
        phase = self.view.current_phase
        await self.run(lambda: workflow.record_photo(self.principal, self.journey_id, phase, key, content),
                       "Photo saved")

    async def signature(self, key: str, data_url: str, consent: dict[str, Any]) -> None:
        """Save a signature with the customer's consent, and the phone's position when it gives one."""
        phase = self.view.current_phase
        where = await self.locate(quiet=True)
        given = {**consent, "position": where} if where else consent

        async def save() -> None:
            with client_ip():  # evidence: the phone's IP and device
                await workflow.record_signature(self.principal, self.journey_id, phase, key,
                                                signature_png(data_url), consent=given)

        await self.run(save, "Signature saved")

    async def locate(self, *, quiet: bool = False) -> dict[str, Any] | None:
        """The phone's position ({lat, lng, accuracy}), or None (refused, unavailable: said why
        unless `quiet`)."""
        wait_ms, cached_ms = (3000, 600_000) if quiet else (15000, 0)
        try:
            found = await ui.run_javascript(GEOLOCATION_JS % (wait_ms, cached_ms), timeout=wait_ms / 1000 + 5)
        except TimeoutError:
            found = {"error": "no answer from the location service"}
        if not isinstance(found, dict) or "error" in found:
            if quiet:
                return None
            self.warn(f"No position: {found.get('error') if isinstance(found, dict) else 'unavailable'}")
            return None
        return found

    async def position(self, key: str) -> None:
        found = await self.locate()
        if found is not None:
            await self.record(key, found)

    async def start(self) -> None:
        phase = self.view.current
        await self.run(lambda: workflow.start_phase(self.principal, self.journey_id, phase.phase),
                       f"{phase.label} started", phase=phase.phase)

    async def complete(self) -> None:
        phase = self.view.current
        await self.run(lambda: workflow.complete_phase(self.principal, self.journey_id, phase.phase),
                       f"{phase.label} completed", phase=phase.phase)

    # drawing -------------------------------------------------------------------------------

    @ui.refreshable_method
    def render(self) -> None:
        card, view = self.card, self.view
        self.item_boxes, self.missing_label, self.complete_button = {}, None, None
        _top_bar(card.customer_name, " · ".join(x for x in (card.job_number, card.location_name) if x),
                 back="/mobile")
        with ui.column().classes("w-full q-pa-sm gap-3"):
            self._sheet(card)
            self.on_my_way = on_my_way_button(self.principal, self.journey_id, view, self.run, self.notify)
            if self.clock is not None:
                self.clock.render()
            if self.sheet is not None:
                job_sheet_card(self.sheet)
            phase_stepper(view)
            _progress(view.progress)
            self._current(view)
            self._record(view)
            if self.documents:
                documents_card(self.documents)

    def _sheet(self, card: JourneyCard) -> None:
        with tid(ui.card().classes("w-full q-pa-md gap-2").props("flat bordered"), "job-sheet") as self.sheet_box:
            self._sheet_lines(card)

    def _sheet_lines(self, card: JourneyCard) -> None:
        with ui.row().classes("w-full items-center justify-between no-wrap"):
            day = {0: "Today", 1: "Tomorrow"}.get(card.days_from_today, f"{card.journey_date:%a %d %b}")
            ui.label(f"{day} · {_time_range(card)}").classes("text-subtitle1 text-weight-bold")
            _status_chip(self.view.journey_status, self.view.current_phase)
        if card.customer_phone:
            tid(ui.button(f"Call {card.customer_name}", icon="call", color="positive").props(
                f'href="{_phone_href(card.customer_phone)}" unelevated no-caps size=lg').classes("w-full").style(
                TOUCH), "call-customer")
        for label, address, name in (("From", card.origin_address, "origin"),
                                     ("To", card.destination_address, "destination")):
            if not address:
                continue
            with ui.row().classes("w-full items-center no-wrap gap-2"):
                with ui.column().classes("col gap-0"):
                    ui.label(label).classes("text-caption text-grey-7")
                    ui.label(address).classes("text-body1")
                tid(ui.button(icon="directions").props(
                    f'href="{_maps_href(address)}" target=_blank round unelevated size=lg color=primary '
                    f'aria-label="Directions to {label.lower()} address"'), f"maps-{name}")
        ui.label(f"{_truck_line(card)} · {_crew_line(card)}").classes("text-body2 text-grey-8")
        details = " · ".join(x for x in (card.service_type, card.move_size) if x)
        if details:
            ui.label(details).classes("text-body2 text-grey-8")
        if card.notes:
            ui.label(card.notes).classes("text-body2")

    def _current(self, view: workflow.WorkflowView) -> None:
        phase = view.current
        with tid(ui.card().classes("w-full q-pa-md gap-2").props("flat bordered"), "current-phase"):
            with ui.row().classes("w-full items-center justify-between no-wrap"):
                tid(ui.label(f"{phase.position}. {phase.label}").classes("text-h6"), "phase-title")
                ui.label(STATUS_STYLE[phase.status][2]).classes("text-body2 text-grey-8")
            if view.journey_status is JourneyStatus.CANCELLED:
                tid(ui.label("This journey was cancelled.").classes("text-negative text-h6"), "cancelled")
                return
            if phase.done:
                done = ("Approved by the manager." if view.journey_status is JourneyStatus.AUDITED
                        else "All phases done — waiting for the manager's approval.")
                tid(ui.label(done).classes("text-positive text-subtitle1"), "all-done")
                return
            if phase.rejection_reason and phase.status is StepStatus.IN_PROGRESS:
                with tid(ui.row().classes("w-full bg-red-1 text-negative q-pa-sm rounded-borders no-wrap"),
                         "rejection"):
                    ui.icon("report", size="sm")
                    ui.label(f"Sent back: {phase.rejection_reason}").classes("text-body1")
            if not view.can_work(phase.phase):
                waiting = (setup_waiting_words(self.card) if phase.phase is Phase.CREATION
                           else "Only the crew of this journey works this phase.")
                tid(ui.label(waiting).classes("text-body1 text-grey-8"), "waiting")
                return
            if phase.status is StepStatus.PENDING:
                tid(ui.button(f"Start {phase.label.lower()}", icon="play_arrow", on_click=self.start).props(
                    "unelevated no-caps size=xl").classes("w-full").style(TOUCH), "start-phase")
                return
            for item in phase.items:
                self.item_boxes[item.key] = ui.column().classes("w-full gap-0")
                self.draw_item(item)
            inventory_section(self.principal, self.journey_id, phase.phase)
            self.missing_label = tid(ui.label().classes("text-body1 text-deep-orange-10"), "missing")
            self.complete_button = tid(ui.button(f"Complete {phase.label.lower()}", icon="task_alt",
                                                 on_click=self.complete)
                                       .props("unelevated no-caps size=xl").classes("w-full")
                                       .style("min-height: 64px"), "complete-phase")
            self.update_footer()

    def draw_item(self, item: workflow.ItemView) -> None:
        box = self.item_boxes[item.key]
        box.clear()
        with box:
            item_input(item, self.actions, self.drafts, self.tz)

    def update_footer(self) -> None:
        """What is still missing, and the Complete button's colour, updated in place."""
        missing = self.view.current.missing
        if self.missing_label is not None:
            self.missing_label.set_text("Still missing: " + ", ".join(missing))
            self.missing_label.set_visibility(bool(missing))
        if self.complete_button is not None:
            self.complete_button.props(f"color={'grey-7' if missing else 'positive'}")
        if self.on_my_way is not None:  # gone once the crew records their arrival
            self.on_my_way.set_visibility(shows_on_my_way(self.view))

    def _record(self, view: workflow.WorkflowView) -> None:
        worked = [p for p in view.phases
                  if p.done or (p.phase is not view.current_phase and any(i.records for i in p.items))]
        if not worked:
            return
        ui.label("Record").classes("text-subtitle1 text-weight-bold q-mt-sm")
        for phase in worked:
            icon, colour, status = STATUS_STYLE[phase.status]
            with tid(ui.expansion(f"{phase.label} · {status}", icon=icon).classes("w-full").props(
                    f"dense-toggle header-class=text-{colour} bordered"), f"record-phase-{phase.phase.value}"):
                with ui.column().classes("w-full gap-2 q-pa-sm"):
                    phase_record(phase, self.tz)


async def journey_page(principal: Principal, journey_id: int) -> None:
    await JourneyScreen(principal, journey_id).show()


def register() -> None:
    register_assets()
    guarded_page("/mobile", allow=Permission.USE_CREW_APP, title="My journeys · C&C CRM",
                 reconnect_timeout=RECONNECT_TIMEOUT)(my_journeys_page)
    guarded_page("/mobile/journey/{journey_id}", allow=Permission.USE_CREW_APP, title="Journey · C&C CRM",
                 reconnect_timeout=RECONNECT_TIMEOUT)(journey_page)
