"""`GET /api/journeys`: every journey of the caller's scope across dates and branches, searched,
filtered, sorted and paged; `GET /api/journeys/export.csv`: the same filters as CSV (at most
EXPORT_ROW_LIMIT rows; `X-Export-Truncated` says when the limit cut it short). Roles with
`can_search_journeys`; others get 403."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import JSONResponse

from api.admin.resources import PagingQuery
from api.audit import CsvResponse
from api.http.deps import CurrentPrincipal
from api.http.envelope import ok
from api.http.params import Day, RowId
from db.enums import DataSource, JourneyStatus
from domain.journeys.search import MAX_FILTER_VALUES, JourneySearch, JourneySort, export_journeys_csv, search_journeys
from domain.paging import MAX_SEARCH_LENGTH

router = APIRouter(prefix="/api/journeys", tags=["journeys"])


def _search(
    q: Annotated[str, Query(max_length=MAX_SEARCH_LENGTH,
                            description="Part of the customer's name, job number, an address, phone or e-mail")] = "",
    date_from: Day | None = None,
    date_to: Day | None = None,
    location_id: Annotated[list[RowId] | None, Query(max_length=MAX_FILTER_VALUES,
                                                     description="Branches (repeat for several)")] = None,
    status: Annotated[list[JourneyStatus] | None, Query(max_length=len(JourneyStatus))] = None,
    source: DataSource | None = None,
    crew_user_id: Annotated[RowId | None, Query(description="Journeys this person is on")] = None,
    truck_id: RowId | None = None,
    sort: JourneySort = JourneySort.DATE,
    order: Literal["asc", "desc"] = "desc",
) -> JourneySearch:
    return JourneySearch(text=q, date_from=date_from, date_to=date_to, location_ids=frozenset(location_id or ()),
                         statuses=frozenset(status or ()), source=source, crew_user_id=crew_user_id,
                         truck_id=truck_id, sort=sort, descending=order == "desc")


Search = Annotated[JourneySearch, Depends(_search)]


@router.get("")
async def list_journeys(principal: CurrentPrincipal, search: Search, paging: PagingQuery) -> JSONResponse:
    """Journeys in the caller's scope, newest first unless sorted otherwise. Times are in each
    branch's time zone; `estimated_value` only for roles that may see money."""
    page = await search_journeys(principal, search, page=paging.page, page_size=paging.page_size)
    return ok({**page.as_dict(), "items": [row.to_dict() for row in page.items]})


@router.get("/export.csv", response_class=CsvResponse)
async def export_csv(principal: CurrentPrincipal, search: Search) -> Response:
    export = await export_journeys_csv(principal, search)
    return CsvResponse(export.content, headers={
        "Content-Disposition": f'attachment; filename="{export.filename}"',
        "X-Export-Rows": str(export.rows),
        "X-Export-Row-Limit": str(export.limit),
        "X-Export-Truncated": "true" if export.truncated else "false",
    })
