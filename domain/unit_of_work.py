"""Transactions: every write runs in `unit_of_work()`, which commits, then publishes events."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession

from db.session import session_factory
from domain.events import bus as events


@asynccontextmanager
async def unit_of_work() -> AsyncIterator[AsyncSession]:
    """One transaction. Events queued in it are published only if it commits: an exception in
    the block (or a failed commit) rolls back and drops them."""
    async with session_factory()() as session:
        async with session.begin():
            yield session
        pending = events.take_pending(session)
    if pending:
        # Committed: publish even if the caller is cancelled now (e.g. its HTTP client left).
        await asyncio.shield(_publish(pending))


async def _publish(pending: list[events.DomainEvent]) -> None:
    for event in pending:
        await events.bus.publish(event)


@asynccontextmanager
async def read_session() -> AsyncIterator[AsyncSession]:
    """A session for reads (no writes are committed)."""
    async with session_factory()() as session:
        yield session
