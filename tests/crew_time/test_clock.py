"""Clocking from the crew phone's API and domain: the whole crew with one tap, a mover clocking
themself, the phone's time bounded against the server's (skew audited), one write per client key
however often it is delivered, the day's order, and the approved day's lock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from httpx import AsyncClient
from nicegui.testing import User
from sqlalchemy import select

from db.enums import ClockKind, JourneyStatus
from db.models import AuditEntry, ClockEvent, Journey
from domain.crew_time.board import journey_clock
from domain.crew_time.clock import tap_time
from domain.workflow.stamps import MAX_ACTION_AGE
from domain.crew_time.review import approve_day
from domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from domain.timewindow import today_in
from domain.unit_of_work import read_session, unit_of_work
from tests.api.test_mobile_api import auth
from tests.crew_time.helpers import local, tap
from tests.helpers import count
from tests.journey_factory import TZ, World, make_world

pytestmark = pytest.mark.postgres_only

POSITION = {"lat": 43.6535, "lng": -79.3830, "accuracy_m": 12.5}


@pytest.fixture
async def world(db: str) -> World:
    return await make_world()


async def _events(journey_id: int) -> list[ClockEvent]:
    async with read_session() as session:
        return list((await session.scalars(select(ClockEvent).where(ClockEvent.journey_id == journey_id)
                                           .order_by(ClockEvent.user_id, ClockEvent.at))).all())


async def _audits(action: str) -> list[AuditEntry]:
    async with read_session() as session:
        return list((await session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                                           .order_by(AuditEntry.id))).all())


async def test_the_driver_clocks_the_whole_crew_with_one_tap(world: World) -> None:
    day = today_in(TZ)
    made = local(day, "07:02")
    result = await tap(world, "driver", ClockKind.START_OF_DAY, made, whole_crew=True, key="tap-0001-start",
                       position=POSITION)
    assert {p.name for p in result.clocked} == {"Driver", "Mover"} and result.skipped == ()
    assert result.at == made and result.skew_seconds == 2.0 and not result.replayed
    rows = await _events(world.journey_id)
    assert [(r.user_id, r.kind, r.client_key) for r in rows] == [
        (world["driver"].user_id, ClockKind.START_OF_DAY, "tap-0001-start"),
        (world["mover"].user_id, ClockKind.START_OF_DAY, "tap-0001-start")]
    assert all(r.lat == 43.6535 and r.lng == -79.3830 and r.accuracy_m == 12.5 for r in rows)
    assert all(r.recorded_by_id == world["driver"].user_id for r in rows)
    (entry,) = await _audits("clock")
    assert entry.entity == "journey" and entry.entity_id == str(world.journey_id)
    assert entry.new_values is not None and entry.new_values["skew_seconds"] == 2.0
    assert entry.new_values["clocked"] == [world["driver"].user_id, world["mover"].user_id]
    # the mover's phone now expects the next milestone, and lists both events in the branch's time
    board = await journey_clock(world["mover"], world.journey_id)
    assert board.next_kind is ClockKind.ARRIVED_PICKUP and not board.leads
    assert [(f"{line.at:%H:%M}", line.label, line.name) for line in board.lines] == [
        ("07:02", "Start of day", "Driver"), ("07:02", "Start of day", "Mover")]


async def test_a_mover_clocks_only_themself(world: World) -> None:
    day = today_in(TZ)
    await tap(world, "driver", ClockKind.START_OF_DAY, local(day, "07:00"), whole_crew=True)
    with pytest.raises(Forbidden, match="driver or the foreman"):
        await tap(world, "mover", ClockKind.BREAK_START, local(day, "10:00"), whole_crew=True)
    result = await tap(world, "mover", ClockKind.BREAK_START, local(day, "10:00"))
    assert [p.name for p in result.clocked] == ["Mover"]
    # a whole-crew tap skips the mover on a break, with the reason, and clocks the driver
    crew_tap = await tap(world, "driver", ClockKind.ARRIVED_PICKUP, local(day, "10:05"), whole_crew=True)
    assert [p.name for p in crew_tap.clocked] == ["Driver"]
    assert [(p.name, p.reason) for p in crew_tap.skipped] == [("Mover", "end the break first")]
    with pytest.raises(Conflict, match="already started"):
        await tap(world, "mover", ClockKind.START_OF_DAY, local(day, "10:10"))
    with pytest.raises(NotFound):  # not on this journey's crew
        await tap(world, "other_driver", ClockKind.START_OF_DAY, local(day, "07:00"))
    with pytest.raises(Forbidden):  # the desk does not clock from the phone's API
        await tap(world, "manager", ClockKind.START_OF_DAY, local(day, "07:00"))
    assert await count(ClockEvent) == 4


async def test_nothing_is_clocked_on_a_cancelled_journey_or_out_of_order(world: World) -> None:
    day = today_in(TZ)
    with pytest.raises(Conflict, match="start the day first"):
        await tap(world, "driver", ClockKind.END_OF_DAY, local(day, "17:00"), whole_crew=True)
    async with unit_of_work() as session:
        journey = await session.get(Journey, world.journey_id)
        assert journey is not None
        journey.status = JourneyStatus.CANCELLED
    with pytest.raises(Conflict, match="cancelled"):
        await tap(world, "driver", ClockKind.START_OF_DAY, local(day, "07:00"))
    board = await journey_clock(world["driver"], world.journey_id)
    assert board.cancelled and board.next_kind is None and board.other_kinds == ()
    with pytest.raises(ValidationFailed, match="Kind must be one of"):
        await tap(world, "driver", "LUNCH", local(day, "07:00"))  # type: ignore[arg-type]
    assert await count(ClockEvent) == 0


def test_the_phones_time_is_bounded_by_the_servers() -> None:
    server = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    assert tap_time(None, server) == (server, None)
    assert tap_time(server - timedelta(minutes=5), server) == (server - timedelta(minutes=5), 300.0)
    # a phone whose clock runs ahead: never in the future
    assert tap_time(server + timedelta(minutes=3), server) == (server, -180.0)
    # an outbox that delivers two days late: no further back than MAX_ACTION_AGE
    assert tap_time(server - timedelta(days=2), server) == (server - MAX_ACTION_AGE, 172800.0)


async def test_a_client_key_delivered_again_writes_once(world: World) -> None:
    day = today_in(TZ)
    made = local(day, "07:00")
    first = await tap(world, "driver", ClockKind.START_OF_DAY, made, whole_crew=True, key="outbox-key-42")
    again = await tap(world, "driver", ClockKind.START_OF_DAY, made, whole_crew=True, key="outbox-key-42",
                      delivered_after=600)
    assert again.replayed and [p.event_id for p in again.clocked] == [p.event_id for p in first.clocked]
    assert again.skew_seconds == first.skew_seconds == 2.0
    assert await count(ClockEvent) == 2 and len(await _audits("clock")) == 1
    # two deliveries of a new key at the same moment: one writes, the other gets its result
    made = local(day, "08:00")
    both = await asyncio.gather(*(tap(world, "driver", ClockKind.ARRIVED_PICKUP, made, whole_crew=True,
                                      key="outbox-key-43") for _ in range(2)))
    assert sorted(r.replayed for r in both) == [False, True]
    assert await count(ClockEvent) == 4 and len(await _audits("clock")) == 2
    with pytest.raises(Conflict, match="already used"):
        await tap(world, "driver", ClockKind.BREAK_START, made, key="outbox-key-43")


async def test_an_approved_day_is_locked_against_clocking(world: World) -> None:
    day = today_in(TZ)
    await tap(world, "driver", ClockKind.START_OF_DAY, local(day, "07:00"), whole_crew=True)
    async with read_session() as session:
        journey_date = (await session.get(Journey, world.journey_id)).journey_date  # type: ignore[union-attr]
    await approve_day(world["manager"], {"user_id": world["mover"].user_id, "work_date": journey_date})
    result = await tap(world, "driver", ClockKind.END_OF_DAY, local(day, "16:00"), whole_crew=True)
    assert [p.name for p in result.clocked] == ["Driver"]
    assert "approved" in (result.skipped[0].reason or "")
    with pytest.raises(Conflict, match="approved"):
        await tap(world, "mover", ClockKind.END_OF_DAY, local(day, "16:00"))
    board = await journey_clock(world["mover"], world.journey_id)
    assert board.approved and board.next_kind is None


async def test_the_api_replays_a_key_with_its_original_answer(world: World, user: User) -> None:
    client: AsyncClient = user.http_client
    url = f"/api/mobile/journey/{world.journey_id}/clock"
    body = {"kind": "START_OF_DAY", "whole_crew": True, "client_key": "api-key-0001",
            "made_at": (datetime.now(UTC) - timedelta(minutes=10)).isoformat(), "position": None}
    first = await client.post(url, json=body, headers=auth(world["driver"]))
    assert first.status_code == 201, first.text
    again = await client.post(url, json=body, headers=auth(world["driver"]))
    assert again.status_code == 200 and again.json()["data"]["replayed"] is True
    assert again.json()["data"]["clocked"] == first.json()["data"]["clocked"]
    assert await count(ClockEvent) == 2
    read = await client.get(url, headers=auth(world["mover"]))
    assert read.status_code == 200 and read.json()["data"]["next_label"] == "Arrived at pickup"
    bad = await client.post(url, json={**body, "client_key": "x", "position": {"lat": 91, "lng": 0}},
                            headers=auth(world["driver"]))
    assert bad.status_code == 422 and bad.json()["success"] is False
    assert "Latitude must be between -90 and 90" in bad.json()["message"]
    other = await client.post(url, json={**body, "client_key": "api-key-0002"}, headers=auth(world["other_driver"]))
    assert other.status_code == 404


async def test_a_key_another_phone_used_for_the_same_person_is_a_conflict(world: World) -> None:
    day = today_in(TZ)
    await tap(world, "driver", ClockKind.START_OF_DAY, local(day, "07:00"), key="driver-key-1")
    await tap(world, "mover", ClockKind.START_OF_DAY, local(day, "07:00"), key="shared-key-7")
    with pytest.raises(Conflict, match="already used"):  # the driver's tap would store the mover's key again
        await tap(world, "driver", ClockKind.ARRIVED_PICKUP, local(day, "08:00"), whole_crew=True,
                  key="shared-key-7")
    assert await count(ClockEvent) == 2


async def test_a_journey_of_another_day_is_not_clocked_on(world: World) -> None:
    day = today_in(TZ)
    with pytest.raises(Conflict, match="clock on that day's journey"):
        await tap(world, "driver", ClockKind.START_OF_DAY, local(day + timedelta(days=3), "07:00"), whole_crew=True)
    # the evening before and the night after still count (a night job, an early start)
    await tap(world, "driver", ClockKind.START_OF_DAY, local(day - timedelta(days=1), "22:00"), whole_crew=True)
    await tap(world, "driver", ClockKind.END_OF_DAY, local(day + timedelta(days=1), "01:30"), whole_crew=True)
    assert await count(ClockEvent) == 4
