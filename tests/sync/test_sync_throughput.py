"""What makes a big day sync fast without changing what it writes: details fetched
DETAIL_CONCURRENCY at a time within the client's rate, journeys and steps written in multi-row
pages, and an unchanged run reading stored hashes only."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from db.models import JourneyStep
from domain.events.bus import EventType, bus
from domain.events.touched import touched
from domain.sync import store
from domain.sync.jobs import DETAIL_CONCURRENCY
from domain.unit_of_work import read_session
from integrations.smartmoving import client as client_module
from integrations.smartmoving.simulator.server import CallRecord, SimulatorState
from tests.fake_clock import FakeClock, RecordingLimiter, most_in_any_window
from tests.sync.helpers import executed_sql, run, synced_journeys, window, window_job_ids


def _most_in_flight(calls: list[CallRecord]) -> int:
    """The most requests the server was answering at once."""
    edges = sorted([(c.at, 1) for c in calls] + [(c.answered_at or c.at, -1) for c in calls])
    most = current = 0
    for _, step in edges:  # at equal times an answer (-1) sorts before an arrival (+1)
        current += step
        most = max(most, current)
    return most


async def test_details_are_fetched_detail_concurrency_at_a_time_within_the_rate(
        integration: dict[str, Any], sim: SimulatorState, monkeypatch: pytest.MonkeyPatch) -> None:
    sim.jobs_on = {window()[0]: 60}
    sim.delay_seconds = 0.1  # each detail is held long enough for all four to be in flight together
    rate, window_seconds = 10, 0.2
    # The client's limiter runs on a fake clock that moves only when the limiter waits: the times
    # it granted are exact, however late a busy machine delivers the requests.
    limiters: list[RecordingLimiter] = []

    def limiter(rate_per_minute: int, window: float, **_clock_and_sleep: object) -> RecordingLimiter:
        limiters.append(RecordingLimiter(rate_per_minute, window, clock=FakeClock()))
        return limiters[-1]

    monkeypatch.setattr(client_module, "SlidingWindowLimiter", limiter)
    sync = await run(integration["id"], rate_per_minute=rate, rate_window=window_seconds)
    details = [c for c in sim.call_log if c.path.startswith("/api/opportunities/")]
    assert sync.failed == 0 and sync.created == len(window_job_ids(sim)) > 20
    assert _most_in_flight(details) == DETAIL_CONCURRENCY
    [used] = limiters
    assert (used.rate, used.window) == (rate, window_seconds)
    assert len(used.granted) == len(sim.call_log)  # every request went through the limiter
    assert most_in_any_window(used.granted, window_seconds) == rate  # full windows, never more
    assert used.clock() - used.granted[0] >= (len(used.granted) // rate - 1) * window_seconds  # it waited


async def test_small_write_pages_still_give_every_job_its_journey_steps_and_event(
        integration: dict[str, Any], sim: SimulatorState, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "BATCH_ROWS", 7)
    events: list[Any] = []
    bus.subscribe(events.append)
    sync = await run(integration["id"])
    journeys = await synced_journeys()
    assert set(journeys) == window_job_ids(sim) and sync.created == len(journeys) > 7 * 10
    async with read_session() as session:
        step_counts = dict((await session.execute(
            select(JourneyStep.journey_id, func.count()).group_by(JourneyStep.journey_id)
            .where(JourneyStep.journey_id.in_([j.id for j in journeys.values()])))).all())
    assert step_counts == {j.id: 6 for j in journeys.values()}
    [batch] = [e for e in events if e.type is EventType.JOURNEYS_SYNCED]  # one for all the write pages
    assert batch.data["count"] == len(journeys)
    assert all(touched(batch).journey(j.id, j.location_id, j.journey_date) for j in journeys.values())


async def test_an_unchanged_run_reads_the_stored_hashes_only(integration: dict[str, Any],
                                                             sim: SimulatorState) -> None:
    await run(integration["id"])
    with executed_sql(lambda sql: sql.startswith("SELECT") and " FROM JOURNEYS " in f"{sql} ") as reads:
        again = await run(integration["id"])
    assert again.unchanged > 0 and (again.created, again.updated) == (0, 0)
    # the listing step compares stored hashes; the reconciliation (drift report) reads ids, days and
    # branches; nothing reads the stored SmartMoving payloads
    assert any("EXTERNAL_HASH" in r for r in reads) and not any("EXTERNAL_DATA" in r for r in reads)
