"""`/journeys` and `GET /api/journeys`: every journey of the principal's scope across dates and
branches, filtered, searched, sorted and paged; and its CSV export.

Scope is `journey_scope` in the WHERE clause, as everywhere. Rows are read as plain columns (no
ORM entities): a page is one query for the rows, one for the count and one for the crews of the
page. The estimated value is selected only for principals who may see money.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import DataSource, JourneyStatus, Role
from db.models import CrewAssignment, Journey, Location, Truck, User
from domain.access.locations import visible_locations
from domain.access.rbac import Permission, Principal, journey_scope, truck_scope, user_scope
from domain.audit import record as audit
from domain.audit.record import audited_write
from domain.errors import ValidationFailed
from domain.csv_export import csv_text
from domain.journeys.labels import clock, journey_label, source_label, status_label
from domain.journeys.text_search import journey_text_match
from domain.paging import DEFAULT_PAGE_SIZE, Page, check_paging
from domain.timewindow import local_time
from domain.unit_of_work import read_session, unit_of_work

#: The most rows one CSV export carries (as the audit export).
EXPORT_ROW_LIMIT = 50_000
#: Most values of one list filter (branches, statuses): beyond any company, small for the database.
MAX_FILTER_VALUES = 200


class JourneySort(str, Enum):
    DATE = "date"
    STATUS = "status"
    BRANCH = "branch"


@dataclass(frozen=True, slots=True)
class JourneySearch:
    """What `/journeys` asks for. Dates are the journeys' own (local) days, both ends included."""

    text: str = ""
    date_from: date | None = None
    date_to: date | None = None
    location_ids: frozenset[int] = frozenset()
    statuses: frozenset[JourneyStatus] = frozenset()
    source: DataSource | None = None
    crew_user_id: int | None = None
    truck_id: int | None = None
    sort: JourneySort = JourneySort.DATE
    descending: bool = True

    def __post_init__(self) -> None:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValidationFailed("the start date is after the end date")
        if len(self.location_ids) > MAX_FILTER_VALUES:
            raise ValidationFailed(f"choose at most {MAX_FILTER_VALUES} branches")

    def describe(self) -> dict[str, Any]:
        """The filters as plain JSON (what the audit entry of an export records)."""
        data = asdict(self)
        data["location_ids"] = sorted(self.location_ids)
        data["statuses"] = sorted(s.value for s in self.statuses)
        return {k: (v.value if isinstance(v, Enum) else v) for k, v in data.items() if v not in (None, "", [])}


@dataclass(frozen=True, slots=True)
class JourneyRow:
    id: int
    #: `SM 100023-1` or `#42`.
    label: str
    journey_date: date
    #: In the branch's time zone; None for a journey without times.
    scheduled_start: datetime | None
    scheduled_end: datetime | None
    status: JourneyStatus
    location_id: int
    location_name: str
    timezone: str
    data_source: DataSource
    job_number: str | None
    customer_name: str
    customer_phone: str | None
    customer_email: str | None
    origin_address: str | None
    destination_address: str | None
    truck_number: str | None
    crew: tuple[str, ...] = ()
    #: Only for principals with `can_view_financial_data` (absent from `to_dict` otherwise).
    estimated_value: Decimal | None = None
    shows_financials: bool = field(default=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        data = {name: getattr(self, name) for name in self.__slots__ if name != "shows_financials"}
        if not self.shows_financials:
            data.pop("estimated_value")
        return data


def search_clauses(search: JourneySearch) -> list[ColumnElement[bool]]:
    """The filters of `search` as WHERE clauses (scope is added by the callers)."""
    clauses: list[ColumnElement[bool]] = []
    if search.date_from:
        clauses.append(Journey.journey_date >= search.date_from)
    if search.date_to:
        clauses.append(Journey.journey_date <= search.date_to)
    if search.location_ids:
        clauses.append(Journey.location_id.in_(sorted(search.location_ids)))
    if search.statuses:
        clauses.append(Journey.status.in_(sorted(search.statuses, key=lambda s: s.value)))
    if search.source is not None:
        clauses.append(Journey.data_source == search.source)
    if search.crew_user_id is not None:
        clauses.append(Journey.id.in_(
            select(CrewAssignment.journey_id).where(CrewAssignment.user_id == search.crew_user_id)))
    if search.truck_id is not None:
        clauses.append(Journey.truck_id == search.truck_id)
    if (match := journey_text_match(search.text)) is not None:
        clauses.append(match)
    return clauses


def _order(search: JourneySort, descending: bool) -> list[Any]:
    by_date = [Journey.journey_date.desc() if descending else Journey.journey_date.asc(),
               case((Journey.scheduled_start.is_(None), 1), else_=0), Journey.scheduled_start, Journey.id]
    if search is JourneySort.STATUS:
        return [Journey.status.desc() if descending else Journey.status.asc(), Journey.journey_date.desc(),
                Journey.id]
    if search is JourneySort.BRANCH:
        return [Location.name.desc() if descending else Location.name.asc(), Journey.journey_date.desc(), Journey.id]
    return by_date


def rows_query(principal: Principal, search: JourneySearch) -> Select[Any]:
    columns: list[Any] = [
        Journey.id, Journey.journey_date, Journey.scheduled_start, Journey.scheduled_end, Journey.status,
        Journey.location_id, Location.name, Location.timezone, Journey.data_source, Journey.job_number,
        Journey.customer_name, Journey.customer_phone, Journey.customer_email, Journey.origin_address,
        Journey.destination_address, Truck.number,
    ]
    if principal.can(Permission.VIEW_FINANCIAL_DATA):
        columns.append(Journey.estimated_value)
    return (
        select(*columns)
        .join(Location, Location.id == Journey.location_id)
        .outerjoin(Truck, Truck.id == Journey.truck_id)
        .where(journey_scope(principal), *search_clauses(search))
        .order_by(*_order(search.sort, search.descending))
    )


async def _crews(session: AsyncSession, journey_ids: Sequence[int]) -> dict[int, list[str]]:
    crews: dict[int, list[str]] = defaultdict(list)
    if journey_ids:
        for journey_id, name in await session.execute(
            select(CrewAssignment.journey_id, User.full_name).join(User, User.id == CrewAssignment.user_id)
            .where(CrewAssignment.journey_id.in_(journey_ids)).order_by(CrewAssignment.journey_id, User.full_name)
        ):
            crews[journey_id].append(name)
    return crews


def _row(values: Sequence[Any], crew: list[str], financial: bool) -> JourneyRow:
    (journey_id, day, start, end, status, location_id, location_name, timezone, source, job_number, name, phone,
     email, origin, destination, truck) = values[:16]
    return JourneyRow(
        id=journey_id, label=journey_label(journey_id, source, job_number), journey_date=day,
        scheduled_start=local_time(start, timezone), scheduled_end=local_time(end, timezone), status=status,
        location_id=location_id, location_name=location_name, timezone=timezone, data_source=source,
        job_number=job_number, customer_name=name, customer_phone=phone, customer_email=email,
        origin_address=origin, destination_address=destination, truck_number=truck, crew=tuple(crew),
        estimated_value=values[16] if financial else None, shows_financials=financial,
    )


async def _rows_of(session: AsyncSession, principal: Principal, found: Sequence[Any]) -> list[JourneyRow]:
    crews = await _crews(session, [r[0] for r in found])
    financial = principal.can(Permission.VIEW_FINANCIAL_DATA)
    return [_row(r, crews[r[0]], financial) for r in found]


async def load_rows(session: AsyncSession, principal: Principal, query: Select[Any]) -> list[JourneyRow]:
    """The rows of a `rows_query`-shaped query, with their crews (one more query)."""
    return await _rows_of(session, principal, (await session.execute(query)).all())


async def _count(session: AsyncSession, principal: Principal, search: JourneySearch) -> int:
    return int(await session.scalar(
        select(func.count()).select_from(Journey).where(journey_scope(principal), *search_clauses(search))) or 0)


async def search_journeys(principal: Principal, search: JourneySearch = JourneySearch(), *, page: int = 1,
                          page_size: int = DEFAULT_PAGE_SIZE) -> Page[JourneyRow]:
    """One page of the journeys in scope matching `search`, and how many match in all."""
    principal.require(Permission.SEARCH_JOURNEYS)
    check_paging(page, page_size)
    query = rows_query(principal, search).limit(page_size).offset((page - 1) * page_size)
    async with read_session() as session:
        if not search.text.strip():
            # A listing without search text: the count reads an index, the page walks one in date order.
            total = await _count(session, principal, search)
            return Page(tuple(await load_rows(session, principal, query)), total, page, page_size)
        # A search: its few matches are found once (the trigram indexes), counted by a window over them.
        found = (await session.execute(query.add_columns(func.count().over()))).all()
        total = int(found[0][-1]) if found else 0 if page == 1 else await _count(session, principal, search)
        rows = await _rows_of(session, principal, [r[:-1] for r in found])
    return Page(tuple(rows), total, page, page_size)


@dataclass(frozen=True, slots=True)
class Choice:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class SearchChoices:
    """What the filters of `/journeys` offer: branches, crew members and trucks in scope."""

    branches: tuple[Choice, ...]
    crew: tuple[Choice, ...]
    trucks: tuple[Choice, ...]


async def search_choices(principal: Principal) -> SearchChoices:
    principal.require(Permission.SEARCH_JOURNEYS)
    branches = tuple(Choice(o.id, o.name) for o in await visible_locations(principal))
    async with read_session() as session:
        crew = (await session.execute(
            select(User.id, User.full_name).where(user_scope(principal), User.role.in_([Role.DRIVER, Role.MOVER]))
            .order_by(User.full_name))).all()
        trucks = (await session.execute(
            select(Truck.id, Truck.number).where(truck_scope(principal)).order_by(Truck.number))).all()
    return SearchChoices(branches, tuple(Choice(*c) for c in crew), tuple(Choice(*t) for t in trucks))


@dataclass(frozen=True, slots=True)
class JourneysCsv:
    content: str
    rows: int
    truncated: bool
    limit: int
    filename: str


def _csv_header(financial: bool) -> list[str]:
    header = ["Job", "Date", "Start", "End", "Branch", "Status", "Source", "Customer", "Phone", "E-mail", "From",
              "To", "Truck", "Crew"]
    return [*header, "Estimated value"] if financial else header


def _csv_row(row: JourneyRow) -> list[Any]:
    start = clock(row.scheduled_start, row.timezone) if row.scheduled_start else ""
    end = clock(row.scheduled_end, row.timezone) if row.scheduled_end else ""
    values: list[Any] = [row.label, row.journey_date.isoformat(), start, end, row.location_name,
                         status_label(row.status), source_label(row.data_source), row.customer_name,
                         row.customer_phone, row.customer_email, row.origin_address, row.destination_address,
                         row.truck_number, ", ".join(row.crew)]
    return [*values, row.estimated_value] if row.shows_financials else values


@audited_write
async def export_journeys_csv(principal: Principal, search: JourneySearch = JourneySearch(), *,
                              limit: int = EXPORT_ROW_LIMIT) -> JourneysCsv:
    """The journeys matching `search` as CSV, in the list's order, at most `limit` rows; formula-safe
    cells; the estimated value only for principals who may see money. Each export is recorded in
    the audit trail (customer contact details leave the system)."""
    principal.require(Permission.SEARCH_JOURNEYS)
    if not 1 <= limit <= EXPORT_ROW_LIMIT:
        raise ValidationFailed(f"the export limit must be between 1 and {EXPORT_ROW_LIMIT}")
    async with unit_of_work() as session:
        rows = await load_rows(session, principal, rows_query(principal, search).limit(limit + 1))
        truncated = len(rows) > limit
        rows = rows[:limit]
        audit.record(session, principal, "export", "journeys", None,
                     new={"filters": search.describe(), "rows": len(rows), "truncated": truncated})
    content = await asyncio.to_thread(
        csv_text, _csv_header(principal.can(Permission.VIEW_FINANCIAL_DATA)), [_csv_row(r) for r in rows])
    return JourneysCsv(content, len(rows), truncated, limit,
                       f"journeys-{datetime.now().strftime('%Y%m%d-%H%M%S')}.csv")
