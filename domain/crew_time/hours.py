"""Hours from clock events, and payroll's rules over them (pure functions, no database).

- A person's time on a journey runs from their start of day to their end of day, less their
  breaks (break start to break end; a break still running at the end of day ends there). Without
  an end of day the time runs to their last event and the day is flagged; without a start of day
  nothing counts and the day is flagged.
- A person's day is the sum over that day's journeys. **Rounding is applied per day**: the day's
  worked time, rounded to the nearest `rounding_minutes` (halves round up), e.g. 8 h 07 → 8 h 00,
  8 h 08 → 8 h 15 with 15 minutes; 6 minutes rounds to tenths of an hour.
- **Overtime**: first daily — the rounded day's minutes beyond `daily_overtime_after_minutes`;
  then weekly — the regular minutes of a week (Monday to Sunday) beyond
  `weekly_overtime_after_minutes`, counted in day order, so no minute is overtime twice. A pay
  period counts the weeks' days inside it only.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from db.enums import ClockKind
from domain.crew_time.rules import TimeRules
from domain.crew_time.schemas import week_start


@dataclass(frozen=True, slots=True)
class Stamp:
    kind: ClockKind
    at: datetime


@dataclass(frozen=True, slots=True)
class JourneyHours:
    start: datetime | None
    end: datetime | None
    worked_seconds: int
    break_seconds: int
    #: What makes the figures doubtful, in words ("no end of day").
    problems: tuple[str, ...]


def journey_hours(stamps: Iterable[Stamp]) -> JourneyHours:
    ordered = sorted(stamps, key=lambda s: s.at)
    starts = [s.at for s in ordered if s.kind is ClockKind.START_OF_DAY]
    ends = [s.at for s in ordered if s.kind is ClockKind.END_OF_DAY]
    if not starts:
        return JourneyHours(None, ends[-1] if ends else None, 0, 0, ("no start of day",))
    start = starts[0]
    problems: list[str] = []
    if ends:
        end = ends[-1]
    else:
        end = ordered[-1].at
        problems.append("no end of day")
    if end < start:
        return JourneyHours(start, end, 0, 0, ("end of day before start of day",))
    breaks, opened = 0.0, None
    for stamp in ordered:
        if stamp.kind is ClockKind.BREAK_START and opened is None:
            opened = stamp.at
        elif stamp.kind is ClockKind.BREAK_END and opened is not None:
            breaks += _overlap(opened, stamp.at, start, end)
            opened = None
    if opened is not None:
        breaks += _overlap(opened, end, start, end)
        problems.append("a break never ended")
    span = (end - start).total_seconds()
    return JourneyHours(start, end, int(max(0.0, span - breaks)), int(breaks), tuple(problems))


def _overlap(a: datetime, b: datetime, start: datetime, end: datetime) -> float:
    return max(0.0, (min(b, end) - max(a, start)).total_seconds())


def rounded_minutes(seconds: int, step: int) -> int:
    """`seconds` in minutes, to the nearest `step` minutes (halves up)."""
    whole, rest = divmod(max(seconds, 0), step * 60)
    return (whole + (1 if 2 * rest >= step * 60 else 0)) * step


@dataclass(frozen=True, slots=True)
class PaidDay:
    day: date
    minutes: int  # rounded
    regular: int
    overtime: int


def paid_days(day_minutes: Mapping[date, int], rules: TimeRules) -> list[PaidDay]:
    """Regular and overtime minutes of each day (`day_minutes` already rounded), in day order."""
    daily = rules.daily_overtime_after_minutes
    weekly = rules.weekly_overtime_after_minutes
    week_regular: dict[date, int] = {}
    paid: list[PaidDay] = []
    for day in sorted(day_minutes):
        minutes = day_minutes[day]
        overtime = max(0, minutes - daily) if daily is not None else 0
        regular = minutes - overtime
        if weekly is not None:
            week = week_start(day)
            so_far = week_regular.get(week, 0)
            beyond = max(0, so_far + regular - weekly)
            regular -= beyond
            overtime += beyond
            week_regular[week] = so_far + regular
        paid.append(PaidDay(day, minutes, regular, overtime))
    return paid


def hours(minutes: int) -> Decimal:
    """Minutes as hours with two decimals (quarters and tenths are exact)."""
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"))


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """The great-circle distance in metres (haversine, mean Earth radius)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lng2 - lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(a))
