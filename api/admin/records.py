"""Company administration API: `/api/admin/users`, `/api/admin/locations`, `/api/admin/trucks`.
ADMIN acts on their own company; SUPER_ADMIN on any (`company_id` in the query of a list, in
the body of a create). The domain decides; these routes only translate."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.http.deps import CurrentPrincipal
from api.http.envelope import ok
from api.admin.resources import PagingQuery, add_resource_routes
from api.http.params import RowId
from db.enums import Role, UserStatus
from domain.admin import locations as admin_locations
from domain.admin import trucks as admin_trucks
from domain.admin import users as admin_users
from domain.admin.schemas import (
    LocationChanges,
    NewLocation,
    NewTruck,
    NewUser,
    PasswordReset,
    TruckChanges,
    UserChanges,
)

router = APIRouter(prefix="/api/admin", tags=["administration"])


@router.get("/users")
async def list_users(principal: CurrentPrincipal, paging: PagingQuery, company_id: RowId | None = None,
                     search: str | None = None, role: Role | None = None,
                     status: UserStatus | None = None) -> JSONResponse:
    page = await admin_users.list_users(principal, company_id=company_id, search=search, role=role, status=status,
                                        page=paging.page, page_size=paging.page_size)
    return ok(page.as_dict())


@router.post("/users/{entity_id}/reset-password")
async def reset_password(entity_id: RowId, body: PasswordReset, principal: CurrentPrincipal) -> JSONResponse:
    await admin_users.reset_password(principal, entity_id, body.password)
    return ok(None, "password reset")


@router.get("/locations")
async def list_locations(principal: CurrentPrincipal, paging: PagingQuery, company_id: RowId | None = None,
                         search: str | None = None, active: bool | None = None) -> JSONResponse:
    page = await admin_locations.list_locations(principal, company_id=company_id, search=search, active=active,
                                                page=paging.page, page_size=paging.page_size)
    return ok(page.as_dict())


@router.get("/trucks")
async def list_trucks(principal: CurrentPrincipal, paging: PagingQuery, company_id: RowId | None = None,
                      location_id: RowId | None = None, search: str | None = None,
                      active: bool | None = None) -> JSONResponse:
    page = await admin_trucks.list_trucks(principal, company_id=company_id, location_id=location_id, search=search,
                                          active=active, page=paging.page, page_size=paging.page_size)
    return ok(page.as_dict())


add_resource_routes(router, "/users", "user", read=admin_users.get_user, create=admin_users.create_user,
                    edit=admin_users.update_user, create_body=NewUser, edit_body=UserChanges,
                    states={"deactivate": admin_users.deactivate_user, "reactivate": admin_users.reactivate_user})
add_resource_routes(router, "/locations", "location", read=admin_locations.get_location,
                    create=admin_locations.create_location, edit=admin_locations.update_location,
                    create_body=NewLocation, edit_body=LocationChanges,
                    states={"deactivate": admin_locations.deactivate_location,
                            "reactivate": admin_locations.reactivate_location})
add_resource_routes(router, "/trucks", "truck", read=admin_trucks.get_truck, create=admin_trucks.create_truck,
                    edit=admin_trucks.update_truck, create_body=NewTruck, edit_body=TruckChanges,
                    states={"deactivate": admin_trucks.deactivate_truck, "reactivate": admin_trucks.reactivate_truck})
