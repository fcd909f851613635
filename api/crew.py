"""`GET /api/crew`: the drivers and movers of the caller's branches (managers, dispatchers,
admins), with their loans to and from other branches, this week's assignments and last activity."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from api.admin.resources import PagingQuery
from api.http.deps import CurrentPrincipal
from api.http.envelope import ok
from api.http.params import RowId
from domain.crew.roster import crew_roster
from domain.journeys.search import MAX_FILTER_VALUES
from domain.paging import MAX_SEARCH_LENGTH

router = APIRouter(prefix="/api/crew", tags=["crew"])


@router.get("")
async def list_crew(
    principal: CurrentPrincipal, paging: PagingQuery,
    location_id: Annotated[list[RowId] | None, Query(max_length=MAX_FILTER_VALUES)] = None,
    q: Annotated[str, Query(max_length=MAX_SEARCH_LENGTH, description="Part of a name, e-mail or phone")] = "",
) -> JSONResponse:
    page = await crew_roster(principal, location_ids=location_id or (), search=q, page=paging.page,
                             page_size=paging.page_size)
    return ok({**page.as_dict(), "items": [asdict(row) for row in page.items]})
