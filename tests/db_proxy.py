"""A TCP proxy in front of PostgreSQL, run as a subprocess so that it can really be killed and
paused (SIGSTOP: connections are still accepted by the kernel, then nothing answers — a hung
database, as no in-process switch could fake).

    with DatabaseProxy("127.0.0.1", 5432) as proxy:   # listens on proxy.port
        url = proxy.url_for(database_url)            # the same database, through the proxy
        proxy.kill()     # refused: the database is down
        proxy.start()    # back, on the same port
        proxy.pause()    # hung: accepted, then silent
        proxy.resume()

A fault at a chosen moment: `DatabaseProxy(..., reset_after=(b"INSERT INTO journeys", b"FROM journeys"))`
resets every connection through it (once) when the clients have sent those byte strings in that
order (the SQL text is on the wire: no TLS on the loopback), e.g. between a write and the read
after it. New connections are served as before.

`python -m tests.db_proxy LISTEN_PORT UPSTREAM_HOST UPSTREAM_PORT [PATTERN ...]` is the proxy itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
_CHUNK = 65536
_LISTEN_WAIT_SECONDS = 10.0


class _ResetAfter:
    """Resets every open connection once the clients have sent `patterns` in order (once)."""

    def __init__(self, patterns: list[bytes]) -> None:
        self.patterns = patterns
        self.writers: set[asyncio.StreamWriter] = set()

    def saw(self, data: bytes) -> None:
        while self.patterns and self.patterns[0] in data:
            data = data[data.index(self.patterns[0]) + len(self.patterns[0]):]
            self.patterns.pop(0)
            if not self.patterns:
                for writer in list(self.writers):
                    writer.transport.abort()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, fault: _ResetAfter | None = None) -> None:
    with contextlib.suppress(ConnectionError, OSError):
        while data := await reader.read(_CHUNK):
            if fault is not None:
                fault.saw(data)
                if writer.transport.is_closing():
                    break
            writer.write(data)
            await writer.drain()
    with contextlib.suppress(Exception):
        writer.close()


async def _serve(listen_port: int, upstream_host: str, upstream_port: int, patterns: list[bytes]) -> None:
    fault = _ResetAfter(patterns) if patterns else None

    async def handle(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            server_reader, server_writer = await asyncio.open_connection(upstream_host, upstream_port)
        except OSError:
            client_writer.close()
            return
        if fault is not None:
            fault.writers.update((client_writer, server_writer))
        try:
            await asyncio.gather(_pipe(client_reader, server_writer, fault), _pipe(server_reader, client_writer))
        finally:
            if fault is not None:
                fault.writers.difference_update((client_writer, server_writer))

    server = await asyncio.start_server(handle, "127.0.0.1", listen_port, reuse_address=True)
    async with server:
        await server.serve_forever()


def _free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _listening(port: int) -> bool:
    with contextlib.closing(socket.socket()) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class DatabaseProxy:
    """The proxy subprocess: started, killed (SIGKILL), paused (SIGSTOP) and resumed (SIGCONT)."""

    def __init__(self, upstream_host: str = "127.0.0.1", upstream_port: int = 5432, port: int | None = None,
                 reset_after: tuple[bytes, ...] = ()) -> None:
        self.upstream_host, self.upstream_port = upstream_host, upstream_port
        self.reset_after = reset_after
        self.port = port or _free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.paused = False

    @classmethod
    def for_url(cls, database_url: str, reset_after: tuple[bytes, ...] = ()) -> DatabaseProxy:
        parsed = make_url(database_url)
        return cls(parsed.host or "127.0.0.1", parsed.port or 5432, reset_after=reset_after)

    def url_for(self, database_url: str) -> str:
        """`database_url` pointed at the proxy."""
        return make_url(database_url).set(host="127.0.0.1", port=self.port).render_as_string(hide_password=False)

    def start(self) -> DatabaseProxy:
        """Start (again) on the same port; returns once it accepts connections."""
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.db_proxy", str(self.port), self.upstream_host, str(self.upstream_port),
             *(pattern.decode() for pattern in self.reset_after)],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + _LISTEN_WAIT_SECONDS
        while not _listening(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the database proxy did not start on port {self.port}")
            time.sleep(0.05)
        return self

    def kill(self) -> None:
        """SIGKILL: every connection through it is reset, new ones are refused."""
        if self.process is not None:
            if self.paused:
                self.resume()
            self.process.kill()
            self.process.wait()
            self.process = None

    def pause(self) -> None:
        """SIGSTOP: connections are accepted (by the kernel) and bytes are taken, but nothing answers."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)
        self.paused = True

    def resume(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGCONT)
        self.paused = False

    def __enter__(self) -> DatabaseProxy:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.kill()


if __name__ == "__main__":
    asyncio.run(_serve(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), [a.encode() for a in sys.argv[4:]]))
