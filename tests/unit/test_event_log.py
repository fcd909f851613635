"""The event log on a real PostgreSQL: every relayed event is numbered in commit order, an
instance whose listener was down replays what it missed (once, in order, not its own), and the
log is pruned by age and count."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta

import psycopg
import pytest
from sqlalchemy.engine import make_url

from db.dedicated import connect_dedicated
from domain.events import event_log
from domain.events.bus import INSTANCE_ID, DomainEvent, EventBus, EventType
from domain.events.relay import CHANNEL
from tests.unit.test_event_relay import foreign, heard, recording_bus, running_relay, wire_listener

pytestmark = pytest.mark.postgres_only

#: How long a test waits for something that is going to happen.
WAIT_SECONDS = 10.0


async def eventually(condition: Callable[[], bool]) -> None:
    for _ in range(int(WAIT_SECONDS / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


@asynccontextmanager
async def other_instance(url: str) -> AsyncIterator[psycopg.AsyncConnection]:
    """The sending connection of another instance."""
    async with await connect_dedicated(url, "test-other-instance") as conn:
        yield conn


@asynccontextmanager
async def listener_cut_off(url: str) -> AsyncIterator[None]:
    """This instance's listening connection is terminated and new connections to the database are
    refused until the block ends (open ones keep working): the listener cannot come back before."""
    database = make_url(url).database
    admin_url = make_url(url).set(database="postgres").render_as_string(hide_password=False)
    async with await connect_dedicated(admin_url, "test-gatekeeper") as admin:
        await admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
        try:
            cursor = await admin.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = %s AND application_name = %s",
                (database, f"ccrm-relay-listen:{INSTANCE_ID}"[:63]),
            )
            assert await cursor.fetchone() == (1,)
            yield
        finally:
            await admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')


def journey_event(journey_id: int) -> DomainEvent:
    return foreign(DomainEvent(EventType.JOURNEY_CHANGED, 1, 2, journey_id))


def test_the_wire_payload_carries_the_number_and_the_event() -> None:
    event = DomainEvent(EventType.PHASE_COMPLETED, 1, 2, 3, user_ids=(4,), data={"phase": "PICKUP"})
    payload = event_log.wire_payload(42, event)
    assert json.loads(payload)["seq"] == 42
    assert event_log.parse_payload(payload) == (42, event)
    assert event_log.parse_payload(event.to_json()) == (None, event)  # unnumbered: still an event
    with pytest.raises(ValueError, match="event number"):
        event_log.parse_payload(json.dumps({**json.loads(event.to_json()), "seq": "7"}))


async def test_sent_events_are_logged_and_notified_with_their_numbers(database_url: str) -> None:
    bus = EventBus()
    async with running_relay(database_url, bus) as relay, wire_listener(database_url) as listener:
        for journey_id in (1, 2, 3):
            await bus.publish(DomainEvent(EventType.JOURNEY_CHANGED, 1, 2, journey_id))
        payloads = await heard(listener)
        async with other_instance(database_url) as conn:
            logged = await event_log.read_since(conn, 0)
    assert [event_log.parse_payload(p) for p in payloads] == [
        (seq, DomainEvent.from_json(body)) for seq, body in logged
    ]
    assert [DomainEvent.from_json(body).journey_id for _, body in logged] == [1, 2, 3]
    assert relay.last_seq == logged[-1][0]  # its own events count as seen


async def test_concurrent_senders_are_notified_in_number_order(database_url: str) -> None:
    async with other_instance(database_url) as first, other_instance(database_url) as second, \
            wire_listener(database_url) as listener:

        async def send(conn: psycopg.AsyncConnection, base: int) -> None:
            for n in range(40):
                await event_log.append_and_notify(conn, CHANNEL, journey_event(base + n))

        await asyncio.gather(send(first, 1000), send(second, 2000))
        numbers = [event_log.parse_payload(p)[0] for p in await heard(listener)]
    assert len(numbers) == 80
    assert numbers == sorted(numbers)


async def test_an_instance_whose_listener_was_down_catches_up_on_what_it_missed(database_url: str) -> None:
    bus, received = recording_bus()
    before = journey_event(1)
    missed = [journey_event(2), journey_event(3), journey_event(4)]
    ours_meanwhile = DomainEvent(EventType.JOURNEY_CHANGED, 1, 2, 5)  # origin: this instance
    after = journey_event(6)
    async with running_relay(database_url, bus) as relay, other_instance(database_url) as other:
        await event_log.append_and_notify(other, CHANNEL, before)
        await eventually(lambda: received == [before])

        async with listener_cut_off(database_url):
            await eventually(lambda: not relay.listening.is_set())
            for event in (missed[0], ours_meanwhile, *missed[1:]):
                await event_log.append_and_notify(other, CHANNEL, event)
            await asyncio.sleep(0.5)
            assert received == [before]  # nobody listening here
        await eventually(lambda: relay.listening.is_set() and len(received) == 4)
        await event_log.append_and_notify(other, CHANNEL, after)
        await eventually(lambda: len(received) == 5)
        await asyncio.sleep(0.5)  # a duplicate would have arrived by now
        assert relay.last_seq == await event_log.last_seq(other)

    assert received == [before, *missed, after]  # in order, once each, without our own
    assert relay.counters["replayed"] == 3
    assert relay.counters["received"] == 2
    assert relay.counters["reconnects"] == 1


async def test_a_listener_down_for_longer_than_the_log_keeps_says_so_and_replays_what_is_left(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    bus, received = recording_bus()
    async with running_relay(database_url, bus) as relay, other_instance(database_url) as other:
        async with listener_cut_off(database_url):
            await eventually(lambda: not relay.listening.is_set())
            for journey_id in (1, 2):
                await event_log.append_and_notify(other, CHANNEL, journey_event(journey_id))
            await event_log.prune(other, retention=timedelta(0))  # both gone, as after a long outage
            await event_log.append_and_notify(other, CHANNEL, journey_event(3))
        await eventually(lambda: relay.listening.is_set() and len(received) == 1)
    assert [e.journey_id for e in received] == [3]
    assert any("longer than the event log keeps" in r.getMessage() for r in caplog.records)


async def test_a_starting_instance_does_not_replay_older_history(database_url: str) -> None:
    bus, received = recording_bus()
    async with other_instance(database_url) as other:
        await event_log.append_and_notify(other, CHANNEL, journey_event(1))
        async with running_relay(database_url, bus) as relay:
            await event_log.append_and_notify(other, CHANNEL, journey_event(2))
            await eventually(lambda: len(received) == 1)
            await asyncio.sleep(0.3)
    assert [e.journey_id for e in received] == [2]
    assert relay.counters["replayed"] == 0


Prune = Callable[[psycopg.AsyncConnection], Awaitable[int]]


@pytest.mark.parametrize(
    ("prune", "left"),
    [
        (lambda conn: event_log.prune(conn, max_rows=2), [4, 5]),
        (lambda conn: event_log.prune(conn, retention=timedelta(0)), []),
        (lambda conn: event_log.prune(conn), [1, 2, 3, 4, 5]),
    ],
    ids=["by count", "by age", "recent and few: kept"],
)
async def test_the_log_is_pruned_by_age_and_count(database_url: str, prune: Prune, left: list[int]) -> None:
    async with other_instance(database_url) as conn:
        for journey_id in range(1, 6):
            await event_log.append_and_notify(conn, CHANNEL, journey_event(journey_id))
        await prune(conn)
        kept = await event_log.read_since(conn, 0)
    assert [DomainEvent.from_json(body).journey_id for _, body in kept] == left
