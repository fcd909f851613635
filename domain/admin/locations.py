"""Company administration of locations (branches): list, create, edit, deactivate/reactivate.
Names are unique within a company regardless of case; the time zone must be a real one, since
"today" of a branch is computed in it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from db.models import Location
from domain.audit.record import audited_write
from domain.admin.schemas import LocationChanges, LocationFields, NewLocation
from domain.paging import DEFAULT_PAGE_SIZE, Page, fetch_page, narrow, search_clause
from domain.access.rbac import Principal, location_scope
from domain.admin.tenancy import change_state, company_filter, create_record, read_owned, update_record
from domain.unit_of_work import read_session

AUDITED = ("company_id", *LocationFields.model_fields, "active")


def location_view(location: Location) -> dict[str, Any]:
    return {"id": location.id, "company_id": location.company_id, "active": location.active,
            **{name: getattr(location, name) for name in LocationFields.model_fields}}


async def list_locations(principal: Principal, *, company_id: int | None = None, search: str | None = None,
                         active: bool | None = None, page: int = 1,
                         page_size: int = DEFAULT_PAGE_SIZE) -> Page[dict[str, Any]]:
    query = narrow(
        select(Location).where(location_scope(principal), company_filter(principal, company_id, Location.company_id)),
        search_clause(search, Location.name, Location.code, Location.city),
        Location.active.is_(active) if active is not None else None,
    )
    async with read_session() as session:
        return await fetch_page(session, query.order_by(Location.name, Location.id), page, page_size, location_view)


async def get_location(principal: Principal, location_id: int) -> dict[str, Any]:
    return await read_owned(principal, Location, location_id, "location", location_view)


@audited_write
async def create_location(principal: Principal, data: Mapping[str, Any] | NewLocation) -> dict[str, Any]:
    """`data`: a NewLocation (`company_id` for a super admin)."""
    return location_view(await create_record(principal, Location, "location", NewLocation, data,
                                              unique="name", audited=AUDITED))


@audited_write
async def update_location(principal: Principal, location_id: int,
                          changes: Mapping[str, Any] | LocationChanges) -> dict[str, Any]:
    return location_view(await update_record(principal, Location, "location", LocationChanges, location_id,
                                              changes, unique="name"))


@audited_write
async def deactivate_location(principal: Principal, location_id: int) -> dict[str, Any]:
    return location_view(await change_state(principal, Location, "location", location_id, "active", False,
                                            "deactivate", already="inactive"))


@audited_write
async def reactivate_location(principal: Principal, location_id: int) -> dict[str, Any]:
    return location_view(await change_state(principal, Location, "location", location_id, "active", True,
                                            "reactivate", already="active"))


async def location_options(principal: Principal, company_id: int | None = None) -> dict[int, str]:
    """Active locations by id → name, for choosing one in a form (the company's, in its scope)."""
    query = select(Location.id, Location.name).where(
        location_scope(principal), company_filter(principal, company_id, Location.company_id),
        Location.active.is_(True),
    )
    async with read_session() as session:
        return dict((await session.execute(query.order_by(Location.name))).tuples().all())
