"""Timesheets (`/api/timesheets`, managers and admins within their scope): list, approve a day,
correct or add a clock event (with a reason), the payroll CSV, the company's time rules.
Another company's or branch's rows are 404."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from api.audit import CsvResponse
from api.http.deps import CurrentPrincipal
from api.http.envelope import ok
from api.http.params import Day, RowId
from domain.crew_time.payroll import export_payroll_csv
from domain.crew_time.review import add_missing_event, approve_day, correct_event
from domain.crew_time.rules import save_time_rules, time_rules
from domain.crew_time.schemas import Correction, DayApproval, MissingEvent, TimeRulesForm
from domain.crew_time.timesheets import list_timesheets
from domain.journeys.search import MAX_FILTER_VALUES

router = APIRouter(prefix="/api/timesheets", tags=["timesheets"])


@router.get("")
async def list_days(principal: CurrentPrincipal, date_from: Day, date_to: Day,
                    location_id: Annotated[list[RowId] | None, Query(max_length=MAX_FILTER_VALUES)] = None,
                    user_id: RowId | None = None) -> JSONResponse:
    """Each person per day (journey days from `date_from` to `date_to`, at most 62) and per journey."""
    days = await list_timesheets(principal, date_from, date_to, location_ids=tuple(location_id or ()),
                                 user_id=user_id)
    return ok({"items": [day.as_dict() for day in days], "total": len(days)})


@router.post("/approve")
async def approve(body: DayApproval, principal: CurrentPrincipal) -> JSONResponse:
    return ok(await approve_day(principal, body), "approved")


@router.post("/events/{event_id}/correct")
async def correct(event_id: RowId, body: Correction, principal: CurrentPrincipal) -> JSONResponse:
    return ok(await correct_event(principal, event_id, body), "corrected")


@router.post("/events", status_code=201)
async def add(body: MissingEvent, principal: CurrentPrincipal) -> JSONResponse:
    return ok(await add_missing_event(principal, body), "added", 201)


@router.get("/export.csv", response_class=CsvResponse)
async def export(principal: CurrentPrincipal, location_id: RowId, date_from: Day, date_to: Day) -> Response:
    """The payroll CSV of one branch and pay period (regular and overtime hours by the company's rules)."""
    export = await export_payroll_csv(principal, location_id, date_from, date_to)
    return CsvResponse(export.content, headers={
        "Content-Disposition": f'attachment; filename="{export.filename}"', "X-Export-Rows": str(export.rows)})


@router.get("/rules")
async def read_rules(principal: CurrentPrincipal) -> JSONResponse:
    rules = await time_rules(principal)
    return ok({**rules.as_dict(), "words": rules.words()})


@router.put("/rules")
async def change_rules(body: TimeRulesForm, principal: CurrentPrincipal) -> JSONResponse:
    rules = await save_time_rules(principal, body)
    return ok({**rules.as_dict(), "words": rules.words()}, "saved")
