"""How journeys and their times are named to people (cards, conflict messages, audit views)."""

from __future__ import annotations

from datetime import datetime

from db.enums import DataSource, JourneyStatus
from domain.timewindow import Window, local_time


def journey_label(journey_id: int, data_source: DataSource, job_number: str | None) -> str:
    """`SM 100023-1` for a SmartMoving job, `#42` for a manual journey."""
    if data_source is DataSource.SMARTMOVING and job_number:
        return f"SM {job_number}"
    return f"#{journey_id}"


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


def status_label(status: JourneyStatus) -> str:
    return plain_words(status.value)


def source_label(source: DataSource) -> str:
    """`SmartMoving` or `Manual`."""
    return "SmartMoving" if source is DataSource.SMARTMOVING else "Manual"
