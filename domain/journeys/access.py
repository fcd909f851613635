"""Loading a journey for a write: the permission, the scope (in SQL) and the row lock."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db.enums import JourneyStatus
from db.models import Journey, Location
from domain.access.rbac import Permission, Principal, journey_scope
from domain.errors import NotFound, ValidationFailed
from domain.timewindow import Window, journey_window

#: A journey in one of these states is history: its crew, truck and schedule no longer change.
CLOSED_STATUSES = frozenset({JourneyStatus.CANCELLED, JourneyStatus.COMPLETED, JourneyStatus.AUDITED})


async def journey_for_write(session: AsyncSession, principal: Principal, journey_id: int,
                            permission: Permission) -> tuple[Journey, Location]:
    """The journey (row-locked, crew loaded) and its location, if the principal holds the
    permission (else 403) and the journey is in their scope (else 404)."""
    principal.require(permission)
    row = (
        await session.execute(
            select(Journey, Location)
            .join(Location, Location.id == Journey.location_id)
            .where(Journey.id == journey_id, journey_scope(principal))
            .options(selectinload(Journey.crew))
            .with_for_update(of=Journey)
        )
    ).first()
    if row is None:
        raise NotFound(f"journey {journey_id} not found")
    return row[0], row[1]


def ensure_open(journey: Journey, doing: str) -> None:
    if journey.status in CLOSED_STATUSES:
        raise ValidationFailed(f"journey #{journey.id} is {journey.status.value.lower()}: cannot {doing}")


def window_of(journey: Journey, location: Location) -> Window:
    return journey_window(journey.journey_date, journey.scheduled_start, journey.scheduled_end, location.timezone)
