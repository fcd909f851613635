"""`/approvals`: the desk's queues — journeys set up (truck and crew) to hand over to their crew
(completes the job setup), and completed phases to review, approve, or send back with a reason.
Redraws live as crews and dispatchers work."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from nicegui import ui

from components.live import on_event, whole_page
from components.nav import app_header
from components.testid import tid
from components.workflow.phase_record import local_time, phase_record
from domain.access.rbac import Permission, Principal
from domain.errors import DomainError
from domain.events.bus import DomainEvent, EventType
from domain.workflow import phases as workflow
from domain.workflow.approvals import AwaitingApproval, ReadyForCrew, awaiting_approval, ready_for_crew
from pages.access.session import guarded_page

QUEUE_EVENTS = frozenset({EventType.PHASE_COMPLETED, EventType.PHASE_APPROVED, EventType.PHASE_REJECTED,
                          EventType.JOURNEY_CANCELLED, EventType.JOURNEY_CREATED, EventType.JOURNEY_CHANGED,
                          EventType.CREW_ASSIGNED, EventType.TRUCK_ASSIGNED})
#: Journey fields the queues do not show: a change of only these leaves them as they are.
UNSHOWN_FIELDS = frozenset({"notes"})


def changes_queue(event: DomainEvent) -> bool:
    """Whether `event` may change the queues (notes and sync progress cannot)."""
    if event.type not in QUEUE_EVENTS:
        return False
    fields = event.data.get("fields")
    return not (event.type is EventType.JOURNEY_CHANGED and fields and set(fields) <= UNSHOWN_FIELDS)


class ApprovalQueue:
    def __init__(self, principal: Principal) -> None:
        self.principal = principal
        self.rows: list[AwaitingApproval] = []
        self.ready: list[ReadyForCrew] = []

    async def show(self) -> None:
        app_header(self.principal)
        tid(ui.label("Approvals").classes("text-h5"), "page-title")
        await self.load()
        self.render()
        on_event(changes_queue, lambda _event: self.reload(), principal=self.principal, collapse=whole_page)

    async def load(self) -> None:
        self.ready = await ready_for_crew(self.principal)
        self.rows = await awaiting_approval(self.principal)

    async def reload(self) -> None:
        await self.load()
        self.render.refresh()

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
        ui.label("Ready to hand over to the crew").classes("text-h6 q-mt-md")
        if not self.ready:
            tid(ui.label("No journey is waiting for its job setup.").classes("text-grey-7"), "ready-empty")
        with ui.column().classes("w-full gap-2"):
            for ready in self.ready:
                self._ready(ready)
        ui.label("Phases waiting for approval").classes("text-h6 q-mt-md")
        if not self.rows:
            tid(ui.label("Nothing is waiting for approval.").classes("text-grey-7"), "queue-empty")
        with ui.column().classes("w-full gap-2"):
            for row in self.rows:
                self._row(row)

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
            with ui.row().classes("w-full items-center justify-between"):
                with ui.column().classes("gap-0"):
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


async def approvals_page(principal: Principal) -> None:
    await ApprovalQueue(principal).show()


def register() -> None:
    guarded_page("/approvals", allow=Permission.USE_APPROVAL_QUEUE, title="Approvals · C&C CRM")(approvals_page)
