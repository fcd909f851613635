"""Domain events across app instances, over PostgreSQL LISTEN/NOTIFY.

Several app instances behind a sticky proxy share one database; a change committed through one
must reach pages served by the others. The relay, one per process (PostgreSQL only; SQLite means
a single instance), does two things:

- forwards every event published on the local bus *that happened here* (`event.is_local`) with
  `pg_notify('ccrm_events', <event JSON>)`, from a queue drained by one sender task on a
  dedicated connection — so the committing request never waits on it, and events keep their
  order. Rolled-back writes never reach the bus, so they are never sent either.
  `sync.progress` events, which a running sync emits often, are rate-limited per sync run to one
  every `SYNC_PROGRESS_MIN_INTERVAL` seconds, the latest one winning (`ProgressThrottle`);
- LISTENs on another dedicated connection and re-publishes the events of *other* instances on
  the local bus (its own echoes are dropped by origin id).

Every event sent is also appended to the event log (`domain/events/event_log.py`) and carries its
number on the wire. The listener remembers the last number it saw; it reconnects with exponential
backoff when its connection drops (logging a warning, never crashing the app) and then replays
the logged events it missed, in order, before taking notifications again — so an instance whose
listener was down catches up (within the log's retention).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

import psycopg

from db.dedicated import connect_dedicated
from domain.events import event_log
from domain.events.bus import INSTANCE_ID, DomainEvent, EventBus, EventType, bus

log = logging.getLogger(__name__)

CHANNEL = "ccrm_events"
#: Events waiting to be sent; when PostgreSQL cannot keep up (or is down) newer ones are dropped.
MAX_QUEUED_EVENTS = 1000
#: At most one `sync.progress` event per sync run on the wire per this many seconds.
SYNC_PROGRESS_MIN_INTERVAL = 0.5
#: How long startup waits for the listener before going on without it (it keeps retrying).
LISTEN_READY_TIMEOUT_SECONDS = 5.0
RECONNECT_INITIAL_DELAY = 0.5
RECONNECT_MAX_DELAY = 30.0
#: On shutdown, how long events already queued may take to go out.
FLUSH_ON_STOP_SECONDS = 2.0
#: When no notification arrived for this long, the listener checks its connection is alive.
LISTEN_HEARTBEAT_SECONDS = 20.0
HEARTBEAT_TIMEOUT_SECONDS = 5.0
#: How often the sender prunes the event log.
PRUNE_INTERVAL_SECONDS = 60.0


def _run_key(event: DomainEvent) -> tuple[int | None, Any]:
    """Which sync run a sync event belongs to (sync events carry `run_id` in `data`)."""
    return event.company_id, event.data.get("run_id")


class ProgressThrottle:
    """Latest-wins rate limit of `sync.progress` per sync run; other events pass untouched.

    `offer` says whether an event goes out now; a held progress event goes out when `due` says so
    (or is superseded by a newer one, or discarded when its run's `sync.finished` goes out)."""

    def __init__(self, interval: float = SYNC_PROGRESS_MIN_INTERVAL) -> None:
        self.interval = interval
        self._last_sent: dict[tuple[int | None, Any], float] = {}
        self._held: dict[tuple[int | None, Any], DomainEvent] = {}

    def offer(self, event: DomainEvent, now: float) -> bool:
        if event.type is EventType.SYNC_FINISHED:
            key = _run_key(event)
            self._held.pop(key, None)
            self._last_sent.pop(key, None)
            return True
        if event.type is not EventType.SYNC_PROGRESS:
            return True
        key = _run_key(event)
        last = self._last_sent.get(key)
        if last is None or now - last >= self.interval:
            self._last_sent[key] = now
            self._held.pop(key, None)
            return True
        self._held[key] = event
        return False

    def due(self, now: float) -> list[DomainEvent]:
        """Held events whose interval has passed (removed from the hold)."""
        ready = [key for key in self._held if now - self._last_sent[key] >= self.interval]
        for key in ready:
            self._last_sent[key] = now
        stale = [key for key, at in self._last_sent.items() if key not in self._held and now - at > 60 * self.interval]
        for key in stale:  # runs that ended without a sync.finished must not pile up
            del self._last_sent[key]
        return [self._held.pop(key) for key in ready]

    def seconds_to_next(self, now: float) -> float | None:
        if not self._held:
            return None
        return max(0.0, min(self._last_sent[key] + self.interval for key in self._held) - now)


class EventRelay:
    """Sends this instance's events to the others and feeds theirs to the local bus."""

    def __init__(self, database_url: str, event_bus: EventBus = bus) -> None:
        self._database_url = database_url
        self._bus = event_bus
        self._queue: asyncio.Queue[DomainEvent] = asyncio.Queue(MAX_QUEUED_EVENTS)
        self._throttle = ProgressThrottle()
        self._sender: psycopg.AsyncConnection | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._unsubscribe: Callable[[], None] | None = None
        self.listening = asyncio.Event()
        #: The number of the newest logged event this instance has seen (None before it first listened).
        self.last_seq: int | None = None
        self._next_prune = 0.0
        self.counters = {"sent": 0, "received": 0, "replayed": 0, "dropped": 0, "reconnects": 0}

    async def start(self) -> None:
        self._unsubscribe = self._bus.subscribe(self._forward)
        self._tasks = [
            asyncio.create_task(self._listen_forever(), name="event relay listener"),
            asyncio.create_task(self._send_forever(), name="event relay sender"),
        ]
        try:
            await asyncio.wait_for(self.listening.wait(), LISTEN_READY_TIMEOUT_SECONDS)
        except TimeoutError:
            log.warning("event relay not listening after %.0fs; starting without it", LISTEN_READY_TIMEOUT_SECONDS)

    async def stop(self) -> None:
        """Stop relaying; events already queued get `FLUSH_ON_STOP_SECONDS` to go out."""
        if self._unsubscribe is not None:
            self._unsubscribe()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(FLUSH_ON_STOP_SECONDS):
                await self._queue.join()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        if self._sender is not None:
            await self._sender.close()
            self._sender = None

    def state(self) -> dict[str, Any]:
        return {"enabled": True, "instance": INSTANCE_ID, "listening": self.listening.is_set(),
                "queued": self._queue.qsize(), "last_seq": self.last_seq, **self.counters}

    # --- sending --------------------------------------------------------------------------

    def _forward(self, event: DomainEvent) -> None:
        if not event.is_local:
            return  # came from another instance: it was sent there
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            self.counters["dropped"] += 1
            log.warning("event relay queue full (%d): dropped %s", MAX_QUEUED_EVENTS, event.type.value)

    async def _send_forever(self) -> None:
        while True:
            wait = self._throttle.seconds_to_next(time.monotonic())
            try:
                event: DomainEvent | None = await asyncio.wait_for(self._queue.get(), wait)
            except TimeoutError:
                event = None
            try:
                now = time.monotonic()
                outgoing = self._throttle.due(now)
                if event is not None and self._throttle.offer(event, now):
                    outgoing.append(event)
                for item in outgoing:
                    try:
                        await self._send(item)
                    except Exception:  # a bug here must not silence the relay for good
                        self.counters["dropped"] += 1
                        log.warning("event relay failed to send %s", item.type.value, exc_info=True)
                if now >= self._next_prune:
                    self._next_prune = now + PRUNE_INTERVAL_SECONDS
                    await self._prune()
            finally:
                if event is not None:
                    self._queue.task_done()  # sent, dropped or held by the throttle: what stop() waits for

    async def _sender_connection(self) -> psycopg.AsyncConnection:
        if self._sender is None or self._sender.closed:
            self._sender = await connect_dedicated(self._database_url, f"relay-notify:{INSTANCE_ID}")
        return self._sender

    async def _send(self, event: DomainEvent) -> None:
        for attempt in (1, 2):  # a broken connection is replaced once, then the event is dropped
            try:
                await event_log.append_and_notify(await self._sender_connection(), CHANNEL, event)
                self.counters["sent"] += 1
                return
            except psycopg.Error as exc:
                log.warning("event relay could not send %s (attempt %d): %s", event.type.value, attempt, exc)
                if self._sender is not None:
                    await self._sender.close()
                self._sender = None
        self.counters["dropped"] += 1

    async def _prune(self) -> None:
        """Prune the event log (every instance does, now and then; a failure only waits for the next time)."""
        try:
            pruned = await event_log.prune(await self._sender_connection())
        except psycopg.Error as exc:
            log.warning("event relay could not prune the event log: %s", exc)
            return
        if pruned:
            log.debug("event log: pruned %d events", pruned)

    # --- receiving ------------------------------------------------------------------------

    async def _listen_forever(self) -> None:
        delay = RECONNECT_INITIAL_DELAY
        connected_before = False
        while True:
            try:
                async with await connect_dedicated(self._database_url, f"relay-listen:{INSTANCE_ID}") as conn:
                    if self.last_seq is None:  # first time: what is logged already happened before we started
                        self.last_seq = await event_log.last_seq(conn)
                    await conn.execute(f"LISTEN {CHANNEL}")
                    await self._catch_up(conn)  # what was logged while we were not listening
                    if connected_before:
                        self.counters["reconnects"] += 1
                        log.info("event relay listening again")
                    connected_before = True
                    delay = RECONNECT_INITIAL_DELAY
                    self.listening.set()
                    while True:
                        async for notify in conn.notifies(timeout=LISTEN_HEARTBEAT_SECONDS):
                            await self._receive(notify.payload)
                        await asyncio.wait_for(conn.execute("SELECT 1"), HEARTBEAT_TIMEOUT_SECONDS)
            except asyncio.CancelledError:
                self.listening.clear()
                raise
            except Exception as exc:  # whatever broke, the app keeps running and we retry
                self.listening.clear()
                log.warning("event relay listener down (%s: %s); reconnecting in %.1fs",
                            type(exc).__name__, exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RECONNECT_MAX_DELAY)

    async def _catch_up(self, conn: psycopg.AsyncConnection) -> None:
        """Publish the logged events after `last_seq`, oldest first. Runs after LISTEN, so an event
        committed meanwhile is both read here and notified; `_receive` drops the notification."""
        assert self.last_seq is not None
        oldest = await event_log.oldest_seq(conn)
        if oldest is not None and oldest > self.last_seq + 1:
            log.warning("event relay was not listening for longer than the event log keeps (%s): events "
                        "%d to %d are gone; pages may show stale data until their next change or reload",
                        event_log.RETENTION, self.last_seq + 1, oldest - 1)
        replayed = 0
        while batch := await event_log.read_since(conn, self.last_seq):
            for seq, payload in batch:
                self.last_seq = seq
                parsed = _parse(payload, "logged event")
                if parsed is not None and await self._publish_foreign(parsed[1]):
                    replayed += 1
            if len(batch) < event_log.READ_BATCH:
                break
        if replayed:
            self.counters["replayed"] += replayed
            log.info("event relay caught up on %d events it missed", replayed)

    async def _receive(self, payload: str) -> None:
        parsed = _parse(payload, "notification")
        if parsed is None:
            return
        seq, event = parsed
        if seq is not None:
            if self.last_seq is not None and seq <= self.last_seq:
                return  # replayed from the log already
            self.last_seq = seq
        if await self._publish_foreign(event):
            self.counters["received"] += 1

    async def _publish_foreign(self, event: DomainEvent) -> bool:
        """Publish `event` on the local bus unless it happened here; whether it did."""
        if event.is_local:
            return False  # our own echo: the local bus had it already
        await self._bus.publish(event)
        return True


def _parse(payload: str, what: str) -> tuple[int | None, DomainEvent] | None:
    """(seq, event) of a wire payload, or None (logged) if it is not a domain event."""
    try:
        return event_log.parse_payload(payload)
    except ValueError as exc:
        log.warning("event relay ignored a malformed %s: %s", what, exc)
        return None


_relay: EventRelay | None = None


async def start_relay(database_url: str) -> EventRelay:
    """Start this process's relay (idempotent); called at app startup on PostgreSQL."""
    global _relay
    if _relay is None:
        _relay = EventRelay(database_url)
        await _relay.start()
    return _relay


async def stop_relay() -> None:
    global _relay
    if _relay is not None:
        relay, _relay = _relay, None
        await relay.stop()


def relay_state() -> dict[str, Any]:
    """What `/health` reports about the relay."""
    return _relay.state() if _relay is not None else {"enabled": False}
