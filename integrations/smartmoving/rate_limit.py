"""Client-side rate limiting: at most `rate` acquisitions in any `window` seconds."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable


class SlidingWindowLimiter:
    """A sliding-window log. Waiters queue on a lock and sleep exactly until a slot frees.

    `clock` and `sleep` (default: the monotonic clock and `asyncio.sleep`) let tests run the
    limiter on a fake clock and assert on the times it let requests go, not on the wall clock."""

    def __init__(self, rate: int, window: float = 60.0, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[object]] = asyncio.sleep) -> None:
        if rate < 1 or window <= 0:
            raise ValueError("rate must be >= 1 and window > 0")
        self.rate = rate
        self.window = window
        self.clock = clock
        self.sleep = sleep
        self._sent: deque[float] = deque()
        self._lock = asyncio.Lock()

    async def acquire(self) -> float:
        """Wait for a slot; returns the clock's time at which it was granted."""
        async with self._lock:
            while True:
                now = self.clock()
                while self._sent and now - self._sent[0] >= self.window:
                    self._sent.popleft()
                if len(self._sent) < self.rate:
                    self._sent.append(now)
                    return now
                await self.sleep(self._sent[0] + self.window - now)
