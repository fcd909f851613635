"""`/approvals`: the desk's queues — journeys set up (truck and crew) to hand over to their crew
(completes the job setup), and completed phases to review, approve, or send back with a reason.
Redraws live as crews and dispatchers work."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from nicegui import ui

from components.live import on_event, whole_page
from components.nav import app_header
from components.testid import tid
from components.workflow.phase_record import local_time, phase_record
from db.enums import Phase
from domain.access.locations import visible_locations
from domain.access.rbac import Permission, Principal
from domain.journeys.labels import PHASE_LABELS
from domain.paging import Page
from domain.errors import DomainError
from domain.events.bus import DomainEvent, EventType
from domain.workflow import phases as workflow
from domain.workflow.approvals import (
    AwaitingApproval,
    QueueFilters,
    ReadyForCrew,
    approval_queue,
    ready_for_crew,
)
from pages.access.session import guarded_page

#: Phases shown per page of the approval queue.
QUEUE_PAGE_SIZE = 25
MIN_PAGE_SIZE, MAX_QUEUE_PAGE_SIZE = 2, 100
QUEUE_EVENTS = frozenset({EventType.PHASE_COMPLETED, EventType.PHASE_APPROVED, EventType.PHASE_REJECTED,
                          EventType.JOURNEY_CANCELLED, EventType.JOURNEY_CREATED, EventType.JOURNEY_CHANGED,
                          EventType.CREW_ASSIGNED, EventType.TRUCK_ASSIGNED, EventType.JOURNEYS_SYNCED})
#: Journey fields the queues do not show: a change of only these leaves them as they are.
UNSHOWN_FIELDS = frozenset({"notes"})


def changes_queue(event: DomainEvent) -> bool:
    """Whether `event` may change the queues (notes and sync progress cannot)."""
    if event.type not in QUEUE_EVENTS:
        return False
    fields = event.data.get("fields")
    return not (event.type is EventType.JOURNEY_CHANGED and fields and set(fields) <= UNSHOWN_FIELDS)


class ApprovalQueue:
    def __init__(self, principal: Principal, page_size: int = QUEUE_PAGE_SIZE,
                 filters: QueueFilters | None = None) -> None:
        self.principal, self.page_size = principal, page_size
        self.filters = filters or QueueFilters()
        self.page = 1
        self.queue: Page[AwaitingApproval] = Page([], 0, 1, page_size)
        self.ready: list[ReadyForCrew] = []
        #: The rows ticked for "Approve selected": (journey id, phase).
        self.selected: set[tuple[int, Phase]] = set()
        self.bulk_button: ui.button | None = None

    async def show(self) -> None:
        app_header(self.principal)
        tid(ui.label("Approvals").classes("text-h5"), "page-title")
        locations = {loc.id: loc.name for loc in await visible_locations(self.principal)}
        if self.filters.location_id not in locations:
            self.filters = QueueFilters(None, self.filters.day, self.filters.phase)
        self._filters_row(locations)
        await self.load()
        self.render()
        on_event(changes_queue, lambda _event: self.follow(), principal=self.principal, collapse=whole_page)

    def _filters_row(self, locations: dict[int, str]) -> None:
        with ui.row().classes("w-full items-center gap-3"):
            f = self.filters
            tid(ui.select(locations, label="Branch", clearable=True, with_input=len(locations) > 8, value=f.location_id,
                          on_change=lambda e: self.set_filter(location_id=e.value)).props(
                "outlined dense options-dense").classes("min-w-[220px]"), "queue-branch")
            tid(ui.input("Day", value=str(f.day or ""), on_change=lambda e: self.set_filter(day=_day(e.value))).props(
                "outlined dense clearable type=date stack-label").classes("w-44"), "queue-day")
            tid(ui.select({p.value: PHASE_LABELS[p] for p in Phase}, label="Phase", clearable=True,
                          value=f.phase.value if f.phase else None,
                          on_change=lambda e: self.set_filter(phase=Phase(e.value) if e.value else None)).props(
                "outlined dense options-dense").classes("min-w-[180px]"), "queue-phase")

    async def set_filter(self, **changes: object) -> None:
        current = {"location_id": self.filters.location_id, "day": self.filters.day, "phase": self.filters.phase}
        self.filters = QueueFilters(**{**current, **changes})  # type: ignore[arg-type]
        self.page = 1
        await self.reload()

    async def load(self) -> None:
        show_ready = self.filters.phase in (None, Phase.CREATION) and self.principal.can(Permission.ASSIGN_CREW)
        self.ready = await ready_for_crew(self.principal, filters=self.filters) if show_ready else []
        self.queue = await approval_queue(self.principal, self.filters, page=self.page, page_size=self.page_size)
        if self.page > self.queue.pages:  # the last rows of the last page were decided meanwhile
            self.page = self.queue.pages
            self.queue = await approval_queue(self.principal, self.filters, page=self.page,
                                              page_size=self.page_size)
        shown = {(r.journey_id, r.phase) for r in self.queue.items}
        self.selected &= shown

    async def reload(self) -> None:
        await self.load()
        self.render.refresh()

    async def follow(self) -> None:
        """A live update: re-read, and redraw only if the queues changed. Most events that may
        change them do not (a sync batch rewriting other journeys), and redrawing the queues cost
        an admin's page about 330 ms of CPU per event (issue 18); a tick or a reason being typed
        survives an update that changed nothing."""
        shown = (self.ready, self.queue, self.page)
        await self.load()
        if (self.ready, self.queue, self.page) != shown:
            self.render.refresh()

    async def go_to(self, page: int) -> None:
        if page != self.page:
            self.page = page
            await self.reload()

    async def hand_over(self, row: ReadyForCrew) -> None:
        try:
            await workflow.hand_over(self.principal, row.journey_id)
            ui.notify(f"{row.customer_name}: handed over to the crew", type="positive")
        except DomainError as exc:
            ui.notify(exc.message, type="negative", multi_line=True)
        await self.reload()

    async def decide(self, row: AwaitingApproval, reason: str | None = None) -> bool:
        try:
            if reason is None:
                await workflow.approve_phase(self.principal, row.journey_id, row.phase)
                ui.notify(f"{row.phase_label} of {row.customer_name} approved", type="positive")
            else:
                await workflow.reject_phase(self.principal, row.journey_id, row.phase, reason)
                ui.notify(f"{row.phase_label} sent back to the crew", type="warning")
        except DomainError as exc:
            ui.notify(exc.message, type="negative", multi_line=True)
            return False
        await self.reload()
        return True

    async def approve_selected(self) -> None:
        """Each ticked phase through the normal approval (its own transaction and audit entry);
        a refusal is reported for its row and does not stop the others."""
        rows = [r for r in self.queue.items if (r.journey_id, r.phase) in self.selected]
        approved, refused = 0, []
        for row in rows:
            try:
                await workflow.approve_phase(self.principal, row.journey_id, row.phase)
                approved += 1
            except DomainError as exc:
                refused.append(f"{row.customer_name} · {row.phase_label}: {exc.message}")
        self.selected.clear()
        if approved:
            ui.notify(f"{approved} approved", type="positive")
        for reason in refused:
            ui.notify(f"Not approved — {reason}", type="negative", multi_line=True)
        await self.reload()

    def toggle(self, row: AwaitingApproval, ticked: bool) -> None:
        key = (row.journey_id, row.phase)
        if ticked:
            self.selected.add(key)
        else:
            self.selected.discard(key)
        self._update_bulk()

    def toggle_page(self, ticked: bool) -> None:
        keys = {(r.journey_id, r.phase) for r in self.queue.items}
        self.selected = keys if ticked else set()
        self.render.refresh()

    def _update_bulk(self) -> None:
        if self.bulk_button is not None:
            self.bulk_button.set_text(f"Approve selected ({len(self.selected)})")
            self.bulk_button.set_enabled(bool(self.selected))

    async def review(self, row: AwaitingApproval) -> None:
        try:
            view = await workflow.journey_workflow(self.principal, row.journey_id)
        except DomainError as exc:
            ui.notify(exc.message, type="negative")
            return
        with ui.dialog() as dialog, ui.card().classes("w-full").style("max-width: 560px"):
            ui.label(f"{row.customer_name} · {row.phase_label}").classes("text-h6")
            phase_record(view.phase(row.phase), ZoneInfo(row.timezone))
            ui.button("Close", on_click=dialog.close).props("flat")
        dialog.open()

    def ask_reason(self, row: AwaitingApproval) -> None:
        with ui.dialog() as dialog, ui.card().classes("w-96"):
            ui.label(f"Send {row.phase_label} back to the crew").classes("text-h6")
            reason = tid(ui.textarea("Reason (the crew sees it)").classes("w-full").props(
                f"outlined autogrow maxlength={workflow.REASON_MAX_LENGTH}"), "reject-reason")

            async def confirm() -> None:
                if await self.decide(row, reason.value or ""):
                    dialog.close()

            with ui.row().classes("w-full justify-end"):
                ui.button("Cancel", on_click=dialog.close).props("flat")
                tid(ui.button("Send back", on_click=confirm, color="negative"), "confirm-reject")
        dialog.open()

    @ui.refreshable_method
    def render(self) -> None:
        self.bulk_button = None
        if self.filters.phase in (None, Phase.CREATION) and self.principal.can(Permission.ASSIGN_CREW):
            ui.label("Ready to hand over to the crew").classes("text-h6 q-mt-md")
            if not self.ready:
                tid(ui.label("No journey is waiting for its job setup.").classes("text-grey-7"), "ready-empty")
            with ui.column().classes("w-full gap-2"):
                for ready in self.ready:
                    self._ready(ready)
        queue = self.queue
        ui.label(f"Phases waiting for approval ({queue.total})").classes("text-h6 q-mt-md")
        if not queue.items:
            tid(ui.label("Nothing is waiting for approval.").classes("text-grey-7"), "queue-empty")
            return
        with ui.row().classes("w-full items-center gap-3"):
            all_ticked = bool(self.selected) and len(self.selected) == len(queue.items)
            tid(ui.checkbox("Select all on this page", value=all_ticked,
                            on_change=lambda e: self.toggle_page(bool(e.value))), "select-page")
            self.bulk_button = tid(ui.button(f"Approve selected ({len(self.selected)})", icon="done_all",
                                             color="positive", on_click=self.approve_selected).props("no-caps"),
                                   "approve-selected")
            self.bulk_button.set_enabled(bool(self.selected))
            first = (queue.page - 1) * queue.page_size + 1
            tid(ui.label(f"{first}–{first + len(queue.items) - 1} of {queue.total}").classes("text-grey-7"),
                "queue-summary")
        with ui.column().classes("w-full gap-2"):
            for row in queue.items:
                self._row(row)
        if queue.pages > 1:
            tid(ui.pagination(1, queue.pages, direction_links=True, value=queue.page,
                              on_change=lambda e: self.go_to(int(e.value))), "queue-pages")

    def _ready(self, row: ReadyForCrew) -> None:
        with tid(ui.card().classes("w-full").props("flat bordered"), f"ready-{row.journey_id}"):
            with ui.row().classes("w-full items-center justify-between"):
                with ui.column().classes("gap-0"):
                    ui.label(row.customer_name).classes("text-subtitle1 text-weight-medium")
                    start = local_time(row.scheduled_start, ZoneInfo(row.timezone))
                    ui.label(" · ".join(x for x in (row.job_number, row.location_name,
                                                    f"{row.journey_date:%a %d %b} {start}".strip(),
                                                    f"truck {row.truck_number}") if x)).classes(
                        "text-caption text-grey-7")
                tid(ui.button("Hand over to the crew", icon="send", on_click=lambda r=row: self.hand_over(r)),
                    f"hand-over-{row.journey_id}")

    def _row(self, row: AwaitingApproval) -> None:
        name = f"approval-{row.journey_id}-{row.phase.value}"
        with tid(ui.card().classes("w-full").props("flat bordered"), name):
            with ui.row().classes("w-full items-center justify-between no-wrap"):
                tid(ui.checkbox(value=(row.journey_id, row.phase) in self.selected,
                                on_change=lambda e, r=row: self.toggle(r, bool(e.value))).props(
                    f'aria-label="Select {row.customer_name} · {row.phase_label}"'), f"select-{name}")
                with ui.column().classes("gap-0 col"):
                    ui.label(f"{row.customer_name} · {row.phase_label}").classes("text-subtitle1 text-weight-medium")
                    done = (f"completed {local_time(row.completed_at, ZoneInfo(row.timezone))}"
                            if row.completed_at else "")
                    by = f" by {row.completed_by}" if row.completed_by else ""
                    ui.label(" · ".join(x for x in (row.job_number, row.location_name, f"{row.journey_date:%a %d %b}",
                                                    done + by) if x)).classes("text-caption text-grey-7")
                with ui.row().classes("gap-2"):
                    tid(ui.button("Review", icon="visibility", on_click=lambda r=row: self.review(r)).props("flat"),
                        f"review-{row.journey_id}-{row.phase.value}")
                    tid(ui.button("Send back", icon="undo", color="negative",
                                  on_click=lambda r=row: self.ask_reason(r)).props("outline"),
                        f"reject-{row.journey_id}-{row.phase.value}")
                    tid(ui.button("Approve", icon="verified", color="positive",
                                  on_click=lambda r=row: self.decide(r)),
                        f"approve-{row.journey_id}-{row.phase.value}")


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


async def approvals_page(principal: Principal, page_size: int | None = None, location: int | None = None,
                         day: str | None = None, phase: str | None = None) -> None:
    """`?location=&day=&phase=` open the queue filtered (a link from a journey or a bookmark);
    `?page_size=` (2–100) changes how many phases a page shows."""
    size = min(max(page_size, MIN_PAGE_SIZE), MAX_QUEUE_PAGE_SIZE) if page_size else QUEUE_PAGE_SIZE
    filters = QueueFilters(location, _day(day), Phase(phase) if phase in Phase.__members__ else None)
    await ApprovalQueue(principal, size, filters).show()


def register() -> None:
    guarded_page("/approvals", allow=Permission.USE_APPROVAL_QUEUE, title="Approvals · C&C CRM")(approvals_page)
