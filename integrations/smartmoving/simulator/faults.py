"""Fault injection of the simulator, switchable at run time (tests flip the attributes while
the server runs)."""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi.responses import JSONResponse


@dataclass(eq=False)
class FaultInjector:
    """`rate_limit_per_minute` requests are accepted per `rate_limit_window_seconds` (60 s,
    shorter in tests); `error_rate` of requests get a 500 (seeded RNG); every request waits
    `delay_seconds`; `malformed_opportunity_ids` answer broken records (see the views).
    `requests_before_outage` (None: no outage) requests are still answered, then every one gets
    a 500: SmartMoving going down at an exact point of a run.
    The rate limit reads `clock` (the monotonic clock; tests may give it a fake one)."""

    rate_limit_per_minute: int | None = None
    rate_limit_window_seconds: float = 60.0
    error_rate: float = 0.0
    delay_seconds: float = 0.0
    malformed_opportunity_ids: set[str] = field(default_factory=set)
    requests_before_outage: int | None = None
    fault_seed: int = 0
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)
    _rng: random.Random = field(init=False, repr=False)
    _accepted: deque[float] = field(init=False, repr=False, default_factory=deque)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.fault_seed)

    async def inject_fault(self) -> JSONResponse | None:
        """The faulty answer to give instead of the real one, if any."""
        if self.delay_seconds > 0:
            await asyncio.sleep(self.delay_seconds)
        if self.requests_before_outage is not None:
            if self.requests_before_outage <= 0:
                return JSONResponse({"message": "Service unavailable."}, status_code=500)
            self.requests_before_outage -= 1
        wait = self._rate_limit_wait(self.clock())
        if wait is not None:
            seconds = max(1, math.ceil(wait))
            return JSONResponse(
                {"message": f"Rate limit is exceeded. Try again in {seconds} seconds."},
                status_code=429, headers={"Retry-After": str(seconds)})
        if self.error_rate > 0 and self._rng.random() < self.error_rate:
            return JSONResponse({"message": "An error occurred while processing your request."},
                                status_code=500)
        return None

    def _rate_limit_wait(self, now: float) -> float | None:
        """Seconds until a slot frees if the window is full, else None (and count the call)."""
        if self.rate_limit_per_minute is None:
            return None
        window = self.rate_limit_window_seconds
        while self._accepted and now - self._accepted[0] >= window:
            self._accepted.popleft()
        if len(self._accepted) >= self.rate_limit_per_minute:
            return self._accepted[0] + window - now
        self._accepted.append(now)
        return None
