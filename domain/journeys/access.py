"""Loading "a journey this principal may read or write": the permission, the scope (in SQL) and
the row lock — the one loader of the journey edits, the assignment, the status page, the workflow
and its media.

A journey outside the principal's scope is "not found" (its existence is not revealed); a
principal without the permission asked for is "forbidden", before anything is read."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db.enums import JourneyStatus
from db.models import Journey, Location
from db.models.base import MAX_ROW_ID
from domain.access.rbac import Permission, Principal, journey_scope
from domain.errors import NotFound, ValidationFailed
from domain.journeys.labels import status_label
from domain.timewindow import Window, journey_window

#: A journey in one of these states is history: its crew, truck and schedule no longer change.
CLOSED_STATUSES = frozenset({JourneyStatus.CANCELLED, JourneyStatus.COMPLETED, JourneyStatus.AUDITED})


async def load_journey(session: AsyncSession, principal: Principal, journey_id: int, *,
                       require: Permission | None = None, for_update: bool = False,
                       with_crew: bool = False) -> tuple[Journey, Location]:
    """The journey and its location, if the principal holds `require` (else 403) and the journey
    is in their scope (else 404). `for_update`: the journey's row is locked for the transaction;
    `with_crew`: its crew assignments are loaded with it."""
    if require is not None:
        principal.require(require)
    if not 1 <= journey_id <= MAX_ROW_ID:  # no row has it: not worth a query
        raise NotFound(f"journey {journey_id} not found")
    query = (
        select(Journey, Location)
        .join(Location, Location.id == Journey.location_id)
        .where(Journey.id == journey_id, journey_scope(principal))
    )
    if with_crew:
        query = query.options(selectinload(Journey.crew))
    if for_update:
        query = query.with_for_update(of=Journey)
    row = (await session.execute(query)).first()
    if row is None:
        raise NotFound(f"journey {journey_id} not found")
    return row[0], row[1]


def ensure_open(journey: Journey, doing: str) -> None:
    if journey.status in CLOSED_STATUSES:
        who = f" of {journey.customer_name}" if journey.customer_name else ""
        raise ValidationFailed(f"The journey{who} is {status_label(journey.status).lower()}: "
                               f"you can no longer {doing}")


def window_of(journey: Journey, location: Location) -> Window:
    return journey_window(journey.journey_date, journey.scheduled_start, journey.scheduled_end, location.timezone)
