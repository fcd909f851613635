"""The phone's outbox over the crew API.

- `GET /api/mobile/outbox-token`: a short-lived bearer token for the open crew page (the page's
  session cookie is accepted for reads only; the outbox's writes carry this token). A cross-site
  page cannot read the answer, so the cookie cannot be turned into a token elsewhere.
- `POST /api/mobile/journey/{id}/actions`: one outbox action, applied once (see
  domain/workflow/outbox.py); a replayed key answers 200 with `replayed: true` and writes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal
from uuid import UUID

from annotated_types import Interval
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, Field

from api.http.deps import CurrentPrincipal
from api.http.envelope import ok
from api.http.params import RowId
from db.enums import Phase
from domain.access.rbac import Permission
from domain.access.tokens import issue_token
from domain.workflow.items import SIGNER_MAX_LENGTH
from api.documents.schemas import SignatureConsent, consent_of
from domain.workflow.outbox import Action, apply_action

router = APIRouter(prefix="/api/mobile", tags=["mobile"])

#: How long a page's outbox token lasts (the page asks again when it is refused).
OUTBOX_TOKEN_LIFETIME = timedelta(minutes=30)
#: When the phone says an action was made (with its offset; bounded again by the server).
PhoneTime = Annotated[AwareDatetime, Interval(ge=datetime(2000, 1, 1, tzinfo=UTC), le=datetime(3000, 1, 1, tzinfo=UTC))]


class ActionBody(BaseModel):
    #: The phone's idempotency key (crypto.randomUUID()).
    key: UUID
    kind: Literal["phase.start", "phase.complete", "item.record"]
    phase: Phase
    made_at: PhoneTime
    item_key: str | None = Field(None, min_length=1, max_length=80)
    #: The answer, as for `POST .../items`.
    value: Any = None
    media_id: RowId | None = None
    signer: str | None = Field(None, max_length=SIGNER_MAX_LENGTH)
    consent: SignatureConsent | None = None



@router.get("/outbox-token")
async def outbox_token(principal: CurrentPrincipal) -> JSONResponse:
    """A bearer token for the crew page's outbox (crew only)."""
    principal.require(Permission.USE_CREW_APP)
    token, lifetime = issue_token(principal, OUTBOX_TOKEN_LIFETIME)
    return ok({"token": token, "expires_in": lifetime})


@router.post("/journey/{journey_id}/actions")
async def deliver(journey_id: RowId, body: ActionBody, principal: CurrentPrincipal) -> JSONResponse:
    """Apply one outbox action once; its reason in words when it is refused."""
    applied = await apply_action(principal, journey_id, Action(
        key=str(body.key), kind=body.kind, phase=body.phase, made_at=body.made_at, item_key=body.item_key,
        value=body.value, media_id=body.media_id, signer=body.signer,
        consent=consent_of(body.consent)))
    return ok(applied, "already recorded" if applied.replayed else "recorded")
