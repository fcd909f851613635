"""Recording and reading availability: people's time off, trucks out of service, skills.

Who: the roles with MANAGE_AVAILABILITY, for the people and trucks in their scope (a manager's
branches; an admin's company). A person or truck outside it is "not found". Every write is audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Truck, Unavailability, User, UserSkill
from domain.access.rbac import Permission, Principal, truck_scope, user_scope
from domain.audit import record as audit
from domain.audit.record import audited_write
from domain.availability.periods import Period
from domain.availability.schemas import NewPeriod, SkillSet
from domain.availability.skills import skill_labels
from domain.errors import NotFound
from domain.unit_of_work import read_session, unit_of_work

_COLUMNS = (Unavailability.id, Unavailability.user_id, Unavailability.truck_id, Unavailability.starts_on,
            Unavailability.ends_on, Unavailability.weekdays, Unavailability.reason)


@dataclass(frozen=True, slots=True)
class ResourceAvailability:
    """What the availability panel of one person or truck shows."""

    name: str
    periods: tuple[Period, ...]
    #: Skill codes (people only).
    skills: frozenset[str]

    @property
    def skill_labels(self) -> list[str]:
        return skill_labels(self.skills)


async def _owner(session: AsyncSession, principal: Principal, *, user_id: int | None,
                 truck_id: int | None) -> tuple[int, str]:
    """(company id, name) of the person or truck, if in the principal's scope; else 404."""
    if user_id is not None:
        row = (await session.execute(select(User.company_id, User.full_name).where(
            User.id == user_id, user_scope(principal)))).first()
        if row is None or row[0] is None:
            raise NotFound(f"person {user_id} not found")
        return int(row[0]), str(row[1])
    truck = (await session.execute(select(Truck.company_id, Truck.number).where(
        Truck.id == truck_id, truck_scope(principal)))).first()
    if truck is None:
        raise NotFound(f"truck {truck_id} not found")
    return int(truck[0]), str(truck[1])


async def resource_availability(principal: Principal, *, user_id: int | None = None,
                                truck_id: int | None = None) -> ResourceAvailability:
    """The periods (latest first) and skills of one person or truck in scope."""
    principal.require(Permission.MANAGE_AVAILABILITY)
    async with read_session() as session:
        _company, name = await _owner(session, principal, user_id=user_id, truck_id=truck_id)
        column = Unavailability.user_id if user_id is not None else Unavailability.truck_id
        rows = await session.execute(select(*_COLUMNS).where(column == (user_id or truck_id))
                                     .order_by(Unavailability.starts_on.desc(), Unavailability.id.desc()))
        skills = frozenset(await session.scalars(select(UserSkill.skill).where(UserSkill.user_id == user_id))) \
            if user_id is not None else frozenset()
        return ResourceAvailability(name, tuple(Period(*row) for row in rows), skills)


@audited_write
async def add_period(principal: Principal, data: Mapping[str, Any] | NewPeriod) -> Period:
    """Record time off of a person or an out-of-service period of a truck."""
    principal.require(Permission.MANAGE_AVAILABILITY)
    period = NewPeriod.parse(data).check()
    async with unit_of_work() as session:
        company_id, name = await _owner(session, principal, user_id=period.user_id, truck_id=period.truck_id)
        row = Unavailability(company_id=company_id, user_id=period.user_id, truck_id=period.truck_id,
                             starts_on=period.starts_on, ends_on=period.ends_on, weekdays=period.weekday_bits(),
                             reason=period.reason, created_by_id=principal.user_id)
        session.add(row)
        await session.flush()
        saved = Period(row.id, row.user_id, row.truck_id, row.starts_on, row.ends_on, row.weekdays, row.reason)
        audit.record(session, principal, "availability.add", "person" if period.user_id else "truck",
                     period.user_id or period.truck_id, new={"name": name, "off": saved.describe()},
                     company_id=company_id)
        return saved


@audited_write
async def remove_period(principal: Principal, period_id: int) -> None:
    principal.require(Permission.MANAGE_AVAILABILITY)
    async with unit_of_work() as session:
        row = (await session.execute(select(*_COLUMNS).where(Unavailability.id == period_id))).first()
        if row is None:
            raise NotFound(f"period {period_id} not found")
        period = Period(*row)
        company_id, name = await _owner(session, principal, user_id=period.user_id, truck_id=period.truck_id)
        await session.execute(delete(Unavailability).where(Unavailability.id == period_id))
        audit.record(session, principal, "availability.remove", "person" if period.user_id else "truck",
                     period.user_id or period.truck_id, old={"name": name, "off": period.describe()},
                     company_id=company_id)


@audited_write
async def set_skills(principal: Principal, user_id: int, data: Mapping[str, Any] | SkillSet) -> frozenset[str]:
    """Replace a person's skills and licences."""
    principal.require(Permission.MANAGE_AVAILABILITY)
    wanted = frozenset(SkillSet.parse(data).check().skills)
    async with unit_of_work() as session:
        company_id, name = await _owner(session, principal, user_id=user_id, truck_id=None)
        held = frozenset(await session.scalars(select(UserSkill.skill).where(UserSkill.user_id == user_id)))
        if held == wanted:
            return held
        await session.execute(delete(UserSkill).where(UserSkill.user_id == user_id))
        session.add_all(UserSkill(user_id=user_id, skill=code) for code in sorted(wanted))
        audit.record(session, principal, "availability.skills", "person", user_id,
                     old={"name": name, "skills": skill_labels(held)},
                     new={"name": name, "skills": skill_labels(wanted)}, company_id=company_id)
        return wanted
