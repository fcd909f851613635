"""Live updates on a page: subscribe the current NiceGUI client to domain events, and
unsubscribe when the client is deleted (no leak).

Handlers receive only the event (ids, company, location); they re-read what they show through
the domain with the page's principal, so an event never puts data on a screen whose user may
not see it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from nicegui import context

from domain.events import DomainEvent, bus

Predicate = Callable[[DomainEvent], bool]
Handler = Callable[[DomainEvent], Awaitable[None] | None]


def on_event(predicate: Predicate, handler: Handler) -> Callable[[], None]:
    """Call `handler` (in this page's client context) for events where `predicate` is true."""
    client = context.client

    async def deliver(event: DomainEvent) -> None:
        if client.id not in type(client).instances or not predicate(event):
            return
        with client:
            result = handler(event)
            if asyncio.iscoroutine(result):
                await result

    unsubscribe = bus.subscribe(deliver)
    # Not on_disconnect: a client that reconnects within the reconnect timeout is the same page.
    client.on_delete(unsubscribe)
    return unsubscribe
