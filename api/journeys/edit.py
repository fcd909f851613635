"""Journeys over JSON: list, read, create, edit, cancel/delete, assign crew and truck, availability.

Thin: each route validates its input (Pydantic, with limits: the bodies of a journey are the
domain's schemas, `domain/journeys/schemas.py`), calls one domain function with the acting
principal, and answers with the envelope. Cards come from the domain already trimmed to
what the principal may see (no `estimated_value` key for roles without financial data).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from starlette.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from api.http.deps import CurrentPrincipal
from api.http.envelope import ok
from api.http.idempotency import Once
from api.http.params import Day, PageNumber, RowId
from db.enums import CrewRole, DataSource, JourneyStatus
from domain.board.assignment import MAX_CREW_SIZE, MAX_OVERRIDE_REASON, UNCHANGED, CrewChoice, assign
from domain.board.availability import availability
from domain.board.views import MAX_PAGE_SIZE, active_journeys, get_card
from domain.board.cards import CardFilters, JobCard
from domain.errors import NotFound
from domain.journeys.detail import journey_detail
from domain.journeys.edit import cancel_journey, create_journey, delete_journey, update_journey
from domain.journeys.schemas import MAX_NOTES, JourneyChanges, NewJourney
from domain.paging import MAX_SEARCH_LENGTH
from domain.access.rbac import Principal

router = APIRouter(prefix="/api/journey", tags=["journeys"])

DEFAULT_PAGE_SIZE = 25
#: `/{id}` only matches digits, so that `PUT /active` is a 405 (no such method), not a 422 (bad id).
JOURNEY_PATH = "/{journey_id:int}"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CrewMemberIn(_Strict):
    user_id: RowId
    role: CrewRole


class CrewUpdate(_Strict):
    """`truck_id`: omitted leaves the truck, null removes it. `crew`: omitted leaves the crew,
    a list replaces it (empty removes everyone)."""

    truck_id: RowId | None = None
    crew: list[CrewMemberIn] | None = Field(None, max_length=MAX_CREW_SIZE)
    #: Assign people who are off (or a truck out of service) anyway: admins only, audited.
    override_reason: str | None = Field(None, max_length=MAX_OVERRIDE_REASON)


async def _card(principal: Principal, journey_id: int) -> dict[str, Any]:
    card: JobCard | None = await get_card(principal, journey_id)
    if card is None:  # e.g. deleted meanwhile
        raise NotFound(f"journey {journey_id} not found")
    return card.to_dict()


@router.get("/active")
async def list_active(
    principal: CurrentPrincipal,
    location_id: RowId | None = None,
    day: Annotated[Day | None, Query(alias="date")] = None,
    status: Annotated[list[JourneyStatus] | None, Query()] = None,
    unassigned: bool = False,
    source: DataSource | None = None,
    q: Annotated[str, Query(max_length=MAX_SEARCH_LENGTH)] = "",
    page: PageNumber = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
) -> JSONResponse:
    """Journeys in the caller's scope, by date and time; without `status`, those not closed."""
    result = await active_journeys(
        principal, location_id=location_id, day=day,
        filters=CardFilters(frozenset(status or ()), unassigned, source, q), page=page, page_size=page_size,
    )
    return ok({"items": [c.to_dict() for c in result.items], "page": result.page,
               "page_size": result.page_size, "total": result.total})


@router.get(JOURNEY_PATH)
async def read(journey_id: RowId, principal: CurrentPrincipal) -> JSONResponse:
    detail = await journey_detail(principal, journey_id)
    body = {**detail.card.to_dict(), "steps": [asdict(s) for s in detail.steps],
            "sheet": asdict(detail.sheet) if detail.sheet else None}
    if detail.balance is not None:  # financial roles only: the key is absent for anybody else
        body["balance"] = asdict(detail.balance)
    return ok(body)


@router.post("", status_code=201)
async def create(body: NewJourney, principal: CurrentPrincipal, once: Once) -> Response:
    """The card of the new journey, read in the transaction that creates it (`Idempotency-Key`:
    see api/http/idempotency.py)."""
    async def work() -> Response:
        journey_id = await create_journey(principal, body)
        return ok(await _card(principal, journey_id), "journey created", status_code=201)

    return await once.run(principal, work)


@router.put(JOURNEY_PATH)
async def edit(journey_id: RowId, body: JourneyChanges, principal: CurrentPrincipal) -> JSONResponse:
    await update_journey(principal, journey_id, body)
    return ok(await _card(principal, journey_id), "journey updated")


@router.delete(JOURNEY_PATH)
async def cancel_or_delete(
    journey_id: RowId, principal: CurrentPrincipal, hard: bool = False,
    reason: Annotated[str | None, Query(max_length=MAX_NOTES)] = None,
) -> JSONResponse:
    """Cancels the journey; `?hard=true` (admins, manual journeys) erases it."""
    if hard:
        await delete_journey(principal, journey_id)
        return ok({"id": journey_id, "deleted": True}, "journey deleted")
    await cancel_journey(principal, journey_id, reason)
    return ok(await _card(principal, journey_id), "journey cancelled")


@router.post("/{journey_id}/crew")
async def set_crew(journey_id: RowId, body: CrewUpdate, principal: CurrentPrincipal) -> JSONResponse:
    """409 names the journey already holding the truck or person, or who is off and why."""
    await assign(
        principal, journey_id,
        truck_id=body.truck_id if "truck_id" in body.model_fields_set else UNCHANGED,
        crew=None if body.crew is None else [CrewChoice(m.user_id, m.role) for m in body.crew],
        override_reason=body.override_reason,
    )
    return ok(await _card(principal, journey_id), "crew and truck saved")


@router.get("/{journey_id}/availability")
async def read_availability(journey_id: RowId, principal: CurrentPrincipal) -> JSONResponse:
    offered = await availability(principal, journey_id)
    return ok(asdict(offered))
