"""Who may touch a journey's workflow: its crew, and the checks shared by the workflow and media.
(The journey itself is loaded by `domain.journeys.access.load_journey`.)

A journey outside the principal's scope is "not found" (its existence is not revealed); a journey
in scope that the principal may see but not work on is "forbidden".
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import JourneyStatus, Phase
from db.models import CrewAssignment, Journey
from db.models.base import MAX_ROW_ID
from domain.access.rbac import Permission, Principal
from domain.errors import Conflict, Forbidden, NotFound


def require_row_id(value: int, what: str) -> None:
    if not 1 <= value <= MAX_ROW_ID:
        raise NotFound(f"{what} not found")


async def crew_ids(session: AsyncSession, journey_id: int) -> tuple[int, ...]:
    rows = await session.scalars(
        select(CrewAssignment.user_id).where(CrewAssignment.journey_id == journey_id).order_by(CrewAssignment.id)
    )
    return tuple(rows.all())


def refuse_if_cancelled(journey: Journey) -> None:
    if journey.status is JourneyStatus.CANCELLED:
        raise Conflict("this journey is cancelled: nothing more can be recorded on it")


def require_worker(principal: Principal, phase: Phase, crew: tuple[int, ...]) -> None:
    """CREATION is the dispatch desk's (roles that assign crews); every later phase is the crew's."""
    if phase is Phase.CREATION:
        if not principal.can(Permission.ASSIGN_CREW):
            raise Forbidden("the job setup (CREATION) is completed by dispatch")
    elif principal.user_id not in crew:
        raise Forbidden(f"only the crew of this journey can work on {phase.value}")


def require_any_worker(principal: Principal, crew: tuple[int, ...]) -> None:
    """Crew of the journey or dispatch (for uploads, which are not tied to a phase yet)."""
    if principal.user_id not in crew and not principal.can(Permission.ASSIGN_CREW):
        raise Forbidden("only the crew of this journey can add photos and signatures to it")
