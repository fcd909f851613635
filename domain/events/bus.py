"""Domain events: queued inside a transaction, published only after it commits.

In one process an in-memory `bus` feeds the open NiceGUI clients. With PostgreSQL the event
relay (`domain/events/relay.py`) also sends every event that originated here to the other app
instances (LISTEN/NOTIFY) and re-publishes theirs on this bus, so subscribers see one picture.

An event carries ids only — company, location, journey, the users concerned — and a few small
facts in `data`; never customer details or prices. Subscribers decide cheaply whether they care
(`in_scope`, a predicate) and then re-read what they show through the domain with their own
principal. Every event must fit the wire (`MAX_WIRE_BYTES`): `DomainEvent` refuses one that does
not, so an oversized event fails its transaction in development instead of vanishing in production.
"""

from __future__ import annotations

import asyncio
import enum
import json
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession


log = logging.getLogger(__name__)

_PENDING_KEY = "pending_domain_events"

#: PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; keep a margin below it.
MAX_WIRE_BYTES = 7900
#: Version of the wire format; a receiver ignores versions it does not know.
WIRE_VERSION = 1

#: This process. Events published here carry it; the relay drops echoes of its own events.
INSTANCE_ID = f"{socket.gethostname()[:24]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


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
    #: A journey's inventory changed: a line added, changed, removed, photographed or checked.
    INVENTORY_CHANGED = "inventory.changed"
    WORKFLOW_TEMPLATE_CHANGED = "workflow.template_changed"
    #: Crew members clocked on a journey, or the office corrected or approved their time.
    CLOCKED = "crew_time.clocked"
    #: A sync write batch: the journeys it wrote, as finely as fits (`domain.events.touched`).
    JOURNEYS_SYNCED = "journeys.synced"
    SYNC_PROGRESS = "sync.progress"
    SYNC_FINISHED = "sync.finished"
    #: A user, location, truck or company was created or changed (`data`: entity, entity_id, action).
    RESOURCE_CHANGED = "resource.changed"
    #: The tokens and page sessions of `user_ids` ended (logout, password reset, ...): open pages sign out.
    SESSIONS_ENDED = "access.sessions_ended"


class EventTooLarge(ValueError):
    """The event does not fit a NOTIFY payload: put ids in it, not content."""


@dataclass(frozen=True, slots=True)
class DomainEvent:
    """Something that happened, after commit.

    `company_id` None means a system-wide event (only super admins' screens take those).
    `location_id` is the journey's location (None for company-wide events such as a sync).
    `user_ids` are the users directly concerned — a journey's crew, including members just
    removed from it — so crew screens can decide without a query.
    `data` holds small JSON facts (e.g. `{"phase": "PICKUP"}`, `{"run_id": 7, "processed": 40}`).
    `origin` is the instance the event happened on (set for you).
    """

    type: EventType
    company_id: int | None
    location_id: int | None = None
    journey_id: int | None = None
    user_ids: tuple[int, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)
    origin: str = INSTANCE_ID

    def __post_init__(self) -> None:
        object.__setattr__(self, "type", EventType(self.type))
        object.__setattr__(self, "user_ids", tuple(int(u) for u in self.user_ids))
        size = len(self.to_json().encode())
        if size > MAX_WIRE_BYTES:
            raise EventTooLarge(
                f"{self.type.value} event is {size} bytes on the wire, over the {MAX_WIRE_BYTES}-byte limit: "
                "events carry ids, subscribers re-read the rest"
            )

    @property
    def is_local(self) -> bool:
        """Whether the event happened in this process (not received from another instance)."""
        return self.origin == INSTANCE_ID

    def to_json(self) -> str:
        """The wire form (compact JSON). Raises TypeError if `data` is not plain JSON."""
        return json.dumps(
            {
                "v": WIRE_VERSION,
                "origin": self.origin,
                "type": self.type.value,
                "company_id": self.company_id,
                "location_id": self.location_id,
                "journey_id": self.journey_id,
                "user_ids": list(self.user_ids),
                "data": self.data,
            },
            separators=(",", ":"),
            ensure_ascii=False,
            allow_nan=False,
        )

    @classmethod
    def from_json(cls, payload: str) -> DomainEvent:
        """Parse the wire form; ValueError (incl. json.JSONDecodeError) on anything malformed
        or of an unknown version or type."""
        return cls.from_wire(json.loads(payload))

    @classmethod
    def from_wire(cls, raw: Any) -> DomainEvent:
        """`from_json` for the already parsed wire form (keys it does not know are ignored)."""
        if not isinstance(raw, dict) or raw.get("v") != WIRE_VERSION:
            raise ValueError("not a domain event of a known wire version")
        data = raw.get("data") or {}
        if not isinstance(data, dict) or not isinstance(raw.get("origin"), str):
            raise ValueError("malformed domain event")
        try:
            return cls(
                type=EventType(raw["type"]),
                company_id=_optional_int(raw.get("company_id")),
                location_id=_optional_int(raw.get("location_id")),
                journey_id=_optional_int(raw.get("journey_id")),
                user_ids=tuple(raw.get("user_ids") or ()),
                data=data,
                origin=raw["origin"],
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"malformed domain event: {exc}") from exc


def _optional_int(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected an integer id, got {value!r}")
    return value


Handler = Callable[[DomainEvent], Awaitable[None] | None]


class EventBus:
    """In-process publish/subscribe. Handlers must be quick; slow work belongs in a task
    (`components.live.on_event` runs page handlers as tasks for that reason).

    Every event published gets the next `serial` before any handler sees it: events relayed from
    another instance too, whose serial is therefore taken after that instance's commit. A read that
    started when `serial` was S has seen everything the events up to S announce
    (`domain.runtime.shared_reads`)."""

    def __init__(self) -> None:
        self._handlers: list[Handler] = []
        #: The serial of the newest event published in this process (0: none yet).
        self.serial = 0

    def subscribe(self, handler: Handler) -> Callable[[], None]:
        """Register a handler; returns the function that unsubscribes it (safe to call twice)."""
        self._handlers.append(handler)

        def unsubscribe() -> None:
            if handler in self._handlers:
                self._handlers.remove(handler)

        return unsubscribe

    @property
    def subscriber_count(self) -> int:
        return len(self._handlers)

    async def publish(self, event: DomainEvent) -> None:
        self.serial += 1
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
    """Queue an event on the transaction; `unit_of_work` publishes it after commit (and never
    if the transaction rolls back)."""
    session.info.setdefault(_PENDING_KEY, []).append(event)


def take_pending(session: AsyncSession) -> list[DomainEvent]:
    pending: list[DomainEvent] = session.info.pop(_PENDING_KEY, [])  # only `queue` above puts it there
    return pending
