"""Client-side rate limiting: at most `rate` acquisitions in any `window` seconds."""

from __future__ import annotations

import asyncio
import time
from collections import deque


class SlidingWindowLimiter:
    """A sliding-window log. Waiters queue on a lock and sleep exactly until a slot frees."""

    def __init__(self, rate: int, window: float = 60.0) -> None:
        if rate < 1 or window <= 0:
            raise ValueError("rate must be >= 1 and window > 0")
        self.rate = rate
        self.window = window
        self._sent: deque[float] = deque()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                now = time.monotonic()
                while self._sent and now - self._sent[0] >= self.window:
                    self._sent.popleft()
                if len(self._sent) < self.rate:
                    self._sent.append(now)
                    return
                await asyncio.sleep(self._sent[0] + self.window - now)
