"""How a journey's day and times read on the desk's lists: `Tue 3 Nov 2026`, `09:00–13:00`
(24-hour, in the branch's own time zone: the domain hands over local times)."""

from __future__ import annotations

from datetime import date, datetime


def day_words(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def hours_words(start: datetime | None, end: datetime | None) -> str:
    if start is None:
        return "All day"
    return f"{start:%H:%M}–{end:%H:%M}" if end is not None else f"from {start:%H:%M}"
