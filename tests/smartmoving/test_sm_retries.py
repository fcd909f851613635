"""Retries bounded by time, not by a count: storms, resets, truncated bodies and outages, through
the fault-injecting proxy (real HTTP both ways) on a fake clock the client sleeps on."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from integrations.smartmoving.client import SmartMovingClient
from integrations.smartmoving.errors import RateLimitedError, ServerError, UnreachableError
from integrations.smartmoving.simulator.proxy import FaultProxy, ProxyFaults
from integrations.smartmoving.simulator.server import SimulatorState
from tests.fake_clock import FakeClock
from tests.smartmoving.conftest import API_KEY

DAY = dt.date(2026, 11, 20)
Proxied = Callable[..., SmartMovingClient]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def proxy(sim_url: str, clock: FakeClock) -> FaultProxy:
    return FaultProxy(sim_url, ProxyFaults(seed=7, clock=clock))


@pytest.fixture
async def proxied(proxy: FaultProxy, clock: FakeClock) -> AsyncIterator[Proxied]:
    """Clients talking to the simulator through the proxy, sleeping on the fake clock."""
    clients: list[SmartMovingClient] = []
    async with proxy.running() as url:
        def make(**options: Any) -> SmartMovingClient:
            defaults: dict[str, Any] = {"rate_per_minute": 100_000, "timeout": 5.0, "backoff_base": 0.5,
                                        "max_backoff": 15.0, "clock": clock, "sleep": clock.sleep}
            clients.append(SmartMovingClient(url, API_KEY, **(defaults | options)))
            return clients[-1]

        yield make
        for client in clients:
            await client.aclose()


async def test_a_two_minute_storm_is_waited_out_honouring_retry_after(proxied: Proxied, proxy: FaultProxy,
                                                                      clock: FakeClock) -> None:
    client = proxied()
    proxy.faults.retry_after = 2
    proxy.faults.storm(110.0)
    await client.ping()
    limited = proxy.counts["limited"]
    assert limited >= 50  # far more than any small retry count
    assert clock.slept == [2.0] * limited  # every wait is the Retry-After
    assert client.calls == limited + 1 == sum(proxy.counts.values())  # 429s count, as the quota does


async def test_a_storm_longer_than_the_bound_fails_the_call(proxied: Proxied, proxy: FaultProxy,
                                                            clock: FakeClock) -> None:
    client = proxied(retry_for=30.0)
    proxy.faults.storm(600.0)
    start = clock()
    with pytest.raises(RateLimitedError):
        await client.ping()
    assert clock() - start <= 30.0 and client.calls == proxy.counts["limited"] == 16  # at 0, 2, ... 30 s


async def test_resets_and_truncated_bodies_are_retried_like_5xx(proxied: Proxied, proxy: FaultProxy,
                                                                sim_state: SimulatorState) -> None:
    proxy.faults.reset_rate, proxy.faults.truncate_rate = 0.2, 0.2
    client = proxied()
    customers = await client.customers_by_service_date(DAY, DAY + dt.timedelta(days=1))
    users = await client.users()
    assert len(customers.items) == len(sim_state.opportunities_between(DAY, DAY + dt.timedelta(days=1)))
    assert len(users.items) > 200 and not customers.errors
    assert proxy.counts["reset"] > 0 and proxy.counts["truncated"] > 0
    # a reset request reached the server side (the proxy) and counts; every one is counted once
    assert client.calls == sum(proxy.counts.values())


async def test_a_long_outage_is_unreachable_not_one_bad_record(proxied: Proxied, sim_state: SimulatorState,
                                                               clock: FakeClock) -> None:
    client = proxied(retry_for=100.0, unreachable_after=150.0)
    await client.ping()
    sim_state.error_rate = 1.0
    with pytest.raises(ServerError):  # 100 s without success: one call failed
        await client.ping()
    with pytest.raises(UnreachableError, match="unreachable"):  # 200 s: SmartMoving is down
        await client.ping()
    sim_state.error_rate = 0.0
    await client.ping()  # and the same client recovers
