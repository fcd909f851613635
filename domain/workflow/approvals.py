"""The desk's queues: completed phases waiting for a manager's or dispatcher's decision, and
journeys set up (truck and crew) whose job setup (CREATION) still has to be handed over."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, select

from db.enums import JourneyStatus, Phase, StepStatus
from db.models import CrewAssignment, Journey, JourneyStep, Location, Truck, User
from domain.access.rbac import Permission, Principal, journey_scope
from domain.paging import DEFAULT_PAGE_SIZE, Page, check_paging
from domain.unit_of_work import read_session
from domain.journeys.labels import PHASE_LABELS

#: The queue shows the oldest waiting phases first, this many at most.
APPROVAL_QUEUE_LIMIT = 100


@dataclass(frozen=True, slots=True)
class AwaitingApproval:
    journey_id: int
    journey_date: date
    location_name: str
    location_id: int
    timezone: str
    customer_name: str
    job_number: str | None
    phase: Phase
    phase_label: str
    completed_at: datetime | None
    completed_by: str | None


@dataclass(frozen=True, slots=True)
class QueueFilters:
    """Narrow the desk's queues: one branch, one journey day, one phase (None: all)."""

    location_id: int | None = None
    day: date | None = None
    phase: Phase | None = None

    def clauses(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.location_id is not None:
            found.append(Journey.location_id == self.location_id)
        if self.day is not None:
            found.append(Journey.journey_date == self.day)
        return found


def _awaiting_query(principal: Principal, filters: QueueFilters) -> Select[Any]:
    principal.require(Permission.APPROVE_STEPS)
    query = (
        select(JourneyStep.phase, JourneyStep.completed_at, Journey, Location.name, Location.timezone, User.full_name)
        .join(Journey, Journey.id == JourneyStep.journey_id)
        .join(Location, Location.id == Journey.location_id)
        .outerjoin(User, User.id == JourneyStep.completed_by_id)
        .where(JourneyStep.status == StepStatus.COMPLETED, Journey.status != JourneyStatus.CANCELLED,
               journey_scope(principal), *filters.clauses())
        .order_by(JourneyStep.completed_at.asc().nulls_first(), JourneyStep.id)
    )
    return query.where(JourneyStep.phase == filters.phase) if filters.phase is not None else query


def _awaiting(row: Any) -> AwaitingApproval:
    phase, completed_at, journey, location, tz, by = row
    return AwaitingApproval(journey_id=journey.id, journey_date=journey.journey_date, location_name=location,
                            location_id=journey.location_id, timezone=tz, customer_name=journey.customer_name,
                            job_number=journey.job_number, phase=phase, phase_label=PHASE_LABELS[phase],
                            completed_at=completed_at, completed_by=by)


async def awaiting_approval(principal: Principal, limit: int = APPROVAL_QUEUE_LIMIT,
                            filters: QueueFilters = QueueFilters()) -> list[AwaitingApproval]:
    """Completed, not yet approved phases of journeys in the principal's scope, oldest first."""
    query = _awaiting_query(principal, filters).limit(min(max(limit, 1), APPROVAL_QUEUE_LIMIT))
    async with read_session() as session:
        rows = (await session.execute(query)).all()
    return [_awaiting(row) for row in rows]


async def approval_queue(principal: Principal, filters: QueueFilters = QueueFilters(), *, page: int = 1,
                         page_size: int = DEFAULT_PAGE_SIZE) -> Page[AwaitingApproval]:
    """One page of the approval queue (oldest waiting first) and how many wait in all."""
    check_paging(page, page_size)
    query = _awaiting_query(principal, filters)
    async with read_session() as session:
        total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
        rows = (await session.execute(query.limit(page_size).offset((page - 1) * page_size))).all()
    return Page([_awaiting(row) for row in rows], total, page, page_size)


@dataclass(frozen=True, slots=True)
class ReadyForCrew:
    journey_id: int
    journey_date: date
    scheduled_start: datetime | None
    timezone: str
    location_name: str
    customer_name: str
    job_number: str | None
    truck_number: str


async def ready_for_crew(principal: Principal, limit: int = APPROVAL_QUEUE_LIMIT,
                         filters: QueueFilters = QueueFilters()) -> list[ReadyForCrew]:
    """Journeys in scope with a truck and a crew whose job setup is not completed yet, soonest first."""
    principal.require(Permission.ASSIGN_CREW)
    has_crew = exists(select(CrewAssignment.id).where(CrewAssignment.journey_id == Journey.id))
    query = (
        select(Journey, Location.name, Location.timezone, Truck.number)
        .join(JourneyStep, (JourneyStep.journey_id == Journey.id) & (JourneyStep.phase == Phase.CREATION))
        .join(Location, Location.id == Journey.location_id)
        .join(Truck, Truck.id == Journey.truck_id)
        .where(JourneyStep.status.in_((StepStatus.PENDING, StepStatus.IN_PROGRESS)),
               Journey.status != JourneyStatus.CANCELLED, has_crew, journey_scope(principal), *filters.clauses())
        .order_by(Journey.journey_date, Journey.scheduled_start, Journey.id)
        .limit(min(max(limit, 1), APPROVAL_QUEUE_LIMIT))
    )
    async with read_session() as session:
        rows = (await session.execute(query)).all()
    return [
        ReadyForCrew(journey_id=journey.id, journey_date=journey.journey_date,
                     scheduled_start=journey.scheduled_start, timezone=tz, location_name=location,
                     customer_name=journey.customer_name, job_number=journey.job_number, truck_number=truck)
        for journey, location, tz, truck in rows
    ]
