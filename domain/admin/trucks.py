"""Company administration of trucks: list, create, edit, deactivate/reactivate. A truck
number is unique within its company regardless of case; its location must be one of the
company's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Location, Truck
from domain.audit.record import audited_write
from domain.errors import Forbidden, ValidationFailed
from domain.admin.schemas import NewTruck, TruckChanges
from domain.paging import DEFAULT_PAGE_SIZE, Page, fetch_page, narrow, search_clause
from domain.access.rbac import Principal, truck_scope
from domain.admin.tenancy import change_state, company_filter, create_record, read_owned, update_record
from domain.unit_of_work import read_session

AUDITED = ("company_id", "number", "location_id", "size", "active")


def truck_view(row: Any) -> dict[str, Any]:
    truck, location_name = (row, None) if isinstance(row, Truck) else row
    return {"id": truck.id, "company_id": truck.company_id, "number": truck.number, "size": truck.size,
            "location_id": truck.location_id, "location_name": location_name, "active": truck.active}


async def list_trucks(principal: Principal, *, company_id: int | None = None, location_id: int | None = None,
                      search: str | None = None, active: bool | None = None, page: int = 1,
                      page_size: int = DEFAULT_PAGE_SIZE) -> Page[dict[str, Any]]:
    query = narrow(
        select(Truck, Location.name)
        .join(Location, Location.id == Truck.location_id)
        .where(truck_scope(principal), company_filter(principal, company_id, Truck.company_id)),
        search_clause(search, Truck.number, Truck.size, Location.name),
        Truck.location_id == location_id if location_id is not None else None,
        Truck.active.is_(active) if active is not None else None,
    )
    async with read_session() as session:
        return await fetch_page(session, query.order_by(Location.name, Truck.number), page, page_size, truck_view)


async def get_truck(principal: Principal, truck_id: int) -> dict[str, Any]:
    return await read_owned(principal, Truck, truck_id, "truck", truck_view)


async def _location_of_company(session: AsyncSession, values: dict[str, Any], company_id: int) -> None:
    if "location_id" not in values:
        return
    owner = await session.scalar(select(Location.company_id).where(Location.id == values["location_id"]))
    if owner is None:
        raise ValidationFailed(f"unknown location: {values['location_id']}")
    if owner != company_id:
        raise Forbidden(f"location {values['location_id']} belongs to another company")


@audited_write
async def create_truck(principal: Principal, data: Mapping[str, Any] | NewTruck) -> dict[str, Any]:
    """`data`: number, location_id, optional size, and `company_id` for a super admin."""
    return truck_view(await create_record(principal, Truck, "truck", NewTruck, data, unique="number",
                                          audited=AUDITED, check=_location_of_company))


@audited_write
async def update_truck(principal: Principal, truck_id: int,
                       changes: Mapping[str, Any] | TruckChanges) -> dict[str, Any]:
    return truck_view(await update_record(principal, Truck, "truck", TruckChanges, truck_id, changes,
                                          unique="number", check=_location_of_company))


@audited_write
async def deactivate_truck(principal: Principal, truck_id: int) -> dict[str, Any]:
    return truck_view(await change_state(principal, Truck, "truck", truck_id, "active", False, "deactivate",
                                         already="inactive"))


@audited_write
async def reactivate_truck(principal: Principal, truck_id: int) -> dict[str, Any]:
    return truck_view(await change_state(principal, Truck, "truck", truck_id, "active", True, "reactivate",
                                         already="active"))
