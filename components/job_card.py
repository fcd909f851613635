"""The job card of the dispatcher board, with its status chip and six-segment phase bar.

It renders a `domain.cards.JobCard` as given: the estimated value appears only when the domain
put one there (principals with financial permission)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal

from nicegui import ui

from db.enums import JourneyStatus, StepStatus
from domain.cards import JobCard, PhaseState
from domain.labels import clock

STATUS_COLORS: dict[JourneyStatus, str] = {
    JourneyStatus.SCHEDULED: "blue-grey-6",
    JourneyStatus.MORNING_PREP: "amber-9",
    JourneyStatus.EN_ROUTE: "blue-7",
    JourneyStatus.ONSITE: "deep-purple-6",
    JourneyStatus.COMPLETED: "green-7",
    JourneyStatus.AUDITED: "teal-8",
    JourneyStatus.CANCELLED: "red-7",
}
STEP_CLASSES: dict[StepStatus, str] = {
    StepStatus.PENDING: "bg-grey-4",
    StepStatus.IN_PROGRESS: "bg-amber-7",
    StepStatus.COMPLETED: "bg-green-6",
    StepStatus.APPROVED: "bg-teal-8",
}

AssignHandler = Callable[[int], Awaitable[None] | None]


def money(value: Decimal) -> str:
    return f"${value:,.0f}"


def humanize(value: str) -> str:
    return value.replace("_", " ").title()


def status_chip(status: JourneyStatus) -> None:
    ui.chip(humanize(status.value), color=STATUS_COLORS[status], text_color="white").props(
        'dense square data-testid="status"')


def source_badge(card: JobCard) -> None:
    color = "primary" if card.is_smartmoving else "grey-7"
    ui.badge(card.label, color=color).classes("text-caption").props(
        f'data-testid="job-label" title="{"SmartMoving job" if card.is_smartmoving else "Manual journey"}"')


def phase_bar(phases: tuple[PhaseState, ...], progress: int) -> None:
    """Six segments, one per phase, coloured by the phase's status."""
    with ui.row().classes("w-full items-center no-wrap gap-1").props(
            f'data-testid="phase-bar" role=progressbar aria-valuenow={progress} aria-valuemin=0 aria-valuemax=100'):
        for state in phases:
            ui.element("div").classes(f"h-2 flex-1 rounded {STEP_CLASSES[state.status]}").props(
                f'title="{humanize(state.phase.value)}: {state.status.value.lower().replace("_", " ")}"')
        ui.label(f"{progress}%").classes("text-caption text-grey-7 q-ml-xs")


def time_range(card: JobCard) -> str:
    if card.scheduled_start is None:
        return "All day"
    return f"{clock(card.scheduled_start, card.timezone)}–{clock(card.scheduled_end, card.timezone)}" \
        if card.scheduled_end else f"from {clock(card.scheduled_start, card.timezone)}"


def _line(icon: str, text: str | None, testid: str) -> None:
    if text:
        with ui.row().classes("items-start no-wrap gap-2 text-body2"):
            ui.icon(icon, size="xs").classes("text-grey-6 q-mt-xs")
            ui.label(text).props(f'data-testid="{testid}"')


def fill_job_card(card: JobCard, on_assign: AssignHandler | None) -> None:
    """The card's content, built in the current container (so a live update can rebuild it)."""
    with ui.row().classes("w-full items-center justify-between no-wrap"):
        with ui.row().classes("items-center gap-2 no-wrap"):
            source_badge(card)
            status_chip(card.status)
            if card.confirmed:
                ui.icon("verified", size="xs", color="green-7").props('title="Confirmed by the customer"')
        ui.label(time_range(card)).classes("text-weight-medium").props('data-testid="times"')
    with ui.column().classes("w-full gap-1"):
        ui.link(card.customer_name or "(no name)", f"/journeys/{card.id}").classes(
            "text-subtitle1 text-weight-bold no-underline text-dark").props('data-testid="customer"')
        with ui.row().classes("gap-3 text-body2"):
            if card.customer_phone:
                ui.link(card.customer_phone, f"tel:{card.customer_phone.replace(' ', '')}").props(
                    'data-testid="phone"')
            if card.customer_email:
                ui.link(card.customer_email, f"mailto:{card.customer_email}").classes("ellipsis").props(
                    'data-testid="email"')
        _line("north_east", card.origin_address, "pickup")
        _line("south_west", card.destination_address, "delivery")
        details = " · ".join(x for x in (card.service_type, card.move_size) if x)
        with ui.row().classes("w-full items-center justify-between"):
            ui.label(details).classes("text-caption text-grey-8")
            if card.estimated_value is not None:
                ui.label(money(card.estimated_value)).classes("text-weight-medium text-green-9").props(
                    'data-testid="estimated-value"').mark("estimated-value")
    with ui.row().classes("w-full items-center gap-1").props('data-testid="assignment"'):
        if card.truck_number:
            ui.chip(card.truck_number, icon="local_shipping", color="blue-1", text_color="blue-10").props(
                'dense data-testid="truck-chip"')
        else:
            ui.chip("No truck", icon="local_shipping", color="orange-1", text_color="orange-10").props('dense outline')
        for member in card.crew:
            ui.chip(f"{member.name} · {humanize(member.role.value)}", icon="person", color="grey-2",
                    text_color="grey-9").props('dense data-testid="crew-chip"')
        if not card.crew:
            ui.chip("No crew", icon="group_off", color="orange-1", text_color="orange-10").props('dense outline')
    phase_bar(card.phases, card.progress)
    with ui.row().classes("w-full justify-end gap-1"):
        ui.button("Details", icon="open_in_new", on_click=lambda: ui.navigate.to(f"/journeys/{card.id}")).props(
            "flat dense no-caps")
        if on_assign is not None and card.status not in (JourneyStatus.CANCELLED, JourneyStatus.COMPLETED,
                                                          JourneyStatus.AUDITED):
            ui.button("Assign crew", icon="group_add", on_click=lambda: on_assign(card.id)).props(
                f'unelevated dense no-caps color=primary data-testid="assign-{card.id}"').mark(f"assign-{card.id}")


def job_card(card: JobCard, on_assign: AssignHandler | None) -> ui.card:
    element = ui.card().classes("w-full gap-2 q-pa-md").props(f'flat bordered data-testid="job-card-{card.id}"')
    element.mark(f"job-card job-card-{card.id}")
    with element:
        fill_job_card(card, on_assign)
    return element


def refill_job_card(element: ui.card, card: JobCard, on_assign: AssignHandler | None) -> None:
    element.clear()
    with element:
        fill_job_card(card, on_assign)
