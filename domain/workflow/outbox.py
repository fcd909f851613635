"""Crew actions from a phone's outbox, applied exactly once and in the phone's order.

An action is what the crew did on a journey page, made on the phone first (kept in IndexedDB
while there is no signal) and delivered later: `{key, kind, phase, made_at, ...}` (the format is
documented in components/workflow/outbox.js). The server

- applies it with the same rules as a live tap (`domain.workflow.phases`), and records it at the
  phone's time, bounded (`domain.workflow.stamps`);
- stores its key with what it wrote, in the same transaction; a replay of the key (the answer was
  lost on the way back) returns the first answer and writes nothing;
- refuses what the rules refuse (the phase moved on or was sent back, the journey was cancelled
  or given to another crew) with a reason in words, which the phone keeps for the crew to see.

New kinds of action (e.g. clock events) are one more entry in `APPLY`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from db.enums import Phase
from db.models import ClientAction
from domain.access.rbac import Permission, Principal
from domain.audit.record import audited_write
from domain.errors import NotFound, ValidationFailed
from domain.unit_of_work import read_session
from domain.workflow import phases as workflow
from domain.workflow.stamps import AlreadyApplied, ClientStamp, answer

START, COMPLETE, RECORD = "phase.start", "phase.complete", "item.record"


@dataclass(frozen=True, slots=True)
class Action:
    """One outbox action as the phone sent it (already shape-checked by the API)."""

    key: str
    kind: str
    phase: Phase
    made_at: datetime
    item_key: str | None = None
    value: Any = None
    media_id: int | None = None
    signer: str | None = None
    #: For a signature: the customer's consent (domain/documents/consent.py).
    consent: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Applied:
    """The answer to an action: what it wrote (or wrote the first time, when `replayed`)."""

    key: str
    kind: str
    replayed: bool
    result: dict[str, Any]


async def _start(principal: Principal, journey_id: int, action: Action, stamp: ClientStamp) -> object:
    return await workflow.start_phase(principal, journey_id, action.phase, stamp=stamp)


async def _complete(principal: Principal, journey_id: int, action: Action, stamp: ClientStamp) -> object:
    return await workflow.complete_phase(principal, journey_id, action.phase, stamp=stamp)


async def _record(principal: Principal, journey_id: int, action: Action, stamp: ClientStamp) -> object:
    if not action.item_key:
        raise ValidationFailed("say which item the answer is for (item_key)")
    return await workflow.record_item(principal, journey_id, action.phase, action.item_key, action.value,
                                      media_id=action.media_id, signer=action.signer,
                                      consent=action.consent, stamp=stamp)


APPLY: dict[str, Callable[[Principal, int, Action, ClientStamp], Awaitable[object]]] = {
    START: _start, COMPLETE: _complete, RECORD: _record,
}


async def _stored(principal: Principal, key: str) -> dict[str, Any] | None:
    async with read_session() as session:
        found = await session.scalar(select(ClientAction).where(ClientAction.client_key == key,
                                                                ClientAction.user_id == principal.user_id))
        return dict(found.result) if found is not None else None


@audited_write
async def apply_action(principal: Principal, journey_id: int, action: Action) -> Applied:
    """Apply one outbox action once (the writes it calls are audited, with the phone's time)."""
    principal.require(Permission.USE_CREW_APP)
    apply = APPLY.get(action.kind)
    if apply is None:
        raise ValidationFailed(f"unknown action '{action.kind}': expected one of " + ", ".join(sorted(APPLY)))
    stamp = ClientStamp(key=action.key, kind=action.kind, made_at=action.made_at)
    try:
        result = await apply(principal, journey_id, action, stamp)
    except AlreadyApplied as replay:
        return Applied(action.key, action.kind, True, replay.result)
    except NotFound as exc:
        raise NotFound("this journey is no longer one of yours (reassigned or removed): "
                       "the action was not recorded") from exc
    except IntegrityError:  # the same key committed by a concurrent delivery: answer as a replay
        stored = await _stored(principal, action.key)
        if stored is None:
            raise
        return Applied(action.key, action.kind, True, stored)
    return Applied(action.key, action.kind, False, answer(result))
