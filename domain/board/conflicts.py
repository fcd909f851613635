"""Double-booking: which journeys already hold a truck or a crew member around a window.

A truck or a person can never be on two journeys whose windows overlap (cancelled journeys
don't count). The writes in `domain.board.assignment` and `domain.journeys.edit` lock the truck / user
rows (SELECT ... FOR UPDATE) before asking these questions, so that of two dispatchers racing
for the same truck the second one sees the first one's committed booking.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import JourneyStatus
from db.models import CrewAssignment, Journey, Location
from domain.errors import Conflict
from domain.journeys.labels import journey_label, window_label
from domain.timewindow import Window, journey_window

#: Journeys are at most this long (validated on write), so overlapping journeys lie within this
#: many days of each other's dates, whatever the locations' timezones.
SEARCH_DAYS = 2


@dataclass(frozen=True, slots=True)
class Booking:
    """A journey holding a resource: enough to name it in a refusal."""

    journey_id: int
    label: str
    customer_name: str
    window: Window
    timezone: str

    def describe(self) -> str:
        return f"{self.customer_name} ({self.label}), {window_label(self.window, self.timezone)}"


def _bookings_query(day: date, exclude_journey_id: int | None) -> Select:  # type: ignore[type-arg]
    query = (
        select(Journey.id, Journey.data_source, Journey.job_number, Journey.customer_name, Journey.journey_date,
               Journey.scheduled_start, Journey.scheduled_end, Location.timezone)
        .join(Location, Location.id == Journey.location_id)
        .where(Journey.status != JourneyStatus.CANCELLED,
               Journey.journey_date.between(day - timedelta(days=SEARCH_DAYS), day + timedelta(days=SEARCH_DAYS)))
        .order_by(Journey.scheduled_start, Journey.id)
    )
    if exclude_journey_id is not None:
        query = query.where(Journey.id != exclude_journey_id)
    return query


def _booking(row: Sequence) -> Booking:  # type: ignore[type-arg]
    journey_id, source, job_number, customer, day, start, end, timezone = row
    return Booking(journey_id, journey_label(journey_id, source, job_number), customer or "(no name)",
                   journey_window(day, start, end, timezone), timezone)


async def truck_bookings(session: AsyncSession, truck_ids: Iterable[int], day: date,
                         exclude_journey_id: int | None = None) -> dict[int, list[Booking]]:
    """Bookings of each truck within SEARCH_DAYS of `day`."""
    query = _bookings_query(day, exclude_journey_id).add_columns(Journey.truck_id).where(
        Journey.truck_id.in_(sorted(set(truck_ids)))
    )
    found: dict[int, list[Booking]] = defaultdict(list)
    for row in await session.execute(query):
        found[row[-1]].append(_booking(row[:-1]))
    return found


async def crew_bookings(session: AsyncSession, user_ids: Iterable[int], day: date,
                        exclude_journey_id: int | None = None) -> dict[int, list[Booking]]:
    """Bookings of each person within SEARCH_DAYS of `day`."""
    query = (
        _bookings_query(day, exclude_journey_id)
        .add_columns(CrewAssignment.user_id)
        .join(CrewAssignment, CrewAssignment.journey_id == Journey.id)
        .where(CrewAssignment.user_id.in_(sorted(set(user_ids))))
    )
    found: dict[int, list[Booking]] = defaultdict(list)
    for row in await session.execute(query):
        found[row[-1]].append(_booking(row[:-1]))
    return found


def first_overlap(bookings: Iterable[Booking], window: Window) -> Booking | None:
    return next((b for b in bookings if b.window.overlaps(window)), None)


def refuse(resource: str, booking: Booking, *, resource_kind: str, resource_id: int) -> Conflict:
    """The 409 naming the journey that already holds the resource."""
    return Conflict(
        f"{resource} is already booked on {booking.describe()}",
        details={"resource": resource_kind, "resource_id": resource_id, "journey_id": booking.journey_id,
                 "journey": booking.label, "customer_name": booking.customer_name},
    )
