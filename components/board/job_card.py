"""The job card of the dispatcher board, with its status chip and six-segment phase bar.

A board shows up to a hundred cards, so the static part of a card is one HTML block (every value
escaped, and DOMPurify on the client) rather than dozens of components: only the Assign button is
a component. The card renders a `domain.board.cards.JobCard` as given — the estimated value appears
only when the domain put one there (principals with financial permission)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from html import escape

from nicegui import ui

from components.theme import STATUS_COLORS, STEP_CLASSES
from db.enums import JourneyStatus, Phase, StepStatus
from domain.board.cards import JobCard, PhaseState
from domain.journeys.access import CLOSED_STATUSES
from domain.journeys.labels import PHASE_LABELS, clock, plain_words, status_label

AssignHandler = Callable[[int], Awaitable[None] | None]


def money(value: Decimal) -> str:
    return f"${value:,.0f}"


def humanize(value: str) -> str:
    """An enum value in words, sentence case (`MORNING_PREP` → `Morning prep`)."""
    return plain_words(value)


def time_range(card: JobCard) -> str:
    """"08:00–12:00", "from 08:00", "All day"; "Arrival 08:00–10:00" when SmartMoving gave only
    an arrival window (no fixed start)."""
    if card.starts_in_window and card.arrival_window:
        return f"Arrival {card.arrival_window}"
    if card.scheduled_start is None:
        return "All day"
    start = clock(card.scheduled_start, card.timezone)
    return f"{start}–{clock(card.scheduled_end, card.timezone)}" if card.scheduled_end else f"from {start}"


def _icon(name: str, classes: str = "") -> str:
    return f'<i class="material-icons {classes}" aria-hidden="true" style="font-size:16px">{name}</i>'


def chip_html(text: str, icon: str, colors: str, testid: str = "") -> str:
    attr = f' data-testid="{testid}"' if testid else ""
    return (f'<span class="inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs {colors}"{attr}>'
            f'{_icon(icon)}{escape(text)}</span>')


def status_html(status: JourneyStatus, phase: Phase | None = None) -> str:
    return (f'<span class="rounded px-2 py-0.5 text-xs text-white bg-{STATUS_COLORS[status]}" '
            f'data-testid="status">{status_label(status, phase)}</span>')


def badge_html(card: JobCard) -> str:
    color, title = ("bg-primary", "SmartMoving job") if card.is_smartmoving else ("bg-grey-7", "Manual journey")
    return (f'<span class="rounded px-1.5 py-0.5 text-xs text-white text-weight-medium {color}" title="{title}" '
            f'data-testid="job-label">{escape(card.label)}</span>')


def phase_bar_html(phases: tuple[PhaseState, ...], progress: int, caption: str = "", testid: str = "") -> str:
    """Six segments, one per phase, coloured by the phase's status, then the caption (default
    the percentage)."""
    segments = "".join(
        f'<div class="h-2 flex-1 rounded {STEP_CLASSES[s.status]}" '
        f'title="{PHASE_LABELS[s.phase]}: {s.status.value.lower().replace("_", " ")}"></div>'
        for s in phases
    )
    caption_id = f' data-testid="{testid}"' if testid else ""
    return (f'<div class="flex items-center gap-1 w-full" role="progressbar" aria-label="Phases done" '
            f'aria-valuenow="{progress}" '
            f'aria-valuemin="0" aria-valuemax="100" data-testid="phase-bar">{segments}'
            f'<span class="text-caption text-grey-7 q-ml-xs"{caption_id}>{escape(caption or f"{progress}%")}</span>'
            f'</div>')


def _line(icon: str, text: str | None, testid: str) -> str:
    if not text:
        return ""
    return (f'<div class="flex items-start no-wrap gap-2 text-body2">{_icon(icon, "text-grey-6 q-mt-xs")}'
            f'<span data-testid="{testid}">{escape(text)}</span></div>')


def _contact(card: JobCard) -> str:
    links = []
    if card.customer_phone:
        tel = escape("".join(c for c in card.customer_phone if c.isdigit() or c == "+"))
        links.append(f'<a class="text-primary" href="tel:{tel}" data-testid="phone">{escape(card.customer_phone)}</a>')
    if card.customer_email:
        links.append(f'<a class="text-primary ellipsis" href="mailto:{escape(card.customer_email)}" '
                     f'data-testid="email">{escape(card.customer_email)}</a>')
    return f'<div class="flex gap-3 text-body2">{"".join(links)}</div>' if links else ""


def _assignment(card: JobCard) -> str:
    chips = [chip_html(card.truck_number, "local_shipping", "bg-blue-1 text-blue-10", "truck-chip")
             if card.truck_number else chip_html("No truck", "local_shipping", "bg-orange-1 text-deep-orange-10")]
    chips += [chip_html(f"{m.name} · {humanize(m.role.value)}", "person", "bg-grey-3 text-grey-9", "crew-chip")
              for m in card.crew]
    if not card.crew:
        chips.append(chip_html("No crew", "group_off", "bg-orange-1 text-deep-orange-10"))
    return f'<div class="flex flex-wrap items-center gap-1" data-testid="assignment">{"".join(chips)}</div>'


def _notes(card: JobCard) -> str:
    if not card.notes:
        return ""
    return (f'<div class="text-body2 text-grey-9 ellipsis-2-lines" title="{escape(card.notes)}" '
            f'data-testid="journey-notes-{card.id}">{_icon("sticky_note_2", "text-grey-6")} {escape(card.notes)}</div>')


def card_html(card: JobCard) -> str:
    confirmed = (f'<span title="Confirmed by the customer">{_icon("verified", "text-green-7")}</span>'
                 if card.confirmed else "")
    details = escape(" · ".join(x for x in (card.service_type, card.move_size) if x))
    status = status_html(card.status, card.current_phase)
    value = (f'<span class="text-weight-medium text-green-9" data-testid="estimated-value">'
             f'{money(card.estimated_value)}</span>' if card.estimated_value is not None else "")
    return f"""
<div class="flex flex-col gap-2 w-full">
  <div class="flex items-center justify-between no-wrap">
    <div class="flex items-center gap-2 no-wrap">{badge_html(card)}{status}{confirmed}</div>
    <span class="flex items-center gap-2 no-wrap">
      <span class="text-weight-medium" data-testid="times">{time_range(card)}</span>
      <a href="/journeys/{card.id}" class="text-primary" title="Journey details" aria-label="Journey details"
         data-testid="details">{_icon("open_in_new")}</a></span>
  </div>
  <div class="flex flex-col gap-1">
    <a href="/journeys/{card.id}" class="text-subtitle1 text-weight-bold text-dark"
       data-testid="customer">{escape(card.customer_name or "(no name)")}</a>
    {_contact(card)}
    {_line("north_east", card.origin_address, "pickup")}
    {_line("south_west", card.destination_address, "delivery")}
    <div class="flex items-center justify-between">
      <span class="text-caption text-grey-8">{details}</span>{value}
    </div>
  </div>
  {_assignment(card)}
  {_notes(card)}
  {phase_bar_html(card.phases, card.progress, f"{card.progress}% · {PHASE_LABELS[card.current_phase]}",
                  f"journey-progress-{card.id}")}
</div>"""


def ready_to_hand_over(card: JobCard) -> bool:
    """Truck and crew set, the job setup not completed yet: dispatch may hand it to the crew."""
    setup = next((p for p in card.phases if p.phase is Phase.CREATION), None)
    return (card.status not in CLOSED_STATUSES and card.truck_number is not None and bool(card.crew)
            and setup is not None and setup.status in (StepStatus.PENDING, StepStatus.IN_PROGRESS))


def _actions(card: JobCard, on_assign: AssignHandler | None, on_hand_over: AssignHandler | None) -> tuple[bool, bool]:
    """Which buttons the card offers: hand-over, assign."""
    if card.status in CLOSED_STATUSES:
        return False, False
    return on_hand_over is not None and ready_to_hand_over(card), on_assign is not None


def fill_job_card(card: JobCard, on_assign: AssignHandler | None, on_hand_over: AssignHandler | None = None) -> None:
    """The card's content, built in the current container (so a live update can rebuild it).
    Closed journeys offer no buttons; a set-up journey offers its hand-over to the crew."""
    ui.html(card_html(card)).classes("w-full")
    hand_over, assign = _actions(card, on_assign, on_hand_over)
    if not (hand_over or assign):
        return
    with ui.row().classes("w-full justify-end gap-2"):
        if on_hand_over is not None and hand_over:
            ui.button("Hand over to the crew", icon="send", on_click=lambda: on_hand_over(card.id)).props(
                f'outline dense no-caps color=primary data-testid="hand-over-{card.id}"').mark(f"hand-over-{card.id}")
        if on_assign is not None and assign:
            ui.button("Assign crew", icon="group_add", on_click=lambda: on_assign(card.id)).props(
                f'unelevated dense no-caps color=primary data-testid="assign-{card.id}"').mark(f"assign-{card.id}")


def job_card(card: JobCard, on_assign: AssignHandler | None, on_hand_over: AssignHandler | None = None) -> ui.card:
    # data-testid follows the live pages' selector contract (journey-card/-progress/-notes-<id>).
    element = ui.card().classes("w-full gap-2 q-pa-md").props(f'flat bordered data-testid="journey-card-{card.id}"')
    element.mark(f"job-card job-card-{card.id}")
    with element:
        fill_job_card(card, on_assign, on_hand_over)
    return element


def refill_job_card(element: ui.card, card: JobCard, on_assign: AssignHandler | None,
                    on_hand_over: AssignHandler | None = None, shown: JobCard | None = None) -> None:
    """Show `card` in a card built by `job_card`. Given what it `shown` so far, and the same buttons
    apply (their handlers take only the journey's id), only its HTML block is replaced (issue 18:
    a change reaches every open board; rebuilding each card's components was most of its cost)."""
    same_buttons = shown is not None and _actions(shown, on_assign, on_hand_over) == _actions(
        card, on_assign, on_hand_over)
    block = element.default_slot.children[0] if element.default_slot.children else None
    if same_buttons and isinstance(block, ui.html):
        block.set_content(card_html(card))
        return
    element.clear()
    with element:
        fill_job_card(card, on_assign, on_hand_over)
