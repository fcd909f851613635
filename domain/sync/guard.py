"""One sync of an integration at a time, across every app instance.

On PostgreSQL a session-level advisory lock (`pg_try_advisory_lock(class, integration id)`) is
taken on a dedicated connection held for the whole run, so another instance (or a webhook
refresh in this one) sees it taken and backs off; the lock dies with the connection if the
process does. On SQLite (one process) an in-process lock per integration does the same.
The lead unifies this with `domain/locks.py` at merge.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text

from db.session import get_engine

#: First key of the two-int advisory lock: "SY" (sync), keeps clear of other lock users.
SYNC_LOCK_CLASS = 0x5359

_local_locks: dict[int, asyncio.Lock] = {}


@asynccontextmanager
async def sync_guard(integration_id: int) -> AsyncIterator[bool]:
    """`async with sync_guard(id) as acquired:` — never waits; `acquired` is False when another
    sync of the integration holds the guard."""
    engine = get_engine()
    if engine.dialect.name != "postgresql":
        lock = _local_locks.setdefault(integration_id, asyncio.Lock())
        if lock.locked():
            yield False
            return
        await lock.acquire()
        try:
            yield True
        finally:
            lock.release()
        return
    async with engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        keys = {"c": SYNC_LOCK_CLASS, "i": integration_id}
        acquired = bool(await conn.scalar(text("SELECT pg_try_advisory_lock(:c, :i)"), keys))
        try:
            yield acquired
        finally:
            if acquired:
                await conn.execute(text("SELECT pg_advisory_unlock(:c, :i)"), keys)
