"""Who and what is off on a day: the one rule, as SQL (for the assignment's check and the
planner's read) and in Python (for a period already loaded).

A period covers whole local days of the journey's branch, `starts_on` to `ends_on` inclusive;
with `weekdays` only those days of the week (bit 0 Monday ... bit 6 Sunday)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Unavailability

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def weekday_bit(day: date) -> int:
    return 1 << day.weekday()


def covers(day: date) -> ColumnElement[bool]:
    """WHERE clause: the period covers `day`."""
    return and_(Unavailability.starts_on <= day, Unavailability.ends_on >= day,
                or_(Unavailability.weekdays.is_(None), Unavailability.weekdays.op("&")(weekday_bit(day)) != 0))


def touches(first: date, last: date) -> ColumnElement[bool]:
    """WHERE clause: the period's range meets [first, last] (its weekdays are checked in Python)."""
    return and_(Unavailability.starts_on <= last, Unavailability.ends_on >= first)


@dataclass(frozen=True, slots=True)
class Period:
    id: int
    user_id: int | None
    truck_id: int | None
    starts_on: date
    ends_on: date
    weekdays: int | None
    reason: str

    def covers(self, day: date) -> bool:
        in_range = self.starts_on <= day <= self.ends_on
        return in_range and (self.weekdays is None or bool(self.weekdays & weekday_bit(day)))

    def describe(self) -> str:
        """ "Holiday, 4 Dec–10 Dec" / "Night school, Tuesdays and Thursdays from 1 Dec to 31 Mar"."""
        span = (day_label(self.starts_on) if self.starts_on == self.ends_on
                else f"{day_label(self.starts_on)} to {day_label(self.ends_on)}")
        if self.weekdays is None:
            return f"{self.reason} ({span})"
        return f"{self.reason} ({weekdays_label(self.weekdays)}, {span})"


def day_label(day: date) -> str:
    """ "4 Dec 2026"."""
    return f"{day.day} {day:%b %Y}"


def weekdays_label(bits: int) -> str:
    names = [f"{name}s" for i, name in enumerate(WEEKDAY_NAMES) if bits & (1 << i)]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


_COLUMNS = (Unavailability.id, Unavailability.user_id, Unavailability.truck_id, Unavailability.starts_on,
            Unavailability.ends_on, Unavailability.weekdays, Unavailability.reason)


async def periods_between(session: AsyncSession, first: date, last: date, *, user_ids: Iterable[int] = (),
                          truck_ids: Iterable[int] = ()) -> list[Period]:
    """Periods of these people and trucks that meet [first, last] (one query)."""
    users, trucks = sorted(set(user_ids)), sorted(set(truck_ids))
    if not users and not trucks:
        return []
    query = select(*_COLUMNS).where(touches(first, last), or_(Unavailability.user_id.in_(users),
                                                               Unavailability.truck_id.in_(trucks)))
    return [Period(*row) for row in await session.execute(query.order_by(Unavailability.starts_on, Unavailability.id))]


async def off_on(session: AsyncSession, day: date, *, user_ids: Iterable[int] = (),
                 truck_ids: Iterable[int] = ()) -> tuple[dict[int, Period], dict[int, Period]]:
    """(user id → period, truck id → period) of those off on `day` (the first period of each)."""
    users: dict[int, Period] = {}
    trucks: dict[int, Period] = {}
    for period in await periods_between(session, day, day, user_ids=user_ids, truck_ids=truck_ids):
        if period.covers(day):
            if period.user_id is not None:
                users.setdefault(period.user_id, period)
            elif period.truck_id is not None:
                trucks.setdefault(period.truck_id, period)
    return users, trucks


def by_resource_day(periods: Iterable[Period], first: date, last: date) -> dict[tuple[str, int, date], Period]:
    """(("user" | "truck"), id, day) → the period keeping it off, for every day of [first, last]."""
    found: dict[tuple[str, int, date], Period] = {}
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    for period in periods:
        key = ("user", period.user_id) if period.user_id is not None else ("truck", period.truck_id)
        for day in days:
            if period.covers(day):
                found.setdefault((key[0], int(key[1] or 0), day), period)
    return found


def group_by_user(rows: Iterable[tuple[int, str]]) -> dict[int, frozenset[str]]:
    grouped: dict[int, set[str]] = defaultdict(set)
    for user_id, skill in rows:
        grouped[user_id].add(skill)
    return {user_id: frozenset(skills) for user_id, skills in grouped.items()}
