"""Putting a crew and a truck on a journey, without ever double-booking either.

Rules: a truck or a person is never on two journeys whose windows overlap; trucks and crew
belong to the journey's location (truck.location_id, user ASSIGNED link) or are lent to it for
the day, and are active; only drivers and movers can be crew, and only a driver takes the job
role DRIVER (anyone on the crew may be FOREMAN).

Concurrency: the checks run after `SELECT ... FOR UPDATE` on the truck and user rows, in a fixed
order (journey, truck, users by id), inside the same transaction as the write. A second
dispatcher booking the same truck waits for the first to commit, then sees that booking.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Final

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import CrewRole, Role, UserStatus
from db.models import CrewAssignment, Journey, Location, Truck, User
from domain.access.rbac import Permission, Principal
from domain.audit import record as audit
from domain.audit.record import audited_write
from domain.availability.periods import off_on
from domain.board.conflicts import crew_bookings, first_overlap, refuse, truck_bookings
from domain.board.resources import CREW_USER_ROLES, usable_crew, usable_trucks
from domain.errors import Conflict, ValidationFailed
from domain.events import bus as events
from domain.events.bus import DomainEvent, EventType
from domain.journeys.access import ensure_open, load_journey, window_of
from domain.timewindow import Window
from domain.unit_of_work import unit_of_work

#: Largest crew one journey may have.
MAX_CREW_SIZE = 12


class _Unchanged(Enum):
    UNCHANGED = "unchanged"


#: Pass as `truck_id` to leave the truck as it is (None removes it).
UNCHANGED: Final = _Unchanged.UNCHANGED


@dataclass(frozen=True, slots=True)
class CrewChoice:
    user_id: int
    role: CrewRole


#: The longest override reason kept.
MAX_OVERRIDE_REASON = 200


@dataclass(slots=True)
class Overrides:
    """Who is off or out of service on the journey's day: refused (409, with the reason in words),
    unless an admin gave a reason to assign them anyway; then each is noted for the audit trail."""

    reason: str | None
    may_override: bool
    used: list[str] = field(default_factory=list)

    def allow(self, what: str, *, resource_kind: str, resource_id: int) -> None:
        if self.reason is None:
            raise Conflict(what, details={"resource": resource_kind, "resource_id": resource_id, "unavailable": True,
                                          "overridable": self.may_override})
        self.used.append(what)


def overrides_for(principal: Principal, reason: str | None) -> Overrides:
    """The override an assignment carries: none without a reason; a reason needs the permission."""
    if reason is None:
        return Overrides(None, principal.can(Permission.OVERRIDE_AVAILABILITY))
    principal.require(Permission.OVERRIDE_AVAILABILITY)
    reason = reason.strip()
    if not reason:
        raise ValidationFailed("Give a reason to assign someone who is off")
    if len(reason) > MAX_OVERRIDE_REASON:
        raise ValidationFailed(f"The reason is at most {MAX_OVERRIDE_REASON} characters")
    return Overrides(reason, True)


def _crew_state(journey: Journey) -> list[dict[str, object]]:
    return [{"user_id": a.user_id, "role": a.role} for a in sorted(journey.crew, key=lambda a: a.user_id)]


async def check_truck(session: AsyncSession, journey: Journey, location: Location, truck_id: int,
                      window: Window, overrides: Overrides | None = None) -> Truck:
    """Lock the truck row, then refuse it unless usable by the location and free in `window`."""
    truck = await session.scalar(select(Truck).where(Truck.id == truck_id).with_for_update())
    if truck is None or truck.company_id != journey.company_id:
        raise ValidationFailed(f"truck {truck_id} not found")
    if not truck.active:
        raise ValidationFailed(f"truck {truck.number} is not active")
    usable = await session.scalar(
        select(exists().where(Truck.id == truck.id,
                              usable_trucks(journey.company_id, location.id, journey.journey_date)))
    )
    if not usable:
        raise ValidationFailed(
            f"truck {truck.number} belongs to another location and is not lent to {location.name} "
            f"on {journey.journey_date:%Y-%m-%d}"
        )
    booking = first_overlap((await truck_bookings(session, [truck.id], journey.journey_date, journey.id))[truck.id],
                            window)
    if booking:
        raise refuse(f"truck {truck.number}", booking, resource_kind="truck", resource_id=truck.id)
    if overrides is not None:
        _users, trucks_off = await off_on(session, journey.journey_date, truck_ids=[truck.id])
        if truck.id in trucks_off:
            overrides.allow(f"Truck {truck.number} is out of service: {trucks_off[truck.id].describe()}",
                            resource_kind="truck", resource_id=truck.id)
    return truck


def job_roles_for(user_role: str) -> tuple[CrewRole, ...]:
    """The roles on a job a crew member may take (`user_role`: a `Role` value), the usual one first:
    a driver drives, moves or leads; a mover moves or leads."""
    if user_role == Role.DRIVER.value:
        return (CrewRole.DRIVER, CrewRole.MOVER, CrewRole.FOREMAN)
    return (CrewRole.MOVER, CrewRole.FOREMAN)


def _check_role(user: User, role: CrewRole) -> None:
    if user.role not in CREW_USER_ROLES:
        raise ValidationFailed(f"{user.full_name} is a {user.role.value.lower()}: only drivers and movers can be crew")
    if role is CrewRole.DRIVER and user.role is not Role.DRIVER:
        raise ValidationFailed(f"{user.full_name} is a mover, not a driver: choose the role MOVER or FOREMAN")


async def check_crew(session: AsyncSession, journey: Journey, location: Location, choices: Sequence[CrewChoice],
                     window: Window, overrides: Overrides | None = None,
                     newcomers: frozenset[int] = frozenset()) -> None:
    """Lock the users' rows (by id), then refuse any who may not or cannot be on this journey;
    with `overrides`, also the `newcomers` who are off that day."""
    ids = [c.user_id for c in choices]
    if not ids:
        return
    users = {
        u.id: u
        for u in await session.scalars(select(User).where(User.id.in_(sorted(ids))).order_by(User.id).with_for_update())
    }
    usable = set(
        await session.scalars(
            select(User.id).where(User.id.in_(ids), usable_crew(journey.company_id, location.id, journey.journey_date))
        )
    )
    bookings = await crew_bookings(session, ids, journey.journey_date, journey.id)
    off = (await off_on(session, journey.journey_date, user_ids=newcomers & set(ids)))[0] if overrides else {}
    for choice in choices:
        user = users.get(choice.user_id)
        if user is None or user.company_id != journey.company_id:
            raise ValidationFailed(f"user {choice.user_id} not found")
        _check_role(user, choice.role)
        if user.status is not UserStatus.ACTIVE:
            raise ValidationFailed(f"{user.full_name} is not active")
        if user.id not in usable:
            raise ValidationFailed(
                f"{user.full_name} does not work at {location.name} and is not lent to it "
                f"on {journey.journey_date:%Y-%m-%d}"
            )
        booking = first_overlap(bookings.get(user.id, []), window)
        if booking:
            raise refuse(user.full_name, booking, resource_kind="user", resource_id=user.id)
        if overrides is not None and user.id in off:
            overrides.allow(f"{user.full_name} is off: {off[user.id].describe()}", resource_kind="user",
                            resource_id=user.id)


def _validate_choices(crew: Sequence[CrewChoice]) -> None:
    if len(crew) > MAX_CREW_SIZE:
        raise ValidationFailed(f"a crew has at most {MAX_CREW_SIZE} people")
    if len({c.user_id for c in crew}) != len(crew):
        raise ValidationFailed("the same person is on the crew twice")


def _apply_crew(journey: Journey, crew: Sequence[CrewChoice], principal: Principal) -> None:
    wanted = {c.user_id: c.role for c in crew}
    for assignment in list(journey.crew):
        if assignment.user_id not in wanted:
            journey.crew.remove(assignment)
        else:
            assignment.role = wanted.pop(assignment.user_id)
    for user_id, role in wanted.items():
        journey.crew.append(CrewAssignment(user_id=user_id, role=role, journey_date=journey.journey_date,
                                           assigned_by_id=principal.user_id))


@audited_write
async def assign(principal: Principal, journey_id: int, *, truck_id: int | _Unchanged | None = UNCHANGED,
                 crew: Sequence[CrewChoice] | None = None, join: CrewChoice | None = None,
                 override_reason: str | None = None) -> None:
    """Set the journey's truck (None removes it; UNCHANGED leaves it) and/or its whole crew
    (None leaves it; an empty list removes everyone). 409 names the journey already holding a
    truck or person, or says who is off (or which truck is out of service) that day and why;
    422 for anyone or anything the location may not use. `override_reason` (OVERRIDE_AVAILABILITY):
    assign those who are off anyway; the override is audited with its reason. `join` (instead of
    `crew`): the crew as it is when the journey is locked, plus this person (the planner's drop)."""
    overrides = overrides_for(principal, override_reason)
    async with unit_of_work() as session:
        journey, location = await load_journey(session, principal, journey_id, require=Permission.ASSIGN_CREW,
                                               for_update=True, with_crew=True)
        ensure_open(journey, "change its crew or truck")
        window = window_of(journey, location)
        old = {"truck_id": journey.truck_id, "crew": _crew_state(journey)}
        old_crew_ids = {a.user_id for a in journey.crew}
        if join is not None:
            if join.user_id in old_crew_ids:
                raise ValidationFailed("That person is already on this crew")
            crew = [*(CrewChoice(a.user_id, a.role) for a in journey.crew), join]
        if truck_id is not UNCHANGED and truck_id != journey.truck_id:
            if truck_id is not None:
                await check_truck(session, journey, location, truck_id, window, overrides)
            journey.truck_id = truck_id
        if crew is not None:
            _validate_choices(crew)
            await check_crew(session, journey, location, crew, window, overrides,
                             frozenset(c.user_id for c in crew) - old_crew_ids)
            _apply_crew(journey, crew, principal)
        new = {"truck_id": journey.truck_id, "crew": _crew_state(journey)}
        if new == old:
            return
        await session.flush()
        audit.record(session, principal, "journey.assign", "journey", journey.id, old=old, new=new)
        if overrides.used:
            audit.record(session, principal, "journey.assign_override", "journey", journey.id,
                         new={"reason": overrides.reason, "unavailable": overrides.used})
        crew_ids = tuple(sorted(old_crew_ids | {a.user_id for a in journey.crew}))
        for changed, kind in ((old["truck_id"] != new["truck_id"], EventType.TRUCK_ASSIGNED),
                              (old["crew"] != new["crew"], EventType.CREW_ASSIGNED)):
            if changed:
                events.queue(session, DomainEvent(kind, journey.company_id, journey.location_id, journey.id,
                                                  user_ids=crew_ids))
