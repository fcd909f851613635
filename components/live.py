"""Live updates on a page: subscribe the current NiceGUI client to domain events, and
unsubscribe when the client is deleted (no leak).

Lifecycle (NiceGUI 3): a client is deleted `reconnect_timeout` seconds after its browser tab
disconnected for good (closed, navigated away), or by NiceGUI's pruning if it never connected.
`client.on_delete` is therefore the moment to unsubscribe — not `on_disconnect`, which also fires
on a brief network blip after which the same page reconnects and must keep updating.

Handlers receive only the event (ids, company, location); they re-read what they show through
the domain with the page's principal, so an event never puts data on a screen whose user may
not see it. Each handler runs as a task in the client's context — the publisher (a request that
just committed, or the relay) never waits for page refreshes — and one subscription's handler
runs one event at a time, in order.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from nicegui import background_tasks, context

from domain.events.bus import DomainEvent, bus, in_scope
from domain.access.rbac import Principal

log = logging.getLogger(__name__)

Predicate = Callable[[DomainEvent], bool]
Handler = Callable[[DomainEvent], Awaitable[None] | None]

#: Events a subscription may have waiting for its handler; beyond that the page is hopelessly
#: behind (its next refresh re-reads everything anyway), so further events are dropped.
MAX_WAITING_EVENTS = 50


def on_event(predicate: Predicate, handler: Handler, *, principal: Principal | None = None) -> Callable[[], None]:
    """Call `handler(event)` in this page's client for events where `predicate(event)` is true.

    With `principal`, events outside the principal's scope (`domain.events.bus.in_scope`: other
    company, other locations, crew not concerned) are dropped before the predicate sees them.
    Returns the function that unsubscribes (also called when the client is deleted).
    """
    client = context.client
    lock = asyncio.Lock()
    waiting = 0

    async def run(event: DomainEvent) -> None:
        nonlocal waiting
        try:
            async with lock:
                if client.is_deleted:
                    return
                result = handler(event)
                if asyncio.iscoroutine(result):
                    await result
        finally:
            waiting -= 1

    def deliver(event: DomainEvent) -> None:
        nonlocal waiting
        if client.is_deleted:
            return
        if principal is not None and not in_scope(event, principal):
            return
        if not predicate(event):
            return
        if waiting >= MAX_WAITING_EVENTS:
            log.warning("live update dropped: page %s has %d events waiting", client.page.path, waiting)
            return
        waiting += 1
        background_tasks.create(run(event), name=f"live update {event.type.value}", context=client)

    unsubscribe = bus.subscribe(deliver)
    client.on_delete(unsubscribe)
    return unsubscribe
