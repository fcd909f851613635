"""The super admin's company API: `/api/super-admin/companies` (list, read, create, rename,
suspend, reactivate). Other roles get 403 from the domain."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.http.deps import CurrentPrincipal
from api.http.envelope import ok
from api.admin.resources import PagingQuery, add_resource_routes
from db.enums import CompanyStatus
from domain.admin import companies
from domain.admin.schemas import CompanyChanges, NewCompany

router = APIRouter(prefix="/api/super-admin", tags=["companies"])


@router.get("/companies")
async def list_companies(principal: CurrentPrincipal, paging: PagingQuery, search: str | None = None,
                         status: CompanyStatus | None = None) -> JSONResponse:
    page = await companies.list_companies(principal, search=search, status=status, page=paging.page,
                                          page_size=paging.page_size)
    return ok(page.as_dict())


add_resource_routes(router, "/companies", "company", read=companies.get_company, create=companies.create_company,
                    edit=companies.update_company, create_body=NewCompany, edit_body=CompanyChanges,
                    states={"suspend": companies.suspend_company, "reactivate": companies.reactivate_company})
