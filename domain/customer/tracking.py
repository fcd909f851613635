"""What the customer's tracking page shows, read through the link's token alone (no principal):
the company, the crew's first names, the truck, the arrival window and the stage of the move in
words; once the move is done, its documents. Nothing financial unless the company turned
`customer_link_shows_financials` on. A revoked or expired link shows nothing of the journey."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import DocumentKind
from db.models.base import MAX_ROW_ID
from db.models import Company, CrewAssignment, CustomerLink, Journey, Location, MoveDocument, Truck, User, utcnow
from domain.customer.guard import guard
from domain.customer.links import journey_stage, resolve_link
from domain.customer.stage import Stage
from domain.documents.content import DOCUMENT_TITLES
from domain.documents.library import DocumentFile
from domain.errors import NotFound
from domain.journeys.job_sheet import SCHEDULE, timing_of
from domain.journeys.labels import clock
from domain.runtime.context import request_ip
from domain.timewindow import local_time
from domain.unit_of_work import read_session

@dataclass(frozen=True, slots=True)
class TrackedDocument:
    id: int
    title: str
    filename: str
    #: When it was issued, in the branch's zone.
    issued_at: datetime


@dataclass(frozen=True, slots=True)
class Tracking:
    journey_id: int
    company: str
    customer_name: str
    journey_date: date
    #: "08:00–10:00", or "Time to be confirmed".
    arrival: str
    timezone: str
    crew_first_names: tuple[str, ...]
    #: "Truck T-12 · 26 ft", or None before one is assigned.
    truck: str | None
    stage: Stage
    #: Only once the move is done: the newest issue of each kind.
    documents: tuple[TrackedDocument, ...]
    #: Only when the company shows money on the page.
    estimated_value: Decimal | None


def _arrival(journey: Journey, schedule: object, timezone: str) -> str:
    timing = timing_of(schedule, timezone)
    if timing.window:
        return timing.window
    if journey.scheduled_start is None:
        return "Time to be confirmed"
    end = f"–{clock(journey.scheduled_end, timezone)}" if journey.scheduled_end else ""
    return f"{clock(journey.scheduled_start, timezone)}{end}"


async def _documents(session: AsyncSession, journey_id: int, timezone: str) -> tuple[TrackedDocument, ...]:
    rows = (await session.execute(
        select(MoveDocument.id, MoveDocument.kind, MoveDocument.filename, MoveDocument.issued_at)
        .where(MoveDocument.journey_id == journey_id)
        .order_by(MoveDocument.kind, MoveDocument.version.desc()))).all()
    newest: dict[DocumentKind, TrackedDocument] = {}
    for doc_id, kind, filename, issued_at in rows:
        if kind not in newest:
            newest[kind] = TrackedDocument(doc_id, DOCUMENT_TITLES[kind], filename, _in_zone(issued_at, timezone))
    return tuple(newest[k] for k in DocumentKind if k in newest)


def _in_zone(value: datetime, timezone: str) -> datetime:
    local = local_time(value, timezone)
    assert local is not None
    return local


async def _link_of(session: AsyncSession, token: str, now: datetime) -> CustomerLink:
    """`resolve_link`, counting unknown tokens against the asking address (`guard`)."""
    address = request_ip.get()
    guard.check(address)
    try:
        return await resolve_link(session, token, now)
    except NotFound:
        guard.miss(address)
        raise


async def tracking(token: str, *, now: datetime | None = None) -> Tracking:
    """The tracking page's content for `token` (NotFound / LinkExpired: show nothing)."""
    async with read_session() as session:
        link = await _link_of(session, token, now or utcnow())
        row = (await session.execute(
            select(Journey, Location.timezone, Company.name, Company.customer_link_shows_financials, SCHEDULE)
            .join(Location, Location.id == Journey.location_id)
            .join(Company, Company.id == Journey.company_id)
            .where(Journey.id == link.journey_id))).first()
        if row is None:
            raise NotFound("This link does not exist.")
        journey, timezone, company, shows_money, schedule = row
        names = (await session.scalars(
            select(User.full_name).join(CrewAssignment, CrewAssignment.user_id == User.id)
            .where(CrewAssignment.journey_id == journey.id).order_by(CrewAssignment.id))).all()
        truck = (await session.execute(select(Truck.number, Truck.size).where(Truck.id == journey.truck_id))).first() \
            if journey.truck_id else None
        stage = await journey_stage(session, journey)
        documents = await _documents(session, journey.id, timezone) if stage is Stage.DONE else ()
    return Tracking(
        journey_id=journey.id, company=company, customer_name=journey.customer_name,
        journey_date=journey.journey_date, arrival=_arrival(journey, schedule, timezone), timezone=timezone,
        crew_first_names=tuple(name.split()[0] for name in names if name.strip()),
        truck=(f"Truck {truck[0]}" + (f" · {truck[1]}" if truck[1] else "")) if truck else None,
        stage=stage, documents=documents,
        estimated_value=journey.estimated_value if shows_money else None,
    )


async def tracked_document(token: str, document_id: int, *, now: datetime | None = None) -> DocumentFile:
    """A document of the link's journey; NotFound for any other document id (another journey's
    included), LinkExpired when the link no longer works."""
    async with read_session() as session:
        link = await _link_of(session, token, now or utcnow())
        if not 1 <= document_id <= MAX_ROW_ID:
            raise NotFound("No such document for this move.")
        found = (await session.execute(
            select(MoveDocument.filename, MoveDocument.content_type, MoveDocument.content)
            .where(MoveDocument.id == document_id, MoveDocument.journey_id == link.journey_id))).first()
    if found is None:
        raise NotFound("No such document for this move.")
    return DocumentFile(found[0], found[1], found[2])
