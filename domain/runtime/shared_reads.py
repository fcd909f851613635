"""Shared reads (issue 18): one read serves every open page that shows the same thing, for as long
as it is fresh enough for each of them.

Freshness is counted in events, not seconds. The bus numbers every event it delivers in this
process (`domain.events.bus.EventBus.serial`; for an event relayed from another instance the
number is taken on receipt, after that instance's commit). A read records the serial of the newest
event delivered before it started: it has seen everything those events announce.

- A live refresh (`live_refresh`) handed events up to serial S takes any read of the same key that
  started at serial >= S, still running or finished: a read of its own, started now, could show
  nothing more of what it was told about. So 150 boards refreshing a few at a time for one change
  make one read, not 150.
- Any other call (a page being built, a page re-reading after its own action) takes only a read
  still running that started at the current serial, else reads: it may follow a write that
  announces nothing (resolving a "Needs attention" entry), which only a read started after that
  write can show.

Finished reads are kept at most `MAX_AGE_SECONDS` and `MAX_ENTRIES` of them, the oldest started
dropped first (a newer read of a key replaces the older; what makes an entry useful is when it
started, not when it was last used, so eviction goes by start). A failed read is not kept: the
callers it served get its exception, the next caller reads again.

Who may share a key is the caller's business: the key must hold everything the result depends on
(`domain.access.rbac.LocationViewClass` for the board, the principal itself for a phone). Results
are handed to every sharer as they are: keep them immutable (frozen dataclasses, tuples).
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")

#: Finished reads kept (per `SharedReads`); enough for every key of a busy instance within MAX_AGE_SECONDS.
MAX_ENTRIES = 1024
#: Seconds a finished read is kept: a refresh comes within REFRESH_INTERVAL of its event, so a few
#: seconds cover a burst of refreshes, and nothing lingers in memory.
MAX_AGE_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class Freshness:
    """What a live refresh needs of a shared read."""

    #: The serial of the newest event in the refresh's batch.
    serial: int


_freshness: ContextVar[Freshness | None] = ContextVar("shared_read_freshness", default=None)


def freshness() -> Freshness | None:
    """What the live refresh running here needs (None outside one)."""
    return _freshness.get()


@contextmanager
def live_refresh(serial: int) -> Iterator[None]:
    """Shared reads in the block serve a live refresh of the events up to `serial`."""
    token = _freshness.set(Freshness(serial))
    try:
        yield
    finally:
        _freshness.reset(token)


@dataclass(frozen=True, slots=True)
class _Entry:
    serial: int
    started: float
    result: asyncio.Future[Any]


class SharedReads:
    """Reads by key, shared as the module docstring says; `serial()` is the bus's current serial."""

    def __init__(self, serial: Callable[[], int], *, max_entries: int = MAX_ENTRIES,
                 max_age: float = MAX_AGE_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self._serial, self._max_entries, self._max_age, self._clock = serial, max_entries, max_age, clock
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        #: Reads actually made (for benches and tests, as the two below).
        self.made = 0
        #: Calls that joined a read still running.
        self.shared = 0
        #: Calls answered by a finished read.
        self.reused = 0

    def __len__(self) -> int:
        return len(self._entries)

    async def run(self, key: Hashable, read: Callable[[], Awaitable[T]]) -> T:
        fresh = _freshness.get()
        entry = self._usable(key, fresh)
        if entry is None:
            return await self._make(key, read)
        if entry.result.done():
            self.reused += 1
            done: T = entry.result.result()
            return done
        self.shared += 1
        joined: T = await asyncio.shield(entry.result)
        return joined

    def _usable(self, key: Hashable, fresh: Freshness | None) -> _Entry | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if not entry.result.done():
            return entry if entry.serial >= (self._serial() if fresh is None else fresh.serial) else None
        if fresh is None or entry.serial < fresh.serial or self._clock() - entry.started > self._max_age:
            return None
        return entry

    async def _make(self, key: Hashable, read: Callable[[], Awaitable[T]]) -> T:
        self.made += 1
        entry = _Entry(self._serial(), self._clock(), asyncio.ensure_future(read()))
        self._entries.pop(key, None)
        self._entries[key] = entry
        self._prune()

        def forget_failure(done: asyncio.Future[Any]) -> None:
            if (done.cancelled() or done.exception() is not None) and self._entries.get(key) is entry:
                del self._entries[key]

        entry.result.add_done_callback(forget_failure)
        result: T = await asyncio.shield(entry.result)
        return result

    def _prune(self) -> None:
        now = self._clock()
        while self._entries:
            key, oldest = next(iter(self._entries.items()))
            expired = oldest.result.done() and now - oldest.started > self._max_age
            if not expired and len(self._entries) <= self._max_entries:
                return
            del self._entries[key]
