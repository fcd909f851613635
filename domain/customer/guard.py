"""Guessing tracking links: an address that asked for `MAX_MISSES` links that do not exist within
`WINDOW_SECONDS` is refused (429) until its misses age out. A token has 256 bits, so this is no
barrier a guess needs; it keeps a scanner from hammering the lookups. Per instance, in memory."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from domain.errors import TooManyRequests

MAX_MISSES = 20
WINDOW_SECONDS = 60.0
#: Addresses remembered at most (the oldest forgotten first): memory stays bounded under a flood.
MAX_ADDRESSES = 10_000


class MissGuard:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.misses: dict[str, deque[float]] = {}

    def _recent(self, address: str) -> deque[float]:
        found = self.misses.get(address, deque())
        horizon = self.clock() - WINDOW_SECONDS
        while found and found[0] <= horizon:
            found.popleft()
        return found

    def check(self, address: str | None) -> None:
        """Refuse an address over its misses (None: unknown address, e.g. a live page's socket)."""
        if address is not None and len(self._recent(address)) >= MAX_MISSES:
            raise TooManyRequests("Too many tries of links that do not exist: try again in a minute.")

    def miss(self, address: str | None) -> None:
        if address is None:
            return
        recent = self._recent(address)
        recent.append(self.clock())
        self.misses.pop(address, None)
        self.misses[address] = recent  # newest last: the first key is the longest quiet
        while len(self.misses) > MAX_ADDRESSES:
            del self.misses[next(iter(self.misses))]

    def clear(self) -> None:
        self.misses.clear()


guard = MissGuard()
