"""A sync reaches open boards as one batch (issue 18): a board of a day the sync rewrote re-reads
once and shows the result; a board of a day it did not touch does not re-read at all. The sync
publishes a bounded number of events whatever the number of journeys it wrote."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from typing import Any

from nicegui.testing import User
from sqlalchemy import select

from db.models import Journey
from domain.events.bus import DomainEvent, EventType, bus
from domain.unit_of_work import read_session
from integrations.smartmoving.simulator.server import SimulatorState
from tests.helpers import sign_in
from tests.sync.helpers import executed_with_parameters, run, synced_journeys, window

#: The board's stats read (seven sums over the day's journeys): every refresh of a board, a
#: patch of its cards or a re-read of the whole board, runs it once.
STATS_COUNTS = 7


def _stats_reads(reads: list[tuple[str, Any]], day: dt.date) -> int:
    return sum(1 for _sql, params in reads if day in _values(params))


def _values(params: Any) -> list[Any]:
    return list(params.values()) if isinstance(params, dict) else list(params or ())


async def test_a_board_re_reads_once_for_a_sync_batch_and_a_board_it_does_not_touch_never(
        integration: dict[str, Any], sim: SimulatorState, user: User) -> None:
    await run(integration["id"])
    today, _tomorrow = window()
    journeys = [j for j in (await synced_journeys()).values() if j.journey_date == today]
    location_id, _ = Counter(j.location_id for j in journeys).most_common(1)[0]
    renamed = {j.external_data["opportunity_id"] for j in journeys if j.location_id == location_id}
    quiet_day = today + dt.timedelta(days=5)  # outside the sync's two-day window
    await sign_in(user, "auditor@demo.ccrm")  # every branch's board, without the admin's company figures
    await user.open(f"/board?location={location_id}&day={quiet_day}")
    await user.open(f"/board?location={location_id}&day={today}")
    for n, opportunity_id in enumerate(sorted(renamed)):
        sim.update_opportunity(opportunity_id, customer_name=f"Renamed {n:03d}")
    published: list[DomainEvent] = []
    bus.subscribe(published.append)

    with executed_with_parameters(lambda sql: sql.count("SUM(CASE") >= STATS_COUNTS) as reads:
        again = await run(integration["id"])
        await user.should_see("Renamed 000", retries=100)
        await asyncio.sleep(1.0)  # a second refresh, if any, would have run by now

    async with read_session() as session:
        on_board = (await session.scalars(select(Journey.customer_name).where(
            Journey.location_id == location_id, Journey.journey_date == today,
            Journey.customer_name.like("Renamed %")))).all()
    assert again.updated >= len(on_board) >= 2  # several cards of the board, in one batch
    assert [e.type for e in published if e.type is not EventType.SYNC_PROGRESS] == [
        EventType.JOURNEYS_SYNCED, EventType.SYNC_FINISHED]  # one event for every journey written
    assert _stats_reads(reads, today) == 1  # the board of the renamed day: one re-read
    assert _stats_reads(reads, quiet_day) == 0  # the other board ignored the batch
    for name in on_board:
        await user.should_see(name)
