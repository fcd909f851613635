"""What the Assign dialog offers: the location's active crew and trucks (own and lent), each
with the journey already holding it in the target journey's window, if any."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from db.models import Journey, Location
from domain.access.rbac import Permission, Principal, journey_scope
from domain.availability.periods import Period, off_on
from domain.board.conflicts import Booking, crew_bookings, first_overlap, truck_bookings
from domain.board.resources import crew_query, trucks_query
from domain.errors import NotFound
from domain.journeys.access import window_of
from domain.journeys.labels import journey_label, window_label
from domain.unit_of_work import read_session


@dataclass(frozen=True, slots=True)
class ResourceOption:
    id: int
    label: str
    #: Truck size, or the person's role (DRIVER / MOVER).
    detail: str
    lent: bool
    #: Already on the target journey.
    assigned: bool
    #: The journey holding it in the target window ("Olivia Smith (SM 100023-1), Fri 20 Nov 09:00–14:00").
    conflict: str | None = None
    conflict_journey_id: int | None = None
    #: Why it is off (out of service) on the journey's day: "Holiday (4 Dec 2026 to 6 Dec 2026)".
    off: str | None = None

    @property
    def available(self) -> bool:
        return self.conflict is None

    @property
    def state(self) -> str:
        """ "Free", "Off" or "Booked", as the dialog says it."""
        return "Booked" if self.conflict else "Off" if self.off else "Free"


@dataclass(frozen=True, slots=True)
class Availability:
    journey_id: int
    journey_label: str
    window: str
    trucks: tuple[ResourceOption, ...]
    crew: tuple[ResourceOption, ...]
    #: Current crew: user id → job role value.
    crew_roles: dict[int, str]
    truck_id: int | None
    #: The principal may assign someone off anyway (with a reason).
    may_override: bool = False
    customer_name: str = ""

    @property
    def title(self) -> str:
        """`Olivia First · Manual job`: how the dialog names the journey."""
        return " · ".join(x for x in (self.customer_name, self.journey_label) if x)


def _conflict(booking: Booking | None) -> dict[str, object]:
    return {"conflict": booking.describe(), "conflict_journey_id": booking.journey_id} if booking else {}


def _said(period: Period | None) -> str | None:
    return period.describe() if period else None


async def availability(principal: Principal, journey_id: int) -> Availability:
    principal.require(Permission.ASSIGN_CREW)
    async with read_session() as session:
        row = (
            await session.execute(
                select(Journey, Location).join(Location, Location.id == Journey.location_id)
                .where(Journey.id == journey_id, journey_scope(principal))
                .options(selectinload(Journey.crew))
            )
        ).first()
        if row is None:
            raise NotFound(f"journey {journey_id} not found")
        journey, location = row
        window = window_of(journey, location)
        day, company = journey.journey_date, journey.company_id
        trucks = (await session.execute(trucks_query(company, location.id, day))).all()
        people = (await session.execute(crew_query(company, location.id, day))).all()
        truck_busy = await truck_bookings(session, [t.id for t, _ in trucks], day, journey.id)
        crew_busy = await crew_bookings(session, [u.id for u, _ in people], day, journey.id)
        people_off, trucks_off = await off_on(session, day, user_ids=[u.id for u, _ in people],
                                              truck_ids=[t.id for t, _ in trucks])
    crew_roles = {a.user_id: a.role.value for a in journey.crew}
    return Availability(
        journey_id=journey.id,
        journey_label=journey_label(journey.id, journey.data_source, journey.job_number),
        customer_name=journey.customer_name or "",
        window=window_label(window, location.timezone),
        trucks=tuple(
            ResourceOption(t.id, t.number, t.size or "", bool(lent), t.id == journey.truck_id,
                           off=_said(trucks_off.get(t.id)),
                           **_conflict(first_overlap(truck_busy.get(t.id, []), window)))  # type: ignore[arg-type]
            for t, lent in trucks
        ),
        crew=tuple(
            ResourceOption(u.id, u.full_name, u.role.value, bool(lent), u.id in crew_roles,
                           off=_said(people_off.get(u.id)),
                           **_conflict(first_overlap(crew_busy.get(u.id, []), window)))  # type: ignore[arg-type]
            for u, lent in people
        ),
        crew_roles=crew_roles,
        truck_id=journey.truck_id,
        may_override=principal.can(Permission.OVERRIDE_AVAILABILITY),
    )
