"""How journeys and their times are named to people (cards, conflict messages, audit views)."""

from __future__ import annotations

from datetime import datetime

from db.enums import DataSource, JourneyStatus, Phase
from domain.timewindow import Window, local_time


MANUAL_LABEL = "Manual job"


def journey_label(journey_id: int, data_source: DataSource, job_number: str | None) -> str:
    """`SM 100023-1` for a SmartMoving job, `Manual job` for a journey made here (its database id
    means nothing to people; the customer's name and time tell journeys apart)."""
    if data_source is DataSource.SMARTMOVING and job_number:
        return f"SM {job_number}"
    return MANUAL_LABEL


def clock(value: datetime | None, timezone: str) -> str:
    local = local_time(value, timezone)
    return local.strftime("%H:%M") if local else "—"


def window_label(window: Window, timezone: str) -> str:
    """`Fri 20 Nov 09:00–14:00` in the location's timezone."""
    start = local_time(window.start, timezone)
    assert start is not None
    return f"{start:%a %d %b} {clock(window.start, timezone)}–{clock(window.end, timezone)}"


def plain_words(value: str) -> str:
    """An enum value as people read it: `MORNING_PREP` → `Morning prep`."""
    return value.replace("_", " ").capitalize()


#: The one name of each phase, everywhere (pages, errors, the audit trail, exports).
PHASE_LABELS: dict[Phase, str] = {
    Phase.CREATION: "Job setup",
    Phase.MORNING_PREP: "Morning prep",
    Phase.PICKUP: "Pickup",
    Phase.TRANSPORT: "Transport",
    Phase.DELIVERY: "Delivery",
    Phase.COMPLETION: "Wrap-up",
}

STATUS_LABELS: dict[JourneyStatus, str] = {
    JourneyStatus.SCHEDULED: "Scheduled",
    JourneyStatus.MORNING_PREP: "Morning prep",
    JourneyStatus.EN_ROUTE: "En route",
    JourneyStatus.ONSITE: "On site",
    JourneyStatus.COMPLETED: "Completed",
    JourneyStatus.AUDITED: "Approved",
    JourneyStatus.CANCELLED: "Cancelled",
}
RETURNING = "Returning to base"


def phase_label(phase: Phase) -> str:
    return PHASE_LABELS[phase]


def status_label(status: JourneyStatus, phase: Phase | None = None) -> str:
    """The journey's status in words; during the wrap-up (the return to base) the stored ONSITE
    reads "Returning to base", not "On site"."""
    if status is JourneyStatus.ONSITE and phase is Phase.COMPLETION:
        return RETURNING
    return STATUS_LABELS[status]


def source_label(source: DataSource) -> str:
    """`SmartMoving` or `Manual`."""
    return "SmartMoving" if source is DataSource.SMARTMOVING else "Manual"


def zone_words(timezone: str) -> str:
    """`America/Toronto` → `Toronto time` (labels next to local times)."""
    return f"{timezone.rsplit('/', 1)[-1].replace('_', ' ')} time"
