"""The locations (branches) a principal may work on: the board's location picker and the
location check of every journey write."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Location
from domain.errors import NotFound
from domain.access.rbac import Principal, location_scope
from domain.unit_of_work import read_session


@dataclass(frozen=True, slots=True)
class LocationOption:
    id: int
    name: str
    timezone: str


async def visible_location(session: AsyncSession, principal: Principal, location_id: int) -> Location:
    """The location if it is in the principal's scope; otherwise 404 (its existence is not revealed)."""
    location = await session.scalar(
        select(Location).where(Location.id == location_id, location_scope(principal))
    )
    if location is None:
        raise NotFound(f"location {location_id} not found")
    return location


async def visible_locations(principal: Principal) -> list[LocationOption]:
    """Active locations in scope, by name."""
    async with read_session() as session:
        rows = await session.execute(
            select(Location.id, Location.name, Location.timezone)
            .where(location_scope(principal), Location.active.is_(True))
            .order_by(Location.name)
        )
        return [LocationOption(*row) for row in rows]
