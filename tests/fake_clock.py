"""Fake clocks, so that tests assert on the times a component saw rather than on the wall clock
(which a busy machine stretches at will).

    clock = FakeClock()                     # moves only when something sleeps on it, or by `advance`
    limiter = RecordingLimiter(10, 0.2, clock=clock)   # a SlidingWindowLimiter on it; `.granted` times
    most_in_any_window(limiter.granted, 0.2)           # → the most grants any 0.2 s held
"""

from __future__ import annotations

import asyncio
import bisect
from collections.abc import Sequence

from integrations.smartmoving.rate_limit import SlidingWindowLimiter


class FakeClock:
    def __init__(self, start: float = 1_000.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    async def sleep(self, seconds: float) -> None:
        """Moves the clock by `seconds` at once (and lets other tasks run)."""
        self.slept.append(seconds)
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)


class CountingClock:
    """A clock that moves `tick` seconds each time it is read: time measured in requests, e.g.
    for the simulator's rate limit, which then bites however fast or slow the machine is."""

    def __init__(self, tick: float) -> None:
        self.tick, self.reads = tick, 0

    def __call__(self) -> float:
        self.reads += 1
        return self.reads * self.tick


class RecordingLimiter(SlidingWindowLimiter):
    """The real limiter on a fake clock, keeping the (fake) time of every slot it granted."""

    def __init__(self, rate: int, window: float = 60.0, *, clock: FakeClock) -> None:
        super().__init__(rate, window, clock=clock, sleep=clock.sleep)
        self.granted: list[float] = []

    async def acquire(self) -> float:
        granted = await super().acquire()
        self.granted.append(granted)
        return granted


def most_in_any_window(times: Sequence[float], window: float) -> int:
    """The most of `times` that lie in any half-open interval [t, t + window)."""
    ordered = sorted(times)
    return max((bisect.bisect_left(ordered, t + window) - i for i, t in enumerate(ordered)), default=0)
