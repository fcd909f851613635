"""The approval queue: completed phases waiting for a manager's or dispatcher's decision."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from db.enums import JourneyStatus, Phase, StepStatus
from db.models import Journey, JourneyStep, Location, User
from domain.rbac import Principal, journey_scope
from domain.unit_of_work import read_session
from domain.workflow import PHASE_LABELS

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


async def awaiting_approval(principal: Principal, limit: int = APPROVAL_QUEUE_LIMIT) -> list[AwaitingApproval]:
    """Completed, not yet approved phases of journeys in the principal's scope."""
    principal.require("can_approve_steps")
    query = (
        select(JourneyStep.phase, JourneyStep.completed_at, Journey, Location.name, Location.timezone, User.full_name)
        .join(Journey, Journey.id == JourneyStep.journey_id)
        .join(Location, Location.id == Journey.location_id)
        .outerjoin(User, User.id == JourneyStep.completed_by_id)
        .where(JourneyStep.status == StepStatus.COMPLETED, Journey.status != JourneyStatus.CANCELLED,
               journey_scope(principal))
        .order_by(JourneyStep.completed_at.asc().nulls_first(), JourneyStep.id)
        .limit(min(max(limit, 1), APPROVAL_QUEUE_LIMIT))
    )
    async with read_session() as session:
        rows = (await session.execute(query)).all()
    return [
        AwaitingApproval(journey_id=journey.id, journey_date=journey.journey_date, location_name=location,
                         location_id=journey.location_id, timezone=tz, customer_name=journey.customer_name,
                         job_number=journey.job_number, phase=phase, phase_label=PHASE_LABELS[phase],
                         completed_at=completed_at, completed_by=by)
        for phase, completed_at, journey, location, tz, by in rows
    ]
