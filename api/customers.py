"""`GET /api/customers` (search, paging) and `GET /api/customers/{id}` (contacts, upcoming and
past journeys): customers derived from the journeys of the caller's scope (see
`domain/customers/directory.py`); money only for roles that may see it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from api.admin.resources import PagingQuery
from api.http.deps import CurrentPrincipal
from api.http.envelope import ok
from api.http.params import RowId
from domain.customers.directory import get_customer, list_customers
from domain.paging import MAX_SEARCH_LENGTH

router = APIRouter(prefix="/api/customers", tags=["customers"])


@router.get("")
async def customers(
    principal: CurrentPrincipal, paging: PagingQuery,
    q: Annotated[str, Query(max_length=MAX_SEARCH_LENGTH,
                            description="Part of a name, phone, e-mail, job number or address")] = "",
) -> JSONResponse:
    page = await list_customers(principal, search=q, page=paging.page, page_size=paging.page_size)
    return ok({**page.as_dict(), "items": [c.to_dict() for c in page.items]})


@router.get("/{customer_id}")
async def customer(customer_id: RowId, principal: CurrentPrincipal) -> JSONResponse:
    """A customer by the id `GET /api/customers` gives (any of its journeys' ids opens it)."""
    return ok((await get_customer(principal, customer_id)).to_dict())
