"""Transactions: every write runs in `unit_of_work()`, which commits, then publishes events.

`shared_unit_of_work()` opens one transaction that the units and read sessions opened inside it
join instead of opening their own (in the same task only: a task started inside gets its own).
An API route runs the domain write, builds its answer from what the write left (reading the
uncommitted rows), and stores an idempotency key, all before the one commit. So either the write
and its 2xx answer both happen, or neither does.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar

from sqlalchemy.ext.asyncio import AsyncSession

from db.session import session_factory
from domain.events import bus as events

#: The transaction of the enclosing `shared_unit_of_work`, if any, and the task that opened it.
_shared: ContextVar[tuple[AsyncSession, asyncio.Task[object] | None] | None] = ContextVar(
    "shared_unit_of_work", default=None)


def _joined() -> AsyncSession | None:
    """The shared transaction, for the task that opened it only: a task started inside the block
    inherits the context, but must not use the session concurrently (nor hand others its rows)."""
    shared = _shared.get()
    if shared is None or shared[1] is not asyncio.current_task():
        return None
    return shared[0]


@asynccontextmanager
async def unit_of_work() -> AsyncIterator[AsyncSession]:
    """One transaction. Events queued in it are published only if it commits: an exception in
    the block (or a failed commit) rolls back and drops them. Inside `shared_unit_of_work` it is
    that transaction (which commits and publishes when it ends)."""
    shared = _joined()
    if shared is not None:
        yield shared
        return
    async with session_factory()() as session:
        async with session.begin():
            yield session
        pending = events.take_pending(session)
    if pending:
        # Committed: publish even if the caller is cancelled now (e.g. its HTTP client left).
        await asyncio.shield(_publish(pending))


@asynccontextmanager
async def shared_unit_of_work() -> AsyncIterator[AsyncSession]:
    """One transaction for the block, joined by every `unit_of_work` and `read_session` in it."""
    if _joined() is not None:
        raise RuntimeError("shared_unit_of_work does not nest")
    async with unit_of_work() as session:
        token = _shared.set((session, asyncio.current_task()))
        try:
            yield session
        finally:
            _shared.reset(token)


async def _publish(pending: list[events.DomainEvent]) -> None:
    for event in pending:
        await events.bus.publish(event)


@asynccontextmanager
async def read_session() -> AsyncIterator[AsyncSession]:
    """A session for reads (no writes are committed); inside `shared_unit_of_work`, its transaction."""
    shared = _joined()
    if shared is not None:
        yield shared
        return
    async with session_factory()() as session:
        yield session
