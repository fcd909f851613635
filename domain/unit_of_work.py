"""Transactions: every write runs in `unit_of_work()`, which commits, then publishes events.

`shared_unit_of_work()` opens one transaction that the units and read sessions opened inside it
join instead of opening their own (in the same task only: a task started inside gets its own).
`request_reads()` does the same for read sessions only: an API GET's principal and its data are
read in one session (see there).
An API route runs the domain write, builds its answer from what the write left (reading the
uncommitted rows), and stores an idempotency key, all before the one commit. So either the write
and its 2xx answer both happen, or neither does.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass

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


@dataclass(slots=True)
class _RequestReads:
    session: AsyncSession
    task: asyncio.Task[object] | None
    #: False once a read block failed in it: its transaction may be aborted, later blocks read alone.
    usable: bool = True
    #: `read_session` blocks open in it (they nest: only the outermost one's end empties the identity map).
    depth: int = 0


#: The read session of the enclosing `request_reads` block, if any.
_request_reads: ContextVar[_RequestReads | None] = ContextVar("request_reads", default=None)


@asynccontextmanager
async def unit_of_work() -> AsyncIterator[AsyncSession]:
    """One transaction. Events queued in it are published only if it commits: an exception in
    the block (or a failed commit) rolls back and drops them. Inside `shared_unit_of_work` it is
    that transaction (which commits and publishes when it ends)."""
    shared = _joined()
    if shared is not None:
        yield shared
        return
    reads = _reads()
    if reads is not None and reads.depth == 0:
        # A GET that writes (an export recorded in the audit trail) hands its read connection back
        # first: a request never holds two, so a full pool cannot deadlock on requests each waiting
        # for a second one. The next read block takes a connection again.
        await reads.session.close()
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
async def request_reads() -> AsyncIterator[None]:
    """One session for every `read_session` of the block (in this task only; writes keep their own).

    Why: an API GET reads its principal (`api/http/deps.py`), then the route reads its data. In two
    sessions that was two pool checkouts and returns, each with its ping, BEGIN and ROLLBACK: the
    active-journeys list made 11 round trips to the database instead of 8. Sharing changes nothing a reader sees:
    under READ COMMITTED each statement sees what is committed when it runs, as in a new session;
    each block ends with the identity map emptied (as closing a session did), so a block after a
    write never gets the older objects of a block before it; and after a block that failed (its
    transaction may be aborted) the next ones read in sessions of their own."""
    if _joined() is not None or _reads() is not None:
        yield
        return
    async with session_factory()() as session:
        token = _request_reads.set(_RequestReads(session, asyncio.current_task()))
        try:
            yield
        finally:
            _request_reads.reset(token)


def _reads() -> _RequestReads | None:
    reads = _request_reads.get()
    if reads is None or not reads.usable or reads.task is not asyncio.current_task():
        return None
    return reads


@asynccontextmanager
async def read_session() -> AsyncIterator[AsyncSession]:
    """A session for reads (no writes are committed); inside `shared_unit_of_work`, its
    transaction; inside `request_reads`, its session."""
    shared = _joined()
    if shared is not None:
        yield shared
        return
    reads = _reads()
    if reads is not None:
        reads.depth += 1
        try:
            yield reads.session
        except BaseException:
            reads.usable = False
            raise
        finally:
            reads.depth -= 1
        if reads.depth == 0:
            reads.session.expunge_all()
        return
    async with session_factory()() as session:
        yield session
