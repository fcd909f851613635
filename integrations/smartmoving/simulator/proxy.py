"""A fault-injecting HTTP proxy to put between a client and the simulator (real TCP both ways),
for the shapes a server cannot give from inside: connection resets, bodies cut short, hangs,
and 429 storms that last a given time.

    proxy = FaultProxy(simulator_url, ProxyFaults(reset_rate=0.1, truncate_rate=0.05))
    async with proxy.running() as url:      # point the client at `url`
        ...
    proxy.counts                             # what it did: forwarded, reset, truncated, hung, limited

One request per connection (the answer says `connection: close`), GET only — the SmartMoving
API the client calls. Faults are drawn from a seeded RNG; the storm reads `faults.clock`, so
tests can run a two-minute storm on a fake clock the client sleeps on.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import struct
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

HEAD_END = b"\r\n\r\n"
STORM_BODY = b'{"message": "Rate limit is exceeded. Try again later."}'


@dataclass(eq=False)
class ProxyFaults:
    """Switchable at run time. `storm_rate` of requests are answered 429 (Retry-After
    `retry_after`) while `clock()` < `storm_until`; `reset_rate` are reset before any answer;
    `truncate_rate` get half their body (with a matching Content-Length: not JSON any more);
    `hang_rate` wait `hang_seconds` before being forwarded."""

    storm_rate: float = 0.0
    storm_until: float = 0.0
    retry_after: int = 2
    reset_rate: float = 0.0
    truncate_rate: float = 0.0
    hang_rate: float = 0.0
    hang_seconds: float = 0.0
    seed: int = 0
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)

    def storm(self, seconds: float, rate: float = 1.0) -> None:
        """A storm from now for `seconds` (on `clock`)."""
        self.storm_rate, self.storm_until = rate, self.clock() + seconds


class FaultProxy:
    def __init__(self, upstream: str, faults: ProxyFaults | None = None) -> None:
        parts = urlsplit(upstream)
        self.upstream_host, self.upstream_port = parts.hostname or "127.0.0.1", parts.port or 80
        self.faults = faults or ProxyFaults()
        self.counts: Counter[str] = Counter()
        self._rng = random.Random(self.faults.seed)
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[object]] = set()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[str]:
        """Serve on a free 127.0.0.1 port for the block; yields the proxy's base URL."""
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            self._server.close()
            for handler in list(self._handlers):  # requests still hanging: dropped
                handler.cancel()
            await asyncio.gather(*self._handlers, return_exceptions=True)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)

    def _draw(self) -> str:
        """The fault of one request ("" for none)."""
        f, roll = self.faults, self._rng.random()
        if f.clock() < f.storm_until and roll < f.storm_rate:
            return "limited"
        for name, rate in (("reset", f.reset_rate), ("truncated", f.truncate_rate), ("hung", f.hang_rate)):
            if roll < rate:
                return name
            roll -= rate
        return ""

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._handlers.add(task)
            task.add_done_callback(self._handlers.discard)
        try:
            head = await reader.readuntil(HEAD_END)
            fault = self._draw()
            self.counts[fault or "forwarded"] += 1
            if fault == "reset":
                _reset(writer)
                return
            if fault == "limited":
                writer.write(_answer(429, STORM_BODY, {"retry-after": str(self.faults.retry_after)}))
            else:
                if fault == "hung":
                    await asyncio.sleep(self.faults.hang_seconds)
                answer = await self._forward(head)
                writer.write(_truncate(answer) if fault == "truncated" else answer)
            await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _forward(self, head: bytes) -> bytes:
        reader, writer = await asyncio.open_connection(self.upstream_host, self.upstream_port)
        try:
            lines = [line for line in head[:-len(HEAD_END)].split(b"\r\n")
                     if not line.lower().startswith((b"connection:", b"keep-alive:"))]
            writer.write(b"\r\n".join([*lines, b"connection: close"]) + HEAD_END)
            await writer.drain()
            return await reader.read()
        finally:
            writer.close()


def _answer(status: int, body: bytes, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} Status", "content-type: application/json", f"content-length: {len(body)}",
             "connection: close", *(f"{k}: {v}" for k, v in headers.items())]
    return "\r\n".join(lines).encode() + HEAD_END + body


def _truncate(answer: bytes) -> bytes:
    """The same answer with the first half of its body, Content-Length adjusted."""
    head, _, body = answer.partition(HEAD_END)
    lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"content-length:")]
    cut = body[:len(body) // 2]
    return b"\r\n".join([*lines, b"content-length: %d" % len(cut)]) + HEAD_END + cut


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP RST (SO_LINGER 0), as a dropped connection does."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()
