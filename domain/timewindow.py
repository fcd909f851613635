"""Time windows of journeys, in UTC, and each location's own "today".

Datetimes are stored in UTC (SQLite keeps no offset, so a naive value read back is UTC).
A journey occupies [scheduled_start, scheduled_end); a missing start or end falls back to the
beginning or end of its local day, so a journey without times blocks the whole local day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo


@cache
def zone(name: str) -> ZoneInfo:
    """The time zone, kept: ZoneInfo's own cache holds 8, a company's branches span more (13 in
    the bench data), and a zone dropped from it is read from disk again."""
    return ZoneInfo(name)


@dataclass(frozen=True, slots=True)
class Window:
    start: datetime
    end: datetime

    def overlaps(self, other: Window) -> bool:
        """Half-open intervals: a journey ending at 12:00 and one starting at 12:00 don't overlap."""
        return self.start < other.end and other.start < self.end


def as_utc(value: datetime | None) -> datetime | None:
    """An aware UTC datetime; naive values (as SQLite returns them) are taken to be UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def localize(value: datetime, timezone: str) -> datetime:
    """Give a naive wall-clock time the location's timezone; aware values are kept as they are."""
    return value.replace(tzinfo=zone(timezone)) if value.tzinfo is None else value


def local_day(day: date, timezone: str) -> Window:
    """The location's local calendar day, midnight to midnight (23 or 25 hours on DST days)."""
    tz = zone(timezone)
    start = datetime.combine(day, time(0), tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tz)
    return Window(start.astimezone(UTC), end.astimezone(UTC))


def journey_window(day: date, start: datetime | None, end: datetime | None, timezone: str) -> Window:
    whole_day = local_day(day, timezone)
    return Window(as_utc(start) or whole_day.start, as_utc(end) or whole_day.end)


def today_in(timezone: str, now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(zone(timezone)).date()


def local_time(value: datetime | None, timezone: str) -> datetime | None:
    """A stored (UTC) datetime shown in the location's timezone."""
    aware = as_utc(value)
    return aware.astimezone(zone(timezone)) if aware else None
