"""Domain events: queued inside a transaction, published only after it commits.

In one process an in-memory bus feeds the open NiceGUI clients; subscribers receive the
event's ids and company/location so they can cheaply decide whether they care.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

log = logging.getLogger(__name__)

_PENDING_KEY = "pending_domain_events"


class EventType(str, enum.Enum):
    JOURNEY_CREATED = "journey.created"
    JOURNEY_CHANGED = "journey.changed"
    JOURNEY_CANCELLED = "journey.cancelled"
    CREW_ASSIGNED = "journey.crew_assigned"
    TRUCK_ASSIGNED = "journey.truck_assigned"
    PHASE_STARTED = "phase.started"
    PHASE_COMPLETED = "phase.completed"
    PHASE_APPROVED = "phase.approved"
    PHASE_REJECTED = "phase.rejected"
    STEP_RECORDED = "phase.item_recorded"
    WORKFLOW_TEMPLATE_CHANGED = "workflow.template_changed"
    SYNC_PROGRESS = "sync.progress"
    SYNC_FINISHED = "sync.finished"


@dataclass(frozen=True, slots=True)
class DomainEvent:
    type: EventType
    company_id: int | None
    location_id: int | None = None
    journey_id: int | None = None
    #: Users directly concerned (e.g. crew of a journey), for crew screens.
    user_ids: tuple[int, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)


Handler = Callable[[DomainEvent], Awaitable[None] | None]


class EventBus:
    """In-process publish/subscribe. Handlers must be quick; slow work belongs in a task."""

    def __init__(self) -> None:
        self._handlers: list[Handler] = []

    def subscribe(self, handler: Handler) -> Callable[[], None]:
        """Register a handler; returns the function that unsubscribes it."""
        self._handlers.append(handler)

        def unsubscribe() -> None:
            if handler in self._handlers:
                self._handlers.remove(handler)

        return unsubscribe

    @property
    def subscriber_count(self) -> int:
        return len(self._handlers)

    async def publish(self, event: DomainEvent) -> None:
        for handler in list(self._handlers):
            try:
                result = handler(event)
                if asyncio.iscoroutine(result):
                    await result
            except Exception:  # one broken subscriber must not stop the others
                log.exception("event handler failed for %s", event.type.value)

    def clear(self) -> None:
        self._handlers.clear()


bus = EventBus()


def queue(session: AsyncSession, event: DomainEvent) -> None:
    """Queue an event on the transaction; `unit_of_work` publishes it after commit."""
    session.info.setdefault(_PENDING_KEY, []).append(event)


def take_pending(session: AsyncSession) -> list[DomainEvent]:
    return session.info.pop(_PENDING_KEY, [])
