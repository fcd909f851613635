"""A budget of decoded pixels shared by concurrent uploads.

An upload is small on the wire and large once decoded: a highly compressible 6300×6300 PNG of
128 KB is 40 megapixels, about 160 MB as Pillow's RGB(A) buffer, and more while it is transposed,
shrunk and re-encoded. Eight of them at once took the app past 2 GB. Each decode first reserves
its image's pixel count (read from the header, before any decoding) here, and waits, first come
first served, while the images being decoded already hold the budget; an image larger than the
whole budget waits until it has the budget to itself. Decodes never run beyond the budget, so
resident memory stays bounded whatever the number of concurrent uploads.

Not bound to an event loop (tests run a loop each): waiters are futures of the loop they wait on.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field


@dataclass(eq=False)
class PixelBudget:
    capacity: int
    #: Pixels reserved now, and decodes holding them; their peaks since the start (for tests and the bench).
    in_use: int = 0
    active: int = 0
    peak_in_use: int = 0
    peak_active: int = 0
    _waiters: deque[tuple[int, asyncio.Future[None]]] = field(default_factory=deque, repr=False)

    def _share(self, pixels: int) -> int:
        return min(max(pixels, 1), self.capacity)

    def _take(self, share: int) -> None:
        self.in_use += share
        self.active += 1
        self.peak_in_use = max(self.peak_in_use, self.in_use)
        self.peak_active = max(self.peak_active, self.active)

    def _release(self, share: int) -> None:
        self.in_use -= share
        self.active -= 1
        while self._waiters and self.in_use + self._waiters[0][0] <= self.capacity:
            waiting, granted = self._waiters.popleft()
            if not granted.done():  # a waiter cancelled meanwhile is skipped
                self._take(waiting)
                granted.set_result(None)

    @asynccontextmanager
    async def reserve(self, pixels: int) -> AsyncIterator[None]:
        """Hold `pixels` of the budget (at most all of it) for the block, waiting for them first."""
        share = self._share(pixels)
        if self._waiters or self.in_use + share > self.capacity:
            granted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            entry = (share, granted)
            self._waiters.append(entry)
            try:
                await granted
            except BaseException:
                if granted.done() and not granted.cancelled():  # granted just as it was cancelled
                    self._release(share)
                elif entry in self._waiters:
                    self._waiters.remove(entry)
                raise
        else:
            self._take(share)
        try:
            yield
        finally:
            self._release(share)
