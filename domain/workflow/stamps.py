"""The phone's time on an outbox action, bounded against the server's, and the ledger row that
makes the action happen once.

An action made offline is recorded at the time the phone says it was made, within bounds: never
later than when the server receives it (a phone clock running ahead is pulled back), never more
than `MAX_ACTION_AGE` before that, and never before the phase it belongs to started (its `floor`).
How far the phone's clock was from the server's, and whether the time was moved, goes into the
audit entry of the change.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import ClientAction, Journey, utcnow
from domain.access.rbac import Principal
from domain.audit import record as audit
from domain.errors import Conflict

#: An action made longer ago than this is recorded as made this long ago (and says so in the audit).
MAX_ACTION_AGE = timedelta(hours=24)
#: A phone clock this far ahead of the server's is flagged in the audit (it is pulled back anyway).
CLOCK_AHEAD_TOLERANCE = timedelta(minutes=2)


def bounded_time(made_at: datetime, received_at: datetime, floor: datetime | None = None) -> datetime:
    """What the phone says it did at `made_at`, received at `received_at`, recorded within bounds:
    not after `received_at`, not more than `MAX_ACTION_AGE` before it, nor before `floor`."""
    low = received_at - MAX_ACTION_AGE
    if floor is not None and floor > low:
        low = min(floor, received_at)
    return min(max(made_at, low), received_at)


@dataclass(slots=True)
class ClientStamp:
    """One outbox action: its idempotency key, what it is and when the phone made it."""

    key: str
    kind: str
    made_at: datetime
    received_at: datetime = field(default_factory=utcnow)
    recorded_at: datetime | None = None

    def at(self, floor: datetime | None = None) -> datetime:
        """The time to record: the phone's, bounded (see the module's doc)."""
        self.recorded_at = bounded_time(self.made_at, self.received_at, floor)
        return self.recorded_at

    def facts(self) -> dict[str, Any]:
        """What the audit entry keeps of the phone's time."""
        skew = self.received_at - self.made_at
        return {"client_key": self.key, "made_at": self.made_at, "recorded_at": self.recorded_at or self.at(),
                "skew_seconds": round(skew.total_seconds(), 1),
                "time_moved": (self.recorded_at or self.made_at) != self.made_at,
                "clock_ahead": -skew > CLOCK_AHEAD_TOLERANCE}


class AlreadyApplied(Exception):
    """The key was applied before; `result` is the answer it got then."""

    def __init__(self, result: dict[str, Any]) -> None:
        super().__init__("already applied")
        self.result = result


async def refuse_if_applied(session: AsyncSession, principal: Principal, stamp: ClientStamp | None) -> None:
    """Raise `AlreadyApplied` with the stored answer when the key was seen (inside the journey's
    lock, so a concurrent delivery of the same key waits and then finds it)."""
    if stamp is None:
        return
    found = await session.scalar(select(ClientAction).where(ClientAction.client_key == stamp.key))
    if found is None:
        return
    if found.user_id != principal.user_id:
        raise Conflict("this action key was already used by someone else")
    raise AlreadyApplied(dict(found.result))


def answer(result: object) -> dict[str, Any]:
    """A write's result (a dataclass) as the JSON an outbox action is answered with."""
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return dict(audit.jsonable(dataclasses.asdict(result)))
    return {}


def keep(session: AsyncSession, principal: Principal, journey: Journey, stamp: ClientStamp | None,
         result: object) -> None:
    """Store the key with the answer, in the transaction of the write it answers."""
    if stamp is None:
        return
    session.add(ClientAction(client_key=stamp.key, company_id=journey.company_id, journey_id=journey.id,
                             user_id=principal.user_id, kind=stamp.kind, made_at=stamp.made_at,
                             recorded_at=stamp.recorded_at or stamp.at(), result=answer(result)))
