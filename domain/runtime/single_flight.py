"""One read for many readers: concurrent calls with the same key share one execution (issue 18).

When an event reaches 40 open boards of one branch, every page asks for the same stats and the
same changed card at the same moment. Those asks are made once: the first starts the read, the
others await its result (or its exception). Nothing is kept afterwards — a read asked once the
shared one has finished runs again — so a shared result is never older than a read of one's own
would have been. Who may share a key is the caller's business (`domain.access.rbac.LocationViewClass`
for the board): the key must hold everything the result depends on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class SingleFlight:
    def __init__(self) -> None:
        self._running: dict[Hashable, asyncio.Future[Any]] = {}
        #: Calls answered by a read another caller started (for benches and tests).
        self.shared = 0
        #: Reads actually made.
        self.made = 0

    async def run(self, key: Hashable, read: Callable[[], Awaitable[T]]) -> T:
        running = self._running.get(key)
        if running is not None:
            self.shared += 1
            result: T = await asyncio.shield(running)
            return result
        self.made += 1
        task = asyncio.ensure_future(read())
        self._running[key] = task

        def forget(done: asyncio.Future[Any]) -> None:
            if self._running.get(key) is done:
                del self._running[key]

        task.add_done_callback(forget)
        return await asyncio.shield(task)
