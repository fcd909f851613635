"""The job card read model: one journey as the board, the API and live updates show it.

Cards are loaded in a fixed number of queries whatever their number (journeys with location and
truck in one query, then crews and steps each in one batched query), always under
`journey_scope`. For principals without `can_view_financial_data` the estimated value is not
even loaded (deferred with raiseload): it cannot leak from a card.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, bindparam, case, exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from db.enums import CrewRole, DataSource, JourneyStatus, Phase, StepStatus
from db.models import CrewAssignment, Journey, JourneyStep, Location, Truck, User
from domain.access.rbac import Permission, Principal, journey_scope
from domain.journeys.job_sheet import SCHEDULE, Timing, timing_of
from domain.journeys.labels import journey_label
from domain.journeys.text_search import journey_text_match
from domain.timewindow import local_time

_CREW_ORDER = {CrewRole.FOREMAN: 0, CrewRole.DRIVER: 1, CrewRole.MOVER: 2}


@dataclass(frozen=True, slots=True)
class CrewMember:
    user_id: int
    name: str
    role: CrewRole


@dataclass(frozen=True, slots=True)
class PhaseState:
    phase: Phase
    status: StepStatus


@dataclass(frozen=True, slots=True)
class JobCard:
    id: int
    #: `SM 100023-1` or `#42`.
    label: str
    location_id: int
    location_name: str
    timezone: str
    journey_date: date
    status: JourneyStatus
    current_phase: Phase
    progress: int
    phases: tuple[PhaseState, ...]
    data_source: DataSource
    job_number: str | None
    confirmed: bool
    customer_name: str
    customer_phone: str | None
    customer_email: str | None
    origin_address: str | None
    destination_address: str | None
    service_type: str | None
    move_size: str | None
    crew: tuple[CrewMember, ...]
    truck_id: int | None
    truck_number: str | None
    #: In the location's timezone.
    scheduled_start: datetime | None
    scheduled_end: datetime | None
    #: SmartMoving's arrival window ("08:00–10:00", the location's zone), when it gave one.
    arrival_window: str | None
    #: The start is the arrival window's: SmartMoving has no fixed start for the job.
    starts_in_window: bool
    notes: str | None
    #: Only for principals with `can_view_financial_data`; otherwise None and absent from `to_dict`.
    estimated_value: Decimal | None
    shows_financials: bool

    @property
    def unassigned(self) -> bool:
        return self.status is not JourneyStatus.CANCELLED and (self.truck_id is None or not self.crew)

    @property
    def is_smartmoving(self) -> bool:
        return self.data_source is DataSource.SMARTMOVING

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields; `estimated_value` only for principals who may see it. Built field by
        field: `dataclasses.asdict` deep-copies every value, which took most of a page's time."""
        data = _fields_of(self)
        data["phases"] = tuple(_fields_of(p) for p in self.phases)
        data["crew"] = tuple(_fields_of(m) for m in self.crew)
        data.pop("shows_financials")
        if not self.shows_financials:
            data.pop("estimated_value")
        data["unassigned"] = self.unassigned
        return data


def _fields_of(instance: Any) -> dict[str, Any]:
    return {f.name: getattr(instance, f.name) for f in fields(instance)}


@dataclass(frozen=True, slots=True)
class CardFilters:
    statuses: frozenset[JourneyStatus] = frozenset()
    unassigned_only: bool = False
    data_source: DataSource | None = None
    search: str = ""


def unassigned_clause() -> ColumnElement[bool]:
    return Journey.truck_id.is_(None) | ~exists().where(CrewAssignment.journey_id == Journey.id)


def filter_clauses(filters: CardFilters) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if filters.statuses:
        clauses.append(Journey.status.in_(sorted(filters.statuses, key=lambda s: s.value)))
    if filters.unassigned_only:
        clauses.append(unassigned_clause() & (Journey.status != JourneyStatus.CANCELLED))
    if filters.data_source is not None:
        clauses.append(Journey.data_source == filters.data_source)
    if (match := journey_text_match(filters.search)) is not None:
        clauses.append(match)
    return clauses


#: By date, then start time (journeys without times last), then id.
CARD_ORDER = (Journey.journey_date, case((Journey.scheduled_start.is_(None), 1), else_=0), Journey.scheduled_start,
              Journey.id)


#: The crews and phases of the cards' journeys: built once (every board and API read runs them).
_CREWS = (
    select(CrewAssignment.journey_id, CrewAssignment.user_id, User.full_name, CrewAssignment.role)
    .join(User, User.id == CrewAssignment.user_id)
    .where(CrewAssignment.journey_id.in_(bindparam("ids", expanding=True)))
)
_PHASES = (
    select(JourneyStep.journey_id, JourneyStep.phase, JourneyStep.status)
    .where(JourneyStep.journey_id.in_(bindparam("ids", expanding=True)))
    .order_by(JourneyStep.journey_id, JourneyStep.position)
)


async def load_cards(session: AsyncSession, principal: Principal, where: Sequence[ColumnElement[bool]],
                     *, limit: int | None = None, offset: int = 0) -> list[JobCard]:
    """The cards of the journeys matching `where`, within the principal's scope: three queries."""
    financial = principal.can(Permission.VIEW_FINANCIAL_DATA)
    options = [defer(Journey.external_data)]
    if not financial:
        options.append(defer(Journey.estimated_value, raiseload=True))
    query = (
        select(Journey, Location.name, Location.timezone, Truck.number, SCHEDULE)
        .join(Location, Location.id == Journey.location_id)
        .outerjoin(Truck, Truck.id == Journey.truck_id)
        .where(journey_scope(principal), *where)
        .options(*options)
        .order_by(*CARD_ORDER)
        .offset(offset)
        .limit(limit)
    )
    rows = (await session.execute(query)).all()
    if not rows:
        return []
    ids = {"ids": [row[0].id for row in rows]}
    connection = await session.connection()  # plain columns: no ORM layer needed
    crews: dict[int, list[CrewMember]] = defaultdict(list)
    for journey_id, user_id, name, role in await connection.execute(_CREWS, ids):
        crews[journey_id].append(CrewMember(user_id, name, role))
    phases: dict[int, list[PhaseState]] = defaultdict(list)
    for journey_id, phase, status in await connection.execute(_PHASES, ids):
        phases[journey_id].append(PhaseState(phase, status))
    return [
        _card(journey, location_name, timezone, truck_number, crews[journey.id], phases[journey.id], financial,
              timing_of(schedule, timezone))
        for journey, location_name, timezone, truck_number, schedule in rows
    ]


def _card(journey: Journey, location_name: str, timezone: str, truck_number: str | None,
          crew: list[CrewMember], phases: list[PhaseState], financial: bool, timing: Timing) -> JobCard:
    return JobCard(
        id=journey.id,
        label=journey_label(journey.id, journey.data_source, journey.job_number),
        location_id=journey.location_id,
        location_name=location_name,
        timezone=timezone,
        journey_date=journey.journey_date,
        status=journey.status,
        current_phase=journey.current_phase,
        progress=journey.progress,
        phases=tuple(phases),
        data_source=journey.data_source,
        job_number=journey.job_number,
        confirmed=journey.confirmed,
        customer_name=journey.customer_name,
        customer_phone=journey.customer_phone,
        customer_email=journey.customer_email,
        origin_address=journey.origin_address,
        destination_address=journey.destination_address,
        service_type=journey.service_type,
        move_size=journey.move_size,
        crew=tuple(sorted(crew, key=lambda m: (_CREW_ORDER[m.role], m.name))),
        truck_id=journey.truck_id,
        truck_number=truck_number,
        scheduled_start=local_time(journey.scheduled_start, timezone),
        scheduled_end=local_time(journey.scheduled_end, timezone),
        arrival_window=timing.window,
        starts_in_window=timing.from_window,
        notes=journey.notes,
        estimated_value=journey.estimated_value if financial else None,
        shows_financials=financial,
    )


async def job_card(session: AsyncSession, principal: Principal, journey_id: int) -> JobCard | None:
    """One journey's card, or None when it does not exist or is outside the principal's scope."""
    cards = await load_cards(session, principal, [Journey.id == journey_id])
    return cards[0] if cards else None
