"""Fixtures: the SmartMoving simulator served over real HTTP (uvicorn in a background thread, or
its own process) and clients pointed at it."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import httpx
import pytest
import uvicorn

from integrations.smartmoving.client import SmartMovingClient
from integrations.smartmoving.simulator.server import SimulatorState, create_simulator_app

API_KEY = "test-key"
SEED = 42
REPO_ROOT = Path(__file__).resolve().parents[2]
PROCESS_START_SECONDS = 30.0


@contextlib.contextmanager
def serve(app: Any) -> Iterator[str]:
    """Serve an ASGI app on a free 127.0.0.1 port until the block ends; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False,
                                           lifespan="off", timeout_graceful_shutdown=2))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@contextlib.contextmanager
def simulator_process(options: Sequence[str], api_key: str = API_KEY,
                      stderr: IO[bytes] | None = None) -> Iterator[str]:
    """`python -m integrations.smartmoving.simulator.server` with these options (not --port nor
    --api-key) on a free port until the block ends; yields its base URL once it answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [sys.executable, "-m", "integrations.smartmoving.simulator.server", "--port", str(port),
               "--api-key", api_key, *options]
    process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=stderr)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + PROCESS_START_SECONDS
        while True:
            try:
                httpx.get(f"{url}/api/ping", headers={"x-api-key": api_key}, timeout=2)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the simulator did not start ({process.poll()=})") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def sim_state() -> SimulatorState:
    return SimulatorState(seed=SEED, api_key=API_KEY)


@pytest.fixture
def sim_url(sim_state: SimulatorState) -> Iterator[str]:
    with serve(create_simulator_app(sim_state)) as url:
        yield url


@pytest.fixture
async def make_client(sim_url: str) -> AsyncIterator[Callable[..., SmartMovingClient]]:
    """Clients of the running simulator with fast test defaults; closed after the test."""
    clients: list[SmartMovingClient] = []

    def make(api_key: str = API_KEY, **options: Any) -> SmartMovingClient:
        defaults = {"rate_per_minute": 100_000, "max_retries": 4, "timeout": 5.0,
                    "backoff_base": 0.001, "max_backoff": 2.0}
        clients.append(SmartMovingClient(sim_url, api_key, **(defaults | options)))
        return clients[-1]

    yield make
    for client in clients:
        await client.aclose()


@pytest.fixture
async def client(make_client: Callable[..., SmartMovingClient]) -> SmartMovingClient:
    return make_client()


@pytest.fixture
def serve_app() -> Callable[[Any], contextlib.AbstractContextManager[str]]:
    """`with serve_app(app) as url:` serves any other ASGI app (e.g. a webhook receiver)."""
    return serve
