"""Crew time on the crew's API (`/api/mobile`): the clock of a journey, and a tap.

`POST /api/mobile/journey/{id}/clock` is what an outbox delivers: a client-made `client_key` and
the phone's `made_at`; a key delivered again returns the original result (`replayed: true`) and
writes nothing."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.http.deps import CurrentPrincipal
from api.http.envelope import ok
from api.http.params import RowId
from domain.crew_time.board import journey_clock
from domain.crew_time.clock import clock
from domain.crew_time.kinds import LABELS
from domain.crew_time.schemas import ClockTap

router = APIRouter(prefix="/api/mobile", tags=["crew time"])


@router.get("/journey/{journey_id}/clock")
async def read_clock(journey_id: RowId, principal: CurrentPrincipal) -> JSONResponse:
    """The next event to clock, the others possible now, and the day's events of the crew."""
    board = await journey_clock(principal, journey_id)
    data = asdict(board)
    data["lines"] = [{**asdict(line), "at": line.at.isoformat()} for line in board.lines]
    data["next_label"] = LABELS[board.next_kind] if board.next_kind else None
    return ok(data)


@router.post("/journey/{journey_id}/clock", status_code=201)
async def tap(journey_id: RowId, body: ClockTap, principal: CurrentPrincipal) -> JSONResponse:
    """Clock oneself, or (`whole_crew`, driver or foreman) the whole crew; 200 on a replayed key."""
    result = await clock(principal, journey_id, body)
    return ok(result.as_dict(), "already recorded" if result.replayed else "clocked", 200 if result.replayed else 201)
