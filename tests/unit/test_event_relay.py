"""The event relay on a real PostgreSQL: local events go out with NOTIFY, other instances' events
come in, echoes and malformed payloads are dropped, connections that die are replaced, rolled-back
writes send nothing, and sync progress is throttled on the wire."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, timedelta

import psycopg
import pytest
from sqlalchemy import select, update

from db.dedicated import connect_dedicated
from db.models import Journey, User
from domain.events import bus as events
from domain.events.relay import CHANNEL, EventRelay
from domain.events import event_log
from domain.events.bus import INSTANCE_ID, DomainEvent, EventBus, EventType
from domain.events.touched import JourneyWrite, journeys_synced, touched
from domain.journeys.status import update_journey_notes
from domain.access.rbac import load_principal
from domain.unit_of_work import read_session, unit_of_work

pytestmark = pytest.mark.postgres_only

QUIET = 0.6  # seconds after which an event that was going to arrive would have


@asynccontextmanager
async def running_relay(url: str, bus: EventBus) -> AsyncIterator[EventRelay]:
    relay = EventRelay(url, bus)
    await relay.start()
    assert relay.listening.is_set()
    try:
        yield relay
    finally:
        await relay.stop()


@asynccontextmanager
async def wire_listener(url: str) -> AsyncIterator[psycopg.AsyncConnection]:
    """What another instance would hear."""
    async with await connect_dedicated(url, "test-listener") as conn:
        await conn.execute(f"LISTEN {CHANNEL}")
        yield conn


async def heard(conn: psycopg.AsyncConnection, seconds: float = QUIET) -> list[str]:
    return [n.payload async for n in conn.notifies(timeout=seconds)]


async def notify(url: str, payload: str) -> None:
    async with await connect_dedicated(url, "test-notifier") as conn:
        await conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, payload))


def foreign(event: DomainEvent) -> DomainEvent:
    """The same event as if it happened on another instance."""
    wire = json.loads(event.to_json())
    wire["origin"] = "another-instance"
    return DomainEvent.from_json(json.dumps(wire))


def recording_bus() -> tuple[EventBus, list[DomainEvent]]:
    """A bus of its own and the list of the events published on it."""
    bus = EventBus()
    received: list[DomainEvent] = []
    bus.subscribe(received.append)
    return bus, received


#: How long a test waits for relayed events to arrive.
COLLECT_SECONDS = 3.0


async def collected(received: list[DomainEvent], count: int) -> list[DomainEvent]:
    for _ in range(int(COLLECT_SECONDS / 0.02)):
        if len(received) >= count:
            break
        await asyncio.sleep(0.02)
    return received


async def test_local_events_go_out_with_notify(database_url: str) -> None:
    bus = EventBus()
    event = DomainEvent(EventType.PHASE_COMPLETED, 1, 2, 3, user_ids=(4, 5), data={"phase": "PICKUP"})
    async with running_relay(database_url, bus) as relay, wire_listener(database_url) as listener:
        await bus.publish(event)
        payloads = await heard(listener)
    assert [DomainEvent.from_json(p) for p in payloads] == [event]
    assert relay.counters["sent"] == 1


async def test_a_sync_batch_of_2000_journeys_crosses_the_relay_as_one_notification(database_url: str) -> None:
    bus = EventBus()
    day = date(2026, 12, 3)
    writes = [JourneyWrite(100_000 + n, 1_000 + n % 50, day + timedelta(days=n % 14), crew=(5_000 + n % 300,))
              for n in range(2_000)]
    event = journeys_synced(1, writes)
    async with running_relay(database_url, bus) as relay, wire_listener(database_url) as listener:
        await bus.publish(event)
        payloads = await heard(listener)
    [(_seq, received)] = [event_log.parse_payload(p) for p in payloads]
    assert received == event and relay.counters["sent"] == 1
    assert all(touched(received).day(w.location_id, w.day) for w in writes)  # the branches' days, not lost


async def test_other_instances_events_are_published_here_and_own_echoes_are_not(database_url: str) -> None:
    bus = EventBus()
    received: list[DomainEvent] = []
    bus.subscribe(received.append)
    theirs = foreign(DomainEvent(EventType.CREW_ASSIGNED, 1, 2, 30, user_ids=(7,)))
    ours = DomainEvent(EventType.CREW_ASSIGNED, 1, 2, 31)
    async with running_relay(database_url, bus) as relay, wire_listener(database_url) as listener:
        await notify(database_url, ours.to_json())
        await notify(database_url, theirs.to_json())
        await collected(received, 1)
        on_the_wire = await heard(listener)
    assert received == [theirs]
    assert len(on_the_wire) == 2  # the received event was not sent out again
    assert relay.counters["received"] == 1


async def test_malformed_notifications_are_logged_and_skipped(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    bus = EventBus()
    received: list[DomainEvent] = []
    bus.subscribe(received.append)
    valid = foreign(DomainEvent(EventType.JOURNEY_CHANGED, 1, 2, 40))
    async with running_relay(database_url, bus):
        await notify(database_url, "{not json")
        await notify(database_url, json.dumps({"v": 1, "origin": "x", "type": "no.such.event", "company_id": 1}))
        await notify(database_url, valid.to_json())
        await collected(received, 1)
    assert received == [valid]
    assert sum("malformed notification" in r.getMessage() for r in caplog.records) == 2


async def _terminate(url: str, application_name: str) -> int:
    async with await connect_dedicated(url, "test-terminator") as conn:
        cursor = await conn.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = %s",
            (application_name[:63],),
        )
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def test_the_listener_reconnects_when_its_connection_dies(database_url: str) -> None:
    bus = EventBus()
    received: list[DomainEvent] = []
    bus.subscribe(received.append)
    async with running_relay(database_url, bus) as relay:
        assert await _terminate(database_url, f"ccrm-relay-listen:{INSTANCE_ID}") == 1
        for _ in range(100):
            if relay.counters["reconnects"] == 1 and relay.listening.is_set():
                break
            await asyncio.sleep(0.05)
        assert relay.counters["reconnects"] == 1 and relay.listening.is_set()
        after = foreign(DomainEvent(EventType.JOURNEY_CHANGED, 1, 2, 50))
        await notify(database_url, after.to_json())
        await collected(received, 1)
    assert received == [after]


async def test_the_sender_replaces_a_dead_connection(database_url: str) -> None:
    bus = EventBus()
    async with running_relay(database_url, bus) as relay, wire_listener(database_url) as listener:
        await bus.publish(DomainEvent(EventType.JOURNEY_CHANGED, 1, 2, 60))
        assert len(await heard(listener)) == 1
        assert await _terminate(database_url, f"ccrm-relay-notify:{INSTANCE_ID}") == 1
        await bus.publish(DomainEvent(EventType.JOURNEY_CHANGED, 1, 2, 61))
        payloads = await heard(listener)
    assert [DomainEvent.from_json(p).journey_id for p in payloads] == [61]
    assert relay.counters == {"sent": 2, "received": 0, "replayed": 0, "dropped": 0, "reconnects": 0}


async def test_sync_progress_is_throttled_on_the_wire_but_not_locally(database_url: str) -> None:
    bus = EventBus()
    local: list[DomainEvent] = []
    bus.subscribe(local.append)
    async with running_relay(database_url, bus), wire_listener(database_url) as listener:
        for processed in range(1, 21):
            await bus.publish(DomainEvent(EventType.SYNC_PROGRESS, 1, data={"run_id": 9, "processed": processed}))
        progress = [DomainEvent.from_json(p) for p in await heard(listener, seconds=1.2)]
        await bus.publish(DomainEvent(EventType.SYNC_FINISHED, 1, data={"run_id": 9, "processed": 20}))
        finished = [DomainEvent.from_json(p) for p in await heard(listener)]
    assert len(local) == 21
    assert [e.data["processed"] for e in progress] == [1, 20]  # the first at once, then the latest
    assert [e.type for e in finished] == [EventType.SYNC_FINISHED]


async def _dispatcher_and_journey() -> tuple[int, int]:
    async with read_session() as session:
        dispatcher = await session.scalar(select(User).where(User.email == "dispatcher@demo.ccrm"))
        assert dispatcher is not None
        locations = [link.location_id for link in dispatcher.location_links]
        journey_id = await session.scalar(select(Journey.id).where(Journey.location_id.in_(locations)).limit(1))
    assert journey_id is not None
    return dispatcher.id, journey_id


async def test_a_rolled_back_write_publishes_and_sends_nothing(demo: str) -> None:
    dispatcher_id, journey_id = await _dispatcher_and_journey()
    received: list[DomainEvent] = []
    events.bus.subscribe(received.append)
    async with running_relay(demo, events.bus), wire_listener(demo) as listener:
        with pytest.raises(RuntimeError):
            async with unit_of_work() as session:
                events.queue(session, DomainEvent(EventType.JOURNEY_CHANGED, 1, 2, journey_id))
                raise RuntimeError("the write fails after queueing its event")
        with pytest.raises(Exception, match="progress_range"):
            async with unit_of_work() as session:  # the commit itself fails (CHECK constraint)
                await session.execute(update(Journey).where(Journey.id == journey_id).values(progress=500))
                events.queue(session, DomainEvent(EventType.JOURNEY_CHANGED, 1, 2, journey_id))
        assert await heard(listener) == []
        assert received == []

        async with read_session() as session:
            principal = await load_principal(session, dispatcher_id)
        assert principal is not None
        await update_journey_notes(principal, journey_id, "Ring twice")  # a write that commits
        payloads = await heard(listener)
    assert [e.journey_id for e in received] == [journey_id]
    assert [DomainEvent.from_json(p) for p in payloads] == received


async def test_events_queued_when_the_relay_stops_still_go_out(database_url: str) -> None:
    bus = EventBus()
    async with wire_listener(database_url) as listener:
        async with running_relay(database_url, bus):
            for journey_id in range(100, 120):
                await bus.publish(DomainEvent(EventType.JOURNEY_CHANGED, 1, 2, journey_id))
        payloads = await heard(listener)
    assert [DomainEvent.from_json(p).journey_id for p in payloads] == list(range(100, 120))
