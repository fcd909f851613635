"""One-at-a-time jobs across app instances: `singleton_lock`; and `transaction_lock` for short
critical sections inside one transaction (e.g. counting sign-in failures).

    async with singleton_lock(f"smartmoving-sync:{company_id}") as acquired:
        if not acquired:
            return            # another instance (or task) is running it: skip this run
        await run_the_sync()

Contract:
- `acquired` is True for exactly one holder of a given name at a time, across every app
  instance on the same PostgreSQL database (a session-level advisory lock,
  `pg_try_advisory_lock`, held on a dedicated connection for the whole block) and across tasks
  of this process. It never blocks by default: a False means "someone else has it", so a
  scheduled run simply skips. Pass `wait=<seconds>` to keep trying (polling) that long first.
- The lock is released when the block exits, normally or by an exception (and by PostgreSQL
  itself if the process dies: the connection closes). It is not re-entrant: a nested
  `singleton_lock` of the same name in the same holder gets False.
- If the dedicated connection is lost during the block the lock is gone too (another instance
  may start); jobs guarded by it must be idempotent, like the SmartMoving sync is.
- If the database cannot be reached, the connection error propagates: the job fails loudly
  rather than running unguarded.
- On SQLite (one instance by definition) the lock is an in-process one with the same contract.
- Names are hashed to the 64-bit advisory key with BLAKE2b (stable across processes and Python
  versions), under a "ccrm:" namespace.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import psycopg
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from config import get_settings
from db.dedicated import connect_dedicated

log = logging.getLogger(__name__)

#: How often a waiting `singleton_lock(..., wait=...)` tries again.
POLL_SECONDS = 0.2
_NAMESPACE = "ccrm:"

#: Names held in this process (SQLite locks, and a guard so two tasks here never race on PG).
_held_here: set[str] = set()


def lock_key(name: str) -> int:
    """The signed 64-bit advisory lock key of a lock name."""
    digest = hashlib.blake2b((_NAMESPACE + name).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@asynccontextmanager
async def singleton_lock(name: str, *, wait: float = 0.0, database_url: str | None = None) -> AsyncIterator[bool]:
    """Hold the lock `name` for the block if nobody else does; yields whether it was acquired."""
    url = database_url or get_settings().database_url
    deadline = time.monotonic() + wait
    if make_url(url).get_backend_name() == "postgresql":
        async with _postgres_lock(name, deadline, url) as acquired:
            yield acquired
    else:
        async with _local_lock(name, deadline) as acquired:
            yield acquired


async def _poll(try_once: Callable[[], Awaitable[bool]], deadline: float) -> bool:
    while True:
        if await try_once():
            return True
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(POLL_SECONDS)


@asynccontextmanager
async def _local_lock(name: str, deadline: float) -> AsyncIterator[bool]:
    async def try_once() -> bool:
        if name in _held_here:
            return False
        _held_here.add(name)
        return True

    acquired = await _poll(try_once, deadline)
    try:
        yield acquired
    finally:
        if acquired:
            _held_here.discard(name)


@asynccontextmanager
async def _postgres_lock(name: str, deadline: float, url: str) -> AsyncIterator[bool]:
    key = lock_key(name)
    async with _local_lock(name, deadline) as here:
        if not here:
            yield False
            return
        async with await connect_dedicated(url, f"lock:{name}") as conn:

            async def try_once() -> bool:
                cursor = await conn.execute("SELECT pg_try_advisory_lock(%s)", (key,))
                row = await cursor.fetchone()
                return bool(row and row[0])

            acquired = await _poll(try_once, deadline)
            try:
                yield acquired
            finally:
                if acquired and not conn.closed:
                    try:
                        await conn.execute("SELECT pg_advisory_unlock(%s)", (key,))
                    except psycopg.Error as exc:  # closing the connection below releases it anyway
                        log.warning("could not release lock %r cleanly: %s", name, exc)


async def transaction_lock(session: AsyncSession, name: str) -> None:
    """Wait for and hold the lock `name` until `session`'s transaction ends (commit or rollback),
    across every instance: a transaction-level advisory lock on PostgreSQL. On SQLite it does
    nothing: there a transaction that has written holds the whole database until it ends, so
    write first, then read what must not change under you."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key(name)})
