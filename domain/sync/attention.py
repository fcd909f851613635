"""No silent change to a plan: what the sync does to a journey someone already planned, and the
"Needs attention" list.

A journey is planned when it has a truck or crew, or its work has started. When SmartMoving
changes such a journey:

- cancelled, lost, un-booked or gone → its truck and crew are released (they are free for other
  work), and it needs attention (CANCELLED, or GONE when SmartMoving no longer has the job); a
  journey already COMPLETED or AUDITED keeps its crew and truck (they are its record) and is
  only flagged;
- its date or times changed → the assignment stays while it is still valid; when the new time
  overlaps another booking of the truck or of a crew member (`domain.board.conflicts`), truck
  and crew are released and it needs attention (CONFLICT); when it is still valid it needs
  attention all the same (RESCHEDULED: the plan moved, the crew must hear of it);
- its addresses or branch changed → it needs attention (CHANGED), the assignment stays.

Each entry holds the old → new values and what was released; the journey's event (queued by the
store) names the crew concerned, released ones included, so their phones refresh.
Runs in the sync's write transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import JourneyStatus, Phase
from db.models import CrewAssignment, Journey, JourneyAttention, Location, utcnow
from domain.access.rbac import Permission, Principal, journey_scope
from domain.audit import record as audit
from domain.audit.record import audited_write
from domain.errors import NotFound
from domain.board.conflicts import crew_bookings, first_overlap, truck_bookings
from domain.sync.mapping import GONE_HASH, SCHEDULE_CHANGE_COLUMNS, plan_changes
from domain.timewindow import journey_window
from domain.unit_of_work import read_session, unit_of_work

CANCELLED, GONE, CONFLICT, RESCHEDULED, CHANGED = "CANCELLED", "GONE", "CONFLICT", "RESCHEDULED", "CHANGED"
#: Kinds that released the truck and crew.
RELEASING = frozenset({CANCELLED, GONE, CONFLICT})
#: Work done: its crew and truck are its record, never released (the change is only flagged).
FINISHED = frozenset({JourneyStatus.COMPLETED, JourneyStatus.AUDITED})


@dataclass(frozen=True, slots=True)
class PlanState:
    """A journey's plan as it was before the sync wrote it."""

    journey_id: int
    status: JourneyStatus
    phase: Phase
    truck_id: int | None
    crew_user_ids: tuple[int, ...]

    @property
    def planned(self) -> bool:
        started = self.phase is not Phase.CREATION or self.status not in (JourneyStatus.SCHEDULED,
                                                                          JourneyStatus.CANCELLED)
        return self.status is not JourneyStatus.CANCELLED and (
            self.truck_id is not None or bool(self.crew_user_ids) or started)


@dataclass(frozen=True, slots=True)
class Raised:
    """An attention entry the sync raised for a journey."""

    kind: str
    reason: str
    released_user_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class AttentionItem:
    """Read model of one "Needs attention" entry (no customer money: every desk role may see it)."""

    id: int
    journey_id: int
    location_id: int
    journey_date: date
    customer_name: str
    job_number: str | None
    status: JourneyStatus
    kind: str
    reason: str
    changes: dict[str, list[Any]]
    released: dict[str, Any]
    raised_at: datetime
    resolved_at: datetime | None
    #: The journey's branch time zone (the changed times are shown in it).
    timezone: str = "UTC"


async def plan_states(session: AsyncSession, journey_ids: Iterable[int]) -> dict[int, PlanState]:
    """The plans of these journeys, their rows locked until the sync's write commits (a
    dispatcher assigning meanwhile waits, then sees the sync's outcome)."""
    ids = sorted(set(journey_ids))
    if not ids:
        return {}
    crew: dict[int, list[int]] = defaultdict(list)
    for journey_id, user_id in await session.execute(
            select(CrewAssignment.journey_id, CrewAssignment.user_id).where(CrewAssignment.journey_id.in_(ids))
            .order_by(CrewAssignment.user_id)):
        crew[journey_id].append(user_id)
    rows = await session.execute(
        select(Journey.id, Journey.status, Journey.current_phase, Journey.truck_id)
        .where(Journey.id.in_(ids)).with_for_update())
    return {journey_id: PlanState(journey_id, status, phase, truck_id, tuple(crew.get(journey_id, ())))
            for journey_id, status, phase, truck_id in rows}


async def guard_plans(session: AsyncSession, company_id: int,
                      changed: list[tuple[int, dict[str, Any], dict[str, Any]]],
                      before: dict[int, PlanState]) -> dict[int, Raised]:
    """For each written journey (id, new values, old values) that was planned: release and flag
    as the module says. Runs after the upsert (other journeys' new times are in place)."""
    candidates = [(journey_id, new, old) for journey_id, new, old in changed
                  if journey_id in before and before[journey_id].planned]
    if not candidates:
        return {}
    zones: dict[int, str] = {location_id: timezone for location_id, timezone in await session.execute(
        select(Location.id, Location.timezone).where(
            Location.id.in_({new["location_id"] for _, new, _ in candidates})))}
    raised: dict[int, Raised] = {}
    for journey_id, new, old in candidates:
        plan = before[journey_id]
        changes = plan_changes(new, old)
        if new["status"] is JourneyStatus.CANCELLED:
            kind = GONE if new.get("external_hash") == GONE_HASH or "no longer" in (new.get("sync_reason") or "") \
                else CANCELLED
            changes = {"status": [plan.status.value, JourneyStatus.CANCELLED.value], **changes}
            reason = new.get("sync_reason") or "cancelled in SmartMoving"
        elif any(column in changes for column in SCHEDULE_CHANGE_COLUMNS):
            clash = await _clash(session, plan, new, zones.get(new["location_id"], "UTC"))
            kind, reason = (CONFLICT, f"the new time overlaps {clash}") if clash else (
                RESCHEDULED, "rescheduled in SmartMoving; the truck and crew are still free then")
        elif changes:
            kind, reason = CHANGED, "changed in SmartMoving"
        else:
            continue
        released_users: tuple[int, ...] = ()
        released: dict[str, Any] = {}
        if kind in RELEASING and plan.status not in FINISHED and (plan.truck_id is not None or plan.crew_user_ids):
            released_users = plan.crew_user_ids
            released = {"truck_id": plan.truck_id, "crew_user_ids": list(plan.crew_user_ids)}
            await session.execute(delete(CrewAssignment).where(CrewAssignment.journey_id == journey_id))
            await session.execute(update(Journey).where(Journey.id == journey_id).values(truck_id=None))
        session.add(JourneyAttention(company_id=company_id, location_id=new["location_id"], journey_id=journey_id,
                                     kind=kind, reason=reason[:1000], changes=changes, released=released))
        raised[journey_id] = Raised(kind, reason, released_users)
    return raised


async def _clash(session: AsyncSession, plan: PlanState, new: dict[str, Any], timezone: str) -> str | None:
    """The booking the journey's new time overlaps, for its truck or a crew member, if any."""
    window = journey_window(new["journey_date"], new.get("scheduled_start"), new.get("scheduled_end"), timezone)
    if plan.truck_id is not None:
        bookings = await truck_bookings(session, [plan.truck_id], new["journey_date"], plan.journey_id)
        if booking := first_overlap(bookings.get(plan.truck_id, []), window):
            return f"the truck's booking on {booking.describe()}"
    if plan.crew_user_ids:
        bookings = await crew_bookings(session, plan.crew_user_ids, new["journey_date"], plan.journey_id)
        for user_id in plan.crew_user_ids:
            if booking := first_overlap(bookings.get(user_id, []), window):
                return f"a crew member's booking on {booking.describe()}"
    return None


async def needs_attention(session: AsyncSession, principal: Principal, *, location_ids: Iterable[int] | None = None,
                          first: date | None = None, last: date | None = None, include_resolved: bool = False,
                          limit: int = 200) -> list[AttentionItem]:
    """The "Needs attention" entries of the journeys the principal may see (newest first),
    optionally of some locations and journey dates; open ones only unless told."""
    query = (
        select(JourneyAttention, Journey.journey_date, Journey.customer_name, Journey.job_number, Journey.status,
               Location.timezone)
        .join(Journey, Journey.id == JourneyAttention.journey_id)
        .join(Location, Location.id == Journey.location_id)
        .where(journey_scope(principal))
        .order_by(JourneyAttention.raised_at.desc(), JourneyAttention.id.desc())
        .limit(max(1, min(limit, 1000)))
    )
    if not include_resolved:
        query = query.where(JourneyAttention.resolved_at.is_(None))
    if location_ids is not None:
        query = query.where(JourneyAttention.location_id.in_(sorted(set(location_ids))))
    if first is not None:
        query = query.where(Journey.journey_date >= first)
    if last is not None:
        query = query.where(Journey.journey_date <= last)
    return [AttentionItem(a.id, a.journey_id, a.location_id, day, customer or "", job_number, status, a.kind,
                          a.reason, dict(a.changes or {}), dict(a.released or {}), a.raised_at, a.resolved_at,
                          timezone)
            for a, day, customer, job_number, status, timezone in await session.execute(query)]


async def attention_list(principal: Principal, location_id: int | None = None, *, company_id: int | None = None,
                         limit: int = 50) -> list[AttentionItem]:
    """The open "Needs attention" entries a page shows: of one location, of one company (the
    super admin's company page), or all in scope."""
    async with read_session() as session:
        location_ids: list[int] | None = None if location_id is None else [location_id]
        if company_id is not None:
            principal.require_company_access(company_id)
            location_ids = list(await session.scalars(select(Location.id).where(Location.company_id == company_id)))
        return await needs_attention(session, principal, limit=limit, location_ids=location_ids)


@audited_write
async def resolve_attention(principal: Principal, attention_id: int) -> None:
    """Mark an entry handled (the dispatcher has re-planned the journey or told the crew): it
    leaves the list; who and when are kept, and audited."""
    principal.require(Permission.ASSIGN_CREW)
    async with unit_of_work() as session:
        entry = await session.scalar(
            select(JourneyAttention).join(Journey, Journey.id == JourneyAttention.journey_id)
            .where(JourneyAttention.id == attention_id, journey_scope(principal)).with_for_update())
        if entry is None:
            raise NotFound(f"attention entry {attention_id} not found")
        if entry.resolved_at is not None:
            return
        entry.resolved_at, entry.resolved_by_id = utcnow(), principal.user_id
        audit.record(session, principal, "resolve", "journey_attention", entry.id,
                     old={"kind": entry.kind, "journey_id": entry.journey_id}, new={"resolved": True},
                     company_id=entry.company_id)
