"""Retries, typed errors, rate limiting and malformed records, against the simulator's faults."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import socket
from collections.abc import Callable

import pytest

from integrations.smartmoving.client import SmartMovingClient
from integrations.smartmoving.errors import (
    MalformedRecord,
    NetworkError,
    RateLimitedError,
    RequestTimeoutError,
    ServerError,
)
from integrations.smartmoving.simulator.server import SimulatorState
from tests.fake_clock import FakeClock, RecordingLimiter, most_in_any_window

DAY = dt.date(2026, 11, 20)
MakeClient = Callable[..., SmartMovingClient]


async def test_429_storm_is_retried_honouring_retry_after(make_client: MakeClient,
                                                          sim_state: SimulatorState) -> None:
    sim_state.rate_limit_per_minute = 2
    sim_state.rate_limit_window_seconds = 1.0  # Retry-After: 1, capped by the client at 0.25 s
    client = make_client(max_retries=10, max_backoff=0.25)
    # The simulator's rate limit runs on a clock that moves by exactly the waits the client
    # chooses: the window frees after four waits of 0.25 s, however slow the machine is.
    clock, delays, choose = FakeClock(), [], client._delay

    def delay(attempt: int, retry_after: float | None) -> float:
        delays.append((retry_after, choose(attempt, retry_after)))
        clock.advance(delays[-1][1])
        return delays[-1][1]

    sim_state.clock = clock
    client._delay = delay  # type: ignore[method-assign]
    for _ in range(3):
        await client.ping()
    log = sim_state.call_log
    limited = [i for i, record in enumerate(log) if record.status == 429]
    assert len(limited) == 4
    assert [r.status for r in log].count(200) == 3 and log[-1].status == 200
    assert client.calls == len(log) == 3 + len(limited)  # 429s count against the quota
    # every 429 was followed by a wait of its Retry-After (1 s), capped at max_backoff
    assert delays == [(1.0, 0.25)] * len(limited)


async def test_rate_limited_after_every_retry(make_client: MakeClient,
                                              sim_state: SimulatorState) -> None:
    sim_state.rate_limit_per_minute = 1
    client = make_client(max_retries=2, max_backoff=0.01)
    await client.ping()
    with pytest.raises(RateLimitedError) as caught:
        await client.ping()
    assert caught.value.retry_after == 60
    assert "Rate limit is exceeded" in str(caught.value)
    assert client.calls == len(sim_state.call_log) == 4


async def test_random_server_errors_are_retried(make_client: MakeClient,
                                                sim_state: SimulatorState) -> None:
    sim_state.error_rate = 0.4
    client = make_client(max_retries=8)
    customers = await client.customers_by_service_date(DAY, DAY + dt.timedelta(days=1))
    users = await client.users()
    expected = sim_state.opportunities_between(DAY, DAY + dt.timedelta(days=1))
    assert len(customers.items) == len(expected) and len(users.items) > 200
    errors = [r.status for r in sim_state.call_log].count(500)
    assert errors > 0
    pages = -(-len(expected) // 200) + 2
    assert client.calls == len(sim_state.call_log) == pages + errors


async def test_server_errors_after_every_retry(make_client: MakeClient,
                                               sim_state: SimulatorState) -> None:
    sim_state.error_rate = 1.0
    client = make_client(max_retries=2)
    with pytest.raises(ServerError) as caught:
        await client.branches()
    assert caught.value.status_code == 500
    assert client.calls == sim_state.calls["/api/branches"] == 3


async def test_slow_responses_time_out_after_retries(make_client: MakeClient,
                                                     sim_state: SimulatorState) -> None:
    sim_state.delay_seconds = 0.4
    client = make_client(timeout=0.1, max_retries=2)
    with pytest.raises(RequestTimeoutError) as caught:
        await client.ping()
    assert isinstance(caught.value, TimeoutError)
    assert client.calls == sim_state.calls["/api/ping"] == 3
    sim_state.delay_seconds = 0
    await client.ping()  # the same client recovers once the server is fast again


async def test_connection_errors_are_retried_then_raised() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    async with SmartMovingClient(f"http://127.0.0.1:{port}", "key", max_retries=2,
                                 backoff_base=0.001) as client:
        with pytest.raises(NetworkError):
            await client.ping()
        assert client.calls == 0  # a connection never opened reached nobody: the quota does not count it


async def test_malformed_opportunity_is_isolated(client: SmartMovingClient,
                                                 sim_state: SimulatorState) -> None:
    opportunities = sim_state.opportunities_on(DAY)
    bad = opportunities[3]
    sim_state.malformed_opportunity_ids.add(bad.id)

    listing = await client.customers_by_service_date(DAY, DAY)
    received = {o.id for c in listing.items for o in c.opportunities}
    assert received == {o.id for o in opportunities} - {bad.id}
    assert [error.raw["id"] for error in listing.errors] == [bad.id]

    with pytest.raises(MalformedRecord):
        await client.opportunity(bad.id)
    jobs = await client.opportunity_jobs(bad.id)
    assert jobs.items == () and len(jobs.errors) == len(bad.jobs)
    assert (await client.opportunity(opportunities[4].id)).id == opportunities[4].id


async def test_rate_limiter_keeps_calls_within_the_window(make_client: MakeClient,
                                                          sim_state: SimulatorState) -> None:
    rate, window = 4, 0.5
    client = make_client(rate_per_minute=rate, rate_window=window)
    assert (client._limiter.rate, client._limiter.window) == (rate, window)
    # the client's limiter on a fake clock: the times it let calls go, exactly
    client._limiter = limiter = RecordingLimiter(rate, window, clock=FakeClock())
    await asyncio.gather(*(client.ping() for _ in range(3 * rate)))
    assert len(sim_state.call_log) == len(limiter.granted) == 3 * rate
    assert most_in_any_window(limiter.granted, window) == rate
    granted = sorted(limiter.granted)
    assert all(granted[i + rate] - granted[i] >= window for i in range(len(granted) - rate))


async def test_api_key_is_never_logged(make_client: MakeClient, sim_state: SimulatorState,
                                       caplog: pytest.LogCaptureFixture) -> None:
    sim_state.error_rate = 1.0
    client = make_client(max_retries=2)
    with caplog.at_level(logging.DEBUG), pytest.raises(ServerError) as caught:
        await client.ping()
    assert "retrying" in caplog.text  # the retries were logged...
    key = sim_state.api_key
    assert key not in caplog.text  # ...without the key
    assert key not in str(caught.value) and key not in repr(client)
