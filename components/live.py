"""Live updates on a page: subscribe the current NiceGUI client to domain events, and
unsubscribe when the client is deleted (no leak).

Lifecycle (NiceGUI 3): a client is deleted `reconnect_timeout` seconds after its browser tab
disconnected for good (closed, navigated away), or by NiceGUI's pruning if it never connected.
`client.on_delete` is therefore the moment to unsubscribe — not `on_disconnect`, which also fires
on a brief network blip after which the same page reconnects and must keep updating.

Handlers receive only events (ids, company, location); they re-read what they show through
the domain with the page's principal, so an event never puts data on a screen whose user may
not see it. Handlers run as a task in the client's context — the publisher (a request that
just committed, or the relay) never waits for page refreshes.

Batching (issue 18): a page refreshes at most once per `REFRESH_INTERVAL`. The first event after
a quiet spell is handled at once; events that arrive while the page is refreshing, or within the
interval after it, wait and are handed over together. A sync publishes one event per write batch
(`journeys.synced`, see `domain/events/touched.py`): a page it touches refreshes once for it, the
others ignore it — each refresh being a read through the domain and a rebuild of elements, the one
real cost of a live page.

Sharing (issue 18): a refresh runs in `domain.runtime.shared_reads.live_refresh` with the serial of
its batch's newest event, so a shared read made for another page since that event answers it (and
then the refresh's slot is held only while its page is patched). Refreshes hold a slot throughout,
shared reads or not: when 150 pages waited for one read and were patched together,
the loop ran all of them in one stretch without serving sockets (measured with bench/fanout.py
during a sync: requests stalled 10-12 s and the boards never showed the result); the slots make
the pages take turns, with the loop's I/O between them.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
import weakref
from collections.abc import Awaitable, Callable, Hashable

from nicegui import background_tasks, context

from domain.events.bus import DomainEvent, bus
from domain.events.touched import in_scope
from domain.access.rbac import Principal
from domain.runtime.shared_reads import live_refresh

log = logging.getLogger(__name__)

Predicate = Callable[[DomainEvent], bool]
Handler = Callable[[DomainEvent], Awaitable[None] | None]
BatchHandler = Callable[[list[DomainEvent]], Awaitable[None] | None]
#: What makes two waiting events one: of the events with the same key, only the newest is handled.
CollapseKey = Callable[[DomainEvent], Hashable]

#: Seconds between two refreshes of one subscription (the issue asks for 250–500 ms).
REFRESH_INTERVAL = 0.3
#: Live refreshes running at once in this process. Each holds a database connection while it
#: reads; 300 pages refreshing together exhausted the pool (measured with bench/fanout.py: its 5 s
#: timeout failed 519 refreshes, and those pages never showed the change) and starved the requests.
#: A refresh waiting here loses nothing: events that arrive meanwhile join its batch.
MAX_CONCURRENT_REFRESHES = 4
#: Distinct events a subscription may have waiting; beyond that the page is hopelessly behind
#: (its next refresh re-reads everything anyway), so further events are dropped.
MAX_WAITING_EVENTS = 500


def on_events(predicate: Predicate, handler: BatchHandler, *, principal: Principal | None = None,
              collapse: CollapseKey | None = None) -> Callable[[], None]:
    """Call `handler(events)` in this page's client with the events where `predicate(event)` is
    true that arrived since its last call, oldest first, at most once per `REFRESH_INTERVAL`.

    With `principal`, events outside the principal's scope (`domain.events.touched.in_scope`: other
    company, other locations, crew not concerned) are dropped before the predicate sees them.
    With `collapse`, waiting events of the same key are one: the newest, in the place of the first.
    Returns the function that unsubscribes (also called when the client is deleted).
    """
    client = context.client
    loop = asyncio.get_running_loop()
    waiting: dict[Hashable, DomainEvent] = {}
    serial = itertools.count()
    flushing = False
    last_refresh = -math.inf
    #: The bus serial of the newest waiting event (conservative: the serial when it was delivered).
    newest = 0

    async def refresh() -> None:
        batch = list(waiting.values())
        waiting.clear()
        try:
            with live_refresh(newest):
                result = handler(batch)
                if asyncio.iscoroutine(result):
                    await result
        except Exception:  # a failed refresh must not end the page's live updates
            log.exception("live update failed on page %s", client.page.path)

    async def flush() -> None:
        nonlocal flushing, last_refresh
        try:
            while waiting and not client.is_deleted:
                delay = last_refresh + REFRESH_INTERVAL - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                async with _refresh_slots(loop):
                    if client.is_deleted:
                        return
                    await refresh()
                last_refresh = loop.time()
        finally:
            flushing = False

    def deliver(event: DomainEvent) -> None:
        nonlocal flushing, newest
        if client.is_deleted:
            return
        if principal is not None and not in_scope(event, principal):
            return
        if not predicate(event):
            return
        key = collapse(event) if collapse is not None else next(serial)
        if key not in waiting and len(waiting) >= MAX_WAITING_EVENTS:
            log.warning("live update dropped: page %s has %d events waiting", client.page.path, len(waiting))
            return
        waiting[key] = event
        newest = bus.serial
        if not flushing:
            flushing = True
            background_tasks.create(flush(), name=f"live update {event.type.value}", context=client)

    unsubscribe = bus.subscribe(deliver)
    client.on_delete(unsubscribe)
    return unsubscribe


_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()


def _refresh_slots(loop: asyncio.AbstractEventLoop) -> asyncio.Semaphore:
    """The loop's `MAX_CONCURRENT_REFRESHES` slots (one set per event loop: a semaphore belongs to one)."""
    if loop not in _slots:
        _slots[loop] = asyncio.Semaphore(MAX_CONCURRENT_REFRESHES)
    return _slots[loop]


def on_event(predicate: Predicate, handler: Handler, *, principal: Principal | None = None,
             collapse: CollapseKey | None = None) -> Callable[[], None]:
    """`on_events`, handing the batch's events to `handler` one at a time, in order."""

    async def each(events: list[DomainEvent]) -> None:
        for event in events:
            result = handler(event)
            if asyncio.iscoroutine(result):
                await result

    return on_events(predicate, each, principal=principal, collapse=collapse)


def whole_page(_event: DomainEvent) -> None:
    """A `collapse` key for pages that re-read everything on any event: one refresh per batch."""
    return None
