"""The dispatcher board: one location on one day (its cards and stats), the truck timeline, the
paged list of active journeys, and the company-wide figures admins see.

"Today" is each location's own today (its timezone). The board of a location and a day is read
in a fixed number of queries (location, stats, cards: 5 in all) whatever the number of cards.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TypeVar

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import DataSource, JourneyStatus
from db.models import Journey, Location
from domain.access.locations import LocationOption, visible_location
from domain.access.rbac import Permission, Principal, journey_scope, location_view_class, sees_journey_of
from domain.board.cards import CardFilters, JobCard, filter_clauses, job_card, load_cards, unassigned_clause
from domain.board.resources import trucks_query
from domain.paging import Page
from domain.events.bus import bus
from domain.runtime.shared_reads import SharedReads
from domain.sync.attention import AttentionItem, attention_list
from domain.timewindow import today_in
from domain.unit_of_work import read_session

IN_PROGRESS = (JourneyStatus.MORNING_PREP, JourneyStatus.EN_ROUTE, JourneyStatus.ONSITE)
DONE = (JourneyStatus.COMPLETED, JourneyStatus.AUDITED)
#: Without a status filter, the API's "active" journeys are those not closed.
ACTIVE_STATUSES = frozenset(JourneyStatus) - {JourneyStatus.CANCELLED, *DONE}
#: Largest page of `GET /api/journey/active`.
MAX_PAGE_SIZE = 100
#: Days shown on the admin chart of jobs per day.
CHART_DAYS = 14

T = TypeVar("T")

#: Board reads of the pages that show the same thing, made once for all of them (issue 18).
shared_reads = SharedReads(lambda: bus.serial)


async def _read(principal: Principal, location_id: int, key: tuple[Hashable, ...],
                read: Callable[[], Awaitable[T]]) -> T:
    """`read()`, shared (`domain.runtime.shared_reads`) with readers of the same location, `key`
    and view class who also see the location; a principal without a class, or who does not see
    it, reads alone."""
    view_class = location_view_class(principal)
    if view_class is None or not sees_journey_of(principal, view_class.company_id, location_id, ()):
        return await read()
    return await shared_reads.run((view_class, location_id, *key), read)


@dataclass(frozen=True, slots=True)
class BoardStats:
    """Counts over the day's journeys; cancelled ones count only in `cancelled`."""

    total: int
    completed: int
    in_progress: int
    unassigned: int
    cancelled: int
    smartmoving: int
    manual: int
    #: Sum of estimated values; None for principals without `can_view_financial_data`.
    estimated_value: Decimal | None


@dataclass(frozen=True, slots=True)
class DayView:
    """A location on a day, with the location's own today."""

    location: LocationOption
    day: date
    today: date

    @property
    def tomorrow(self) -> date:
        return self.today + timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Board(DayView):
    cards: tuple[JobCard, ...]
    stats: BoardStats


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


async def _stats(session: AsyncSession, principal: Principal, where: Sequence[ColumnElement[bool]]) -> BoardStats:
    live = Journey.status != JourneyStatus.CANCELLED
    financial = principal.can(Permission.VIEW_FINANCIAL_DATA)
    columns = [
        _count(live), _count(live & Journey.status.in_(DONE)), _count(live & Journey.status.in_(IN_PROGRESS)),
        _count(live & unassigned_clause()), _count(~live),
        _count(live & (Journey.data_source == DataSource.SMARTMOVING)),
        _count(live & (Journey.data_source == DataSource.MANUAL)),
    ]
    if financial:
        columns.append(func.coalesce(func.sum(_value_if(live)), 0))
    row = (await session.execute(select(*columns).where(journey_scope(principal), *where))).one()
    total, completed, in_progress, unassigned, cancelled, smartmoving, manual = (int(v or 0) for v in row[:7])
    value = Decimal(str(row[7])).quantize(Decimal("0.01")) if financial else None
    return BoardStats(total=total, completed=completed, in_progress=in_progress, unassigned=unassigned,
                      cancelled=cancelled, smartmoving=smartmoving, manual=manual, estimated_value=value)


def _value_if(condition: ColumnElement[bool]) -> ColumnElement[Decimal]:
    return case((condition, Journey.estimated_value), else_=None)


def _day_of(location: Location, day: date | None) -> tuple[date, date]:
    today = today_in(location.timezone)
    return (day or today), today


def _on(location: Location, day: date) -> list[ColumnElement[bool]]:
    return [Journey.location_id == location.id, Journey.journey_date == day]


async def load_board(principal: Principal, location_id: int, day: date | None = None,
                     filters: CardFilters = CardFilters()) -> Board:
    """The board of a location (404 outside the principal's scope) for `day` (default: its today).
    Stats cover the whole day; the cards follow the filters."""

    async def read() -> Board:
        async with read_session() as session:
            location = await visible_location(session, principal, location_id)
            on, today = _day_of(location, day)
            stats = await _stats(session, principal, _on(location, on))
            cards = await load_cards(session, principal, [*_on(location, on), *filter_clauses(filters)])
        return Board(LocationOption(location.id, location.name, location.timezone), on, today, tuple(cards), stats)

    return await _read(principal, location_id, ("board", day, filters), read)


async def board_stats(principal: Principal, location_id: int, day: date) -> BoardStats:
    async def read() -> BoardStats:
        async with read_session() as session:
            location = await visible_location(session, principal, location_id)
            return await _stats(session, principal, _on(location, day))

    return await _read(principal, location_id, ("stats", day), read)


async def board_card(principal: Principal, journey_id: int, location_id: int, day: date,
                     filters: CardFilters = CardFilters()) -> JobCard | None:
    """A journey's card if it belongs on this board (location, day, filters, scope), else None."""

    async def read() -> JobCard | None:
        async with read_session() as session:
            cards = await load_cards(session, principal, [Journey.id == journey_id, Journey.location_id == location_id,
                                                          Journey.journey_date == day, *filter_clauses(filters)])
        return cards[0] if cards else None

    return await _read(principal, location_id, ("card", journey_id, day, filters), read)


async def board_attention(principal: Principal, location_id: int) -> tuple[AttentionItem, ...]:
    """The location's open "Needs attention" entries (`attention_list`), shared like the board:
    within a location its principal sees, `journey_scope` is the same for a whole view class."""

    async def read() -> tuple[AttentionItem, ...]:
        return tuple(await attention_list(principal, location_id))

    return await _read(principal, location_id, ("attention",), read)


async def get_card(principal: Principal, journey_id: int) -> JobCard | None:
    async with read_session() as session:
        return await job_card(session, principal, journey_id)


async def active_journeys(principal: Principal, *, location_id: int | None = None, day: date | None = None,
                          filters: CardFilters = CardFilters(), page: int = 1,
                          page_size: int = 25) -> Page[JobCard]:
    """Journeys in scope, by date and time; without a status filter only those not closed."""
    page, page_size = max(page, 1), min(max(page_size, 1), MAX_PAGE_SIZE)
    if not filters.statuses:
        filters = CardFilters(ACTIVE_STATUSES, filters.unassigned_only, filters.data_source, filters.search)
    where = filter_clauses(filters)
    if location_id is not None:
        where.append(Journey.location_id == location_id)
    if day is not None:
        where.append(Journey.journey_date == day)
    async with read_session() as session:
        connection = await session.connection()  # a plain count: no ORM layer needed
        total = await connection.scalar(
            select(func.count()).select_from(Journey).where(journey_scope(principal), *where))
        cards = await load_cards(session, principal, [*where], limit=page_size, offset=(page - 1) * page_size)
    return Page(tuple(cards), int(total or 0), page, page_size)


@dataclass(frozen=True, slots=True)
class TruckRow:
    truck_id: int
    number: str
    size: str | None
    lent: bool
    cards: tuple[JobCard, ...]


@dataclass(frozen=True, slots=True)
class Timeline(DayView):
    rows: tuple[TruckRow, ...]
    #: Journeys of the day without a truck.
    unassigned: tuple[JobCard, ...]


async def load_timeline(principal: Principal, location_id: int, day: date | None = None) -> Timeline:
    """Trucks usable by the location on the day (plus any other truck booked there), each with its
    journeys; cancelled journeys are left out."""
    async with read_session() as session:
        location = await visible_location(session, principal, location_id)
        day, today = _day_of(location, day)
        cards = await load_cards(session, principal,
                                 [*_on(location, day), Journey.status != JourneyStatus.CANCELLED])
        trucks = (await session.execute(trucks_query(location.company_id, location.id, day))).all()
    rows = [TruckRow(t.id, t.number, t.size, bool(lent), tuple(c for c in cards if c.truck_id == t.id))
            for t, lent in trucks]
    listed = {row.truck_id for row in rows}
    extra = {c.truck_id: c.truck_number for c in cards if c.truck_id is not None and c.truck_id not in listed}
    rows += [TruckRow(tid, number or "?", None, False, tuple(c for c in cards if c.truck_id == tid))
             for tid, number in sorted(extra.items(), key=lambda kv: kv[1] or "")]
    return Timeline(LocationOption(location.id, location.name, location.timezone), day, today, tuple(rows),
                    tuple(c for c in cards if c.truck_id is None))


@dataclass(frozen=True, slots=True)
class DayCount:
    day: date
    smartmoving: int
    manual: int


@dataclass(frozen=True, slots=True)
class CompanyOverview:
    """Company-wide figures for admins: today (in each location's timezone) and jobs per day."""

    locations: int
    today: BoardStats
    per_day: tuple[DayCount, ...]


async def company_overview(principal: Principal) -> CompanyOverview:
    """Shared (`domain.runtime.shared_reads`) between the admins of one view class: an admin sees
    the whole company, so the figures depend on nothing else; others read alone."""
    principal.require(Permission.MANAGE_COMPANY)
    view_class = location_view_class(principal)
    if view_class is None or not principal.can(Permission.VIEW_ALL_LOCATIONS):
        return await _company_overview(principal)
    return await shared_reads.run((view_class, "overview"), lambda: _company_overview(principal))


async def _company_overview(principal: Principal) -> CompanyOverview:
    async with read_session() as session:
        locations = (await session.execute(
            select(Location.id, Location.timezone).where(Location.company_id == principal.company_id,
                                                         Location.active.is_(True))
        )).all()
        by_today: dict[date, list[int]] = {}
        for location_id, timezone in locations:
            by_today.setdefault(today_in(timezone), []).append(location_id)
        todays = [and_(Journey.journey_date == d, Journey.location_id.in_(ids)) for d, ids in by_today.items()]
        today_stats = await _stats(session, principal, [Journey.company_id == principal.company_id,
                                                        or_(*todays) if todays else Journey.id.is_(None)])
        last = max(by_today, default=today_in("UTC"))
        first = last - timedelta(days=CHART_DAYS - 1)
        rows = await session.execute(
            select(Journey.journey_date, Journey.data_source, func.count())
            .where(journey_scope(principal), Journey.company_id == principal.company_id,
                   Journey.status != JourneyStatus.CANCELLED, Journey.journey_date.between(first, last))
            .group_by(Journey.journey_date, Journey.data_source)
        )
        counts: dict[tuple[date, DataSource], int] = {(d, s): n for d, s, n in rows}
    per_day = tuple(
        DayCount(d, counts.get((d, DataSource.SMARTMOVING), 0), counts.get((d, DataSource.MANUAL), 0))
        for d in (first + timedelta(days=i) for i in range(CHART_DAYS))
    )
    return CompanyOverview(len(locations), today_stats, per_day)
