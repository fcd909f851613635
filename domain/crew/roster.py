"""`/crew` and `GET /api/crew`: the drivers and movers of each branch in the principal's scope —
contact, role, this week's assignments, last activity — for managers, dispatchers and admins.

A person belongs to a branch by an ASSIGNED link. A person lent to another branch
(`resource_loans`, overlapping this week) is listed in both: at home marked "lent to ...", at the
other branch marked "on loan from ...". Rows are one UNION in SQL (home links and loans), scoped
and paged there; a page then takes three batched queries (loans, assignments, last activity).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import LocationLinkKind, Role, UserStatus
from db.models import Company, CrewAssignment, Location, ResourceLoan, StepActivity, User, UserLocation
from domain.access.rbac import Permission, Principal, location_scope
from domain.paging import DEFAULT_PAGE_SIZE, Page, check_paging, search_clause
from domain.timewindow import today_in
from domain.unit_of_work import read_session

CREW_ROLES = (Role.DRIVER, Role.MOVER)


@dataclass(frozen=True, slots=True)
class Loan:
    #: "out": lent from this row's branch to `other_location`; "in": on loan here from it.
    direction: str
    other_location: str
    starts_on: date
    ends_on: date


@dataclass(frozen=True, slots=True)
class CrewRow:
    #: `<user id>-<location id>`: a person appears once per branch they are listed in.
    id: str
    user_id: int
    name: str
    role: Role
    phone: str | None
    email: str
    location_id: int
    location_name: str
    timezone: str
    loans: tuple[Loan, ...]
    week_assignments: int
    last_activity_at: datetime | None


@dataclass(frozen=True, slots=True)
class Week:
    first: date
    last: date


def this_week(timezone: str, now: datetime | None = None) -> Week:
    """Monday to Sunday around today in `timezone`."""
    today = today_in(timezone, now)
    first = today - timedelta(days=today.weekday())
    return Week(first, first + timedelta(days=6))


def _overlapping(week: Week) -> ColumnElement[bool]:
    return and_(ResourceLoan.starts_on <= week.last, ResourceLoan.ends_on >= week.first)


def _listed(principal: Principal, week: Week, location_ids: Sequence[int]) -> Select[Any]:
    """(user_id, location_id) of every listing: home links and loans in, within scope."""
    branches = select(Location.id).where(location_scope(principal))
    if location_ids:
        branches = branches.where(Location.id.in_(sorted(location_ids)))
    home = select(UserLocation.user_id.label("user_id"), UserLocation.location_id.label("location_id"),
                  literal(0).label("on_loan")).where(UserLocation.kind == LocationLinkKind.ASSIGNED,
                                                     UserLocation.location_id.in_(branches))
    lent = select(ResourceLoan.user_id.label("user_id"), ResourceLoan.to_location_id.label("location_id"),
                  literal(1).label("on_loan")).where(ResourceLoan.user_id.is_not(None), _overlapping(week),
                                                     ResourceLoan.to_location_id.in_(branches))
    return union_all(home, lent).subquery("listed").select()


async def _week_of(session: AsyncSession, principal: Principal) -> Week:
    zone = await session.scalar(select(Company.timezone).where(Company.id == principal.company_id))
    return this_week(zone or "UTC")


async def _loans(session: AsyncSession, user_ids: Sequence[int], week: Week) -> dict[int, list[tuple[int, int, Any]]]:
    """Per user: (home location id or 0, to location id, loan) of loans overlapping the week."""
    found: dict[int, list[tuple[int, int, Any]]] = defaultdict(list)
    homes: dict[int, set[int]] = defaultdict(set)
    for user_id, location_id in await session.execute(
            select(UserLocation.user_id, UserLocation.location_id).where(
                UserLocation.user_id.in_(user_ids), UserLocation.kind == LocationLinkKind.ASSIGNED)):
        homes[user_id].add(location_id)
    for loan in await session.scalars(select(ResourceLoan).where(ResourceLoan.user_id.in_(user_ids),
                                                                 _overlapping(week))):
        assert loan.user_id is not None
        for home in homes[loan.user_id] or {0}:
            found[loan.user_id].append((home, loan.to_location_id, loan))
    return found


async def crew_roster(principal: Principal, *, location_ids: Sequence[int] = (), search: str = "",
                      page: int = 1, page_size: int = DEFAULT_PAGE_SIZE) -> Page[CrewRow]:
    """Drivers and movers (active) per branch in scope, by branch then name."""
    principal.require(Permission.VIEW_CREW_ROSTER)
    check_paging(page, page_size)
    async with read_session() as session:
        week = await _week_of(session, principal)
        listed = _listed(principal, week, location_ids).subquery()
        query = (
            select(User.id, User.full_name, User.role, User.phone, User.email, Location.id, Location.name,
                   Location.timezone)
            .select_from(listed).join(User, User.id == listed.c.user_id)
            .join(Location, Location.id == listed.c.location_id)
            .where(User.role.in_(CREW_ROLES), User.status == UserStatus.ACTIVE,
                   User.company_id == principal.company_id)
            .distinct()
        )
        if (match := search_clause(search, User.full_name, User.email, User.phone)) is not None:
            query = query.where(match)
        total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = (await session.execute(query.order_by(Location.name, User.full_name, User.id)
                                      .limit(page_size).offset((page - 1) * page_size))).all()
        user_ids = sorted({r[0] for r in rows})
        loans = await _loans(session, user_ids, week)
        branch_ids = {b for items in loans.values() for home, to, _ in items for b in (home, to)}
        names: dict[int, str] = {i: n for i, n in await session.execute(
            select(Location.id, Location.name).where(Location.id.in_(branch_ids)))}
        counts: dict[int, int] = {u: n for u, n in await session.execute(
            select(CrewAssignment.user_id, func.count()).where(
                CrewAssignment.user_id.in_(user_ids), CrewAssignment.journey_date.between(week.first, week.last))
            .group_by(CrewAssignment.user_id))}
        activity: dict[int | None, datetime] = {u: at for u, at in await session.execute(
            select(StepActivity.created_by_id, func.max(StepActivity.created_at))
            .where(StepActivity.created_by_id.in_(user_ids)).group_by(StepActivity.created_by_id))}
        logins: dict[int, datetime | None] = {u: at for u, at in await session.execute(
            select(User.id, User.last_login_at).where(User.id.in_(user_ids)))}
    items = []
    for user_id, name, role, phone, email, location_id, location_name, timezone in rows:
        marks = tuple(
            Loan("out", names.get(to, ""), loan.starts_on, loan.ends_on) if home == location_id
            else Loan("in", names.get(home, "another branch"), loan.starts_on, loan.ends_on)
            for home, to, loan in loans.get(user_id, [])
            if location_id in (home, to) and home != to
        )
        seen = [moment for moment in (activity.get(user_id), logins.get(user_id)) if moment is not None]
        items.append(CrewRow(f"{user_id}-{location_id}", user_id, name, role, phone, email, location_id,
                             location_name, timezone, marks, int(counts.get(user_id, 0)), max(seen) if seen else None))
    return Page(tuple(items), int(total), page, page_size)
