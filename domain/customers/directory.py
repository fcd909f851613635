"""`/customers`, `GET /api/customers` and `GET /api/customers/{id}`: customers derived from the
journeys of the principal's scope — a query, not a table.

Why a query: every journey already carries its customer's name, phone and e-mail (SmartMoving
writes them on each sync, dispatchers on manual journeys), so a table would be a second copy to
keep in step with the sync and with every edit. A customer is the group of journeys sharing a
*customer key*, computed in SQL (`customer_key`):
- a SmartMoving journey: its SmartMoving customer id (`external_data.customer_id`);
- otherwise (manual journeys): the e-mail, lower-cased; without one, the phone's digits;
- with neither, the journey alone.
A customer's id is the smallest journey id of its group within the caller's scope; any journey id
of the group opens it. Its page also lists the manual journeys whose phone or e-mail is one of its
own (matched by phone or e-mail), so a SmartMoving customer booked once by hand is complete there.

Scope is `journey_scope` in the WHERE clause: a dispatcher finds only customers with a journey in
their branches, and sees only those journeys. Money (the sum of estimated values) only for roles
that may see it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Numeric, String, case, cast, func, literal, null, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import DataSource
from db.models import Journey, Location
from db.models.base import MAX_ROW_ID
from db.models.journey import phone_digits_of
from domain.access.rbac import Permission, Principal, journey_scope
from domain.errors import NotFound
from domain.journeys.search import JourneyRow, JourneySearch, load_rows, rows_query
from domain.journeys.text_search import journey_text_match
from domain.paging import DEFAULT_PAGE_SIZE, Page, check_paging
from domain.timewindow import today_in
from domain.unit_of_work import read_session

#: Most journeys a customer's page lists (past and upcoming together).
MAX_CUSTOMER_JOURNEYS = 500


def customer_key() -> ColumnElement[str]:
    """The key that groups a customer's journeys (see the module's docstring)."""
    sm_id = Journey.external_data["customer_id"].as_string()
    email = func.lower(func.nullif(Journey.customer_email, ""))
    digits = func.nullif(phone_digits_of(Journey.customer_phone), "")
    return case(
        ((Journey.data_source == DataSource.SMARTMOVING) & sm_id.is_not(None), literal("sm:") + sm_id),
        (email.is_not(None), literal("e:") + email),
        (digits.is_not(None), literal("p:") + digits),
        else_=literal("j:") + cast(Journey.id, String),
    )


@dataclass(frozen=True, slots=True)
class CustomerSummary:
    id: int
    name: str
    phone: str | None
    email: str | None
    from_smartmoving: bool
    journeys: int
    first_date: date
    last_date: date
    #: Sum of estimated values; only for roles that may see money (absent from `to_dict` otherwise).
    total_value: Decimal | None
    shows_financials: bool

    def to_dict(self) -> dict[str, Any]:
        data = {name: getattr(self, name) for name in self.__slots__ if name != "shows_financials"}
        if not self.shows_financials:
            data.pop("total_value")
        return data


async def list_customers(principal: Principal, *, search: str = "", page: int = 1,
                         page_size: int = DEFAULT_PAGE_SIZE) -> Page[CustomerSummary]:
    """Customers with a journey in scope matching `search` (name, phone, e-mail, job, address),
    most recent move first."""
    principal.require(Permission.VIEW_CUSTOMERS)
    check_paging(page, page_size)
    financial = principal.can(Permission.VIEW_FINANCIAL_DATA)
    key = customer_key().label("key")
    where = [journey_scope(principal)]
    if (match := journey_text_match(search)) is not None:
        where.append(match)
    matching = select(key).where(*where).distinct().subquery()
    value = Journey.estimated_value if financial else cast(null(), Numeric(12, 2)).label("estimated_value")
    journeys = select(Journey.id, Journey.customer_name, Journey.customer_phone, Journey.customer_email,
                      Journey.data_source, Journey.journey_date, value, key).where(journey_scope(principal)).subquery()
    grouped = (
        select(func.min(journeys.c.id), func.max(journeys.c.customer_name), func.max(journeys.c.customer_phone),
               func.max(journeys.c.customer_email),
               func.max(case((journeys.c.data_source == DataSource.SMARTMOVING, 1), else_=0)),
               func.count(), func.min(journeys.c.journey_date), func.max(journeys.c.journey_date),
               func.sum(journeys.c.estimated_value))
        .where(journeys.c.key.in_(select(matching.c.key)))
        .group_by(journeys.c.key)
    )
    async with read_session() as session:
        total = await session.scalar(select(func.count()).select_from(matching)) or 0
        rows = (await session.execute(grouped.order_by(func.max(journeys.c.journey_date).desc(),
                                                       func.min(journeys.c.id))
                                      .limit(page_size).offset((page - 1) * page_size))).all()
    items = tuple(
        CustomerSummary(row[0], row[1] or "", row[2], row[3], bool(row[4]), int(row[5]), row[6], row[7],
                        Decimal(str(row[8])).quantize(Decimal("0.01")) if financial and row[8] is not None else None,
                        financial)
        for row in rows)
    return Page(items, int(total), page, page_size)


@dataclass(frozen=True, slots=True)
class Contact:
    name: str
    phone: str | None
    email: str | None


@dataclass(frozen=True, slots=True)
class Note:
    journey_id: int
    label: str
    journey_date: date
    text: str


@dataclass(frozen=True, slots=True)
class CustomerDetail:
    id: int
    name: str
    from_smartmoving: bool
    contacts: tuple[Contact, ...]
    upcoming: tuple[JourneyRow, ...]
    past: tuple[JourneyRow, ...]
    #: The dispatch notes of its journeys, latest first.
    notes: tuple[Note, ...]
    total_value: Decimal | None
    shows_financials: bool

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id, "name": self.name, "from_smartmoving": self.from_smartmoving,
            "contacts": [{"name": c.name, "phone": c.phone, "email": c.email} for c in self.contacts],
            "upcoming": [r.to_dict() for r in self.upcoming], "past": [r.to_dict() for r in self.past],
            "notes": [{"journey_id": n.journey_id, "label": n.label, "journey_date": n.journey_date, "text": n.text}
                      for n in self.notes],
        }
        if self.shows_financials:
            data["total_value"] = self.total_value
        return data


async def _key_of(session: AsyncSession, principal: Principal, journey_id: int) -> str:
    if not 1 <= journey_id <= MAX_ROW_ID:  # e.g. typed into the page's address: no such row, never a 500
        raise NotFound(f"customer {journey_id} not found")
    key = await session.scalar(select(customer_key()).where(Journey.id == journey_id, journey_scope(principal)))
    if key is None:
        raise NotFound(f"customer {journey_id} not found")
    return key


async def get_customer(principal: Principal, customer_id: int) -> CustomerDetail:
    """The customer of journey `customer_id` (404 outside the scope): contacts, upcoming journeys
    (soonest first) and past ones (latest first), each in its branch's own today."""
    principal.require(Permission.VIEW_CUSTOMERS)
    async with read_session() as session:
        key = await _key_of(session, principal, customer_id)
        own = customer_key() == key
        contacts = (await session.execute(
            select(Journey.customer_name, Journey.customer_phone, Journey.customer_email)
            .where(journey_scope(principal), own).distinct())).all()
        emails = sorted({e.lower() for _, _, e in contacts if e})
        phones = sorted({"".join(c for c in p if c.isdigit()) for _, p, _ in contacts if p} - {""})
        by_contact = [func.lower(Journey.customer_email).in_(emails)] if emails else []
        if phones:
            by_contact.append(phone_digits_of(Journey.customer_phone).in_(phones))
        same = or_(own, (Journey.data_source == DataSource.MANUAL) & or_(*by_contact)) if by_contact else own
        query = rows_query(principal, JourneySearch()).where(same).limit(MAX_CUSTOMER_JOURNEYS)
        rows = await load_rows(session, principal, query)
        smallest = await session.scalar(select(func.min(Journey.id)).where(journey_scope(principal), own))
        from_sm = any(r.data_source is DataSource.SMARTMOVING for r in rows)
        noted: dict[int, str] = {i: n for i, n in await session.execute(
            select(Journey.id, Journey.notes).where(Journey.id.in_([r.id for r in rows]), Journey.notes.is_not(None),
                                                    Journey.notes != ""))}
        zones: dict[int, str] = {i: z for i, z in await session.execute(
            select(Location.id, Location.timezone).where(Location.id.in_({r.location_id for r in rows})))}
    todays = {location_id: today_in(zone) for location_id, zone in zones.items()}
    upcoming = sorted((r for r in rows if r.journey_date >= todays[r.location_id]),
                      key=lambda r: (r.journey_date, r.id))
    past = [r for r in rows if r.journey_date < todays[r.location_id]]
    financial = principal.can(Permission.VIEW_FINANCIAL_DATA)
    total = sum((r.estimated_value or Decimal(0) for r in rows), Decimal(0)) if financial else None
    latest = max(rows, key=lambda r: (r.journey_date, r.id)) if rows else None
    return CustomerDetail(
        id=smallest or customer_id, name=latest.customer_name if latest else "", from_smartmoving=from_sm,
        contacts=tuple(Contact(n or "", p, e) for n, p, e in sorted(contacts, key=lambda c: tuple(x or "" for x in c))),
        upcoming=tuple(upcoming), past=tuple(past),
        notes=tuple(Note(r.id, r.label, r.journey_date, noted[r.id]) for r in rows if r.id in noted),
        total_value=total, shows_financials=financial)
