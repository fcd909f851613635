"""Reading a journey's inventory: its lines by room, what the viewer may do with them now, and
its exceptions (damaged at pickup, missing or damaged at delivery). Whoever may read the journey
reads its inventory (`load_journey`: scope in SQL, "not found" outside it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import DeliveryCheck, InventorySource, JourneyStatus, Phase, StepStatus
from db.models import InventoryItem, Journey, JourneyStep
from domain.access.rbac import Principal
from domain.inventory.conditions import condition_words
from domain.journeys.access import load_journey
from domain.unit_of_work import read_session
from domain.workflow.access import crew_ids

#: The phases in which the crew writes the inventory: lines at pickup, checks at delivery.
WRITING_PHASES = (Phase.PICKUP, Phase.DELIVERY)

EXCEPTION_WORDS: dict[DeliveryCheck, str] = {DeliveryCheck.MISSING: "Missing at delivery",
                                              DeliveryCheck.DAMAGED: "Damaged at delivery"}
CHECK_WORDS: dict[DeliveryCheck, str] = {DeliveryCheck.PENDING: "Not checked yet",
                                          DeliveryCheck.DELIVERED: "Delivered", DeliveryCheck.MISSING: "Missing",
                                          DeliveryCheck.DAMAGED: "Damaged"}


@dataclass(frozen=True, slots=True)
class LineView:
    id: int
    room: str
    name: str
    quantity: int
    source: InventorySource
    pickup_conditions: tuple[str, ...]
    pickup_note: str | None
    pickup_photo_ids: tuple[int, ...]
    delivery: DeliveryCheck
    delivery_conditions: tuple[str, ...]
    delivery_note: str | None
    delivery_photo_ids: tuple[int, ...]
    checked_at: datetime | None

    @property
    def pickup_words(self) -> str:
        return condition_words(self.pickup_conditions)

    @property
    def delivery_words(self) -> str:
        return condition_words(self.delivery_conditions)

    @property
    def title(self) -> str:
        return f"{self.name} × {self.quantity}" if self.quantity > 1 else self.name


@dataclass(frozen=True, slots=True)
class ExceptionView:
    """One thing the customer and the office must know about: what, where, and in words."""

    line: LineView
    what: str
    words: str
    photo_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class InventoryView:
    journey_id: int
    lines: tuple[LineView, ...]
    #: The phase in which the viewer may write now (PICKUP: lines, DELIVERY: checks), else None.
    writing: Phase | None

    @property
    def rooms(self) -> dict[str, list[LineView]]:
        """Lines by room, rooms in the order their first line was recorded."""
        grouped: dict[str, list[LineView]] = {}
        for line in self.lines:
            grouped.setdefault(line.room, []).append(line)
        return grouped

    @property
    def unchecked(self) -> int:
        return sum(line.delivery is DeliveryCheck.PENDING for line in self.lines)

    @property
    def exceptions(self) -> tuple[ExceptionView, ...]:
        return exceptions_of(self.lines)


def line_view(item: InventoryItem) -> LineView:
    return LineView(id=item.id, room=item.room, name=item.name, quantity=item.quantity, source=item.source,
                    pickup_conditions=tuple(item.pickup_conditions or ()), pickup_note=item.pickup_note,
                    pickup_photo_ids=tuple(item.pickup_photo_ids or ()), delivery=item.delivery,
                    delivery_conditions=tuple(item.delivery_conditions or ()), delivery_note=item.delivery_note,
                    delivery_photo_ids=tuple(item.delivery_photo_ids or ()), checked_at=item.checked_at)


def exceptions_of(lines: tuple[LineView, ...]) -> tuple[ExceptionView, ...]:
    """Damage noted at pickup, then what went missing or was damaged on the way."""
    found = []
    for line in lines:
        if line.pickup_conditions:
            words = "; ".join(x for x in (line.pickup_words, line.pickup_note) if x)
            found.append(ExceptionView(line, "Damaged at pickup", words, line.pickup_photo_ids))
    for line in lines:
        if line.delivery in EXCEPTION_WORDS:
            words = "; ".join(x for x in (line.delivery_words, line.delivery_note) if x)
            found.append(ExceptionView(line, EXCEPTION_WORDS[line.delivery], words, line.delivery_photo_ids))
    return tuple(found)


async def lines_of(session: AsyncSession, journey_id: int) -> tuple[LineView, ...]:
    rows = await session.scalars(select(InventoryItem).where(InventoryItem.journey_id == journey_id)
                                 .order_by(InventoryItem.position, InventoryItem.id))
    return tuple(line_view(item) for item in rows.all())


async def writing_phase(session: AsyncSession, journey: Journey) -> Phase | None:
    """PICKUP or DELIVERY while that phase is under way (and the journey not cancelled), else None."""
    if journey.status is JourneyStatus.CANCELLED:
        return None
    rows = await session.execute(select(JourneyStep.phase).where(
        JourneyStep.journey_id == journey.id, JourneyStep.phase.in_(WRITING_PHASES),
        JourneyStep.status == StepStatus.IN_PROGRESS))
    return next(iter(rows.scalars().all()), None)


async def journey_inventory(principal: Principal, journey_id: int) -> InventoryView:
    """The inventory of a journey the principal may read, and what they may write now."""
    async with read_session() as session:
        journey, _location = await load_journey(session, principal, journey_id)
        phase = await writing_phase(session, journey)
        crew = await crew_ids(session, journey.id) if phase is not None else ()
        return InventoryView(journey.id, await lines_of(session, journey.id),
                             phase if principal.user_id in crew else None)


async def unchecked_lines(session: AsyncSession, journey_id: int) -> int:
    """Lines not yet checked at delivery (DELIVERY cannot complete while there are any)."""
    return int(await session.scalar(select(func.count()).select_from(InventoryItem).where(
        InventoryItem.journey_id == journey_id, InventoryItem.delivery == DeliveryCheck.PENDING)) or 0)


def unchecked_words(count: int) -> str:
    return f"Inventory check ({count} item{'s' if count != 1 else ''} not checked)"
