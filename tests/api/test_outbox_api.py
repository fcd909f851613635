"""The phone's outbox over HTTP (the app's ASGI stack, real PostgreSQL): each action applied once,
at the phone's time within bounds, with the skew in the audit entry; refusals in words."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from nicegui.testing import User
from sqlalchemy import delete, func, select, update

from db.enums import Phase
from db.models import AuditEntry, ClientAction, CrewAssignment, JourneyStep, StepActivity
from domain.access.rbac import Principal
from domain.access.tokens import issue_token
from domain.journeys.edit import cancel_journey
from domain.unit_of_work import read_session, unit_of_work
from domain.workflow import phases as workflow
from domain.workflow.stamps import MAX_ACTION_AGE
from tests.journey_factory import CREATION_ITEMS, World, jpeg_bytes, make_world

pytestmark = pytest.mark.postgres_only


def auth(principal: Principal) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(principal)[0]}"}


@pytest.fixture
async def world(db: str) -> World:
    journey = await make_world()
    await workflow.complete_phase(journey["dispatcher"], journey.journey_id, Phase.CREATION, CREATION_ITEMS)
    return journey


@pytest.fixture
def client(world: World, user: User) -> AsyncClient:
    return user.http_client


def action(kind: str, phase: str = "MORNING_PREP", *, made_at: datetime | None = None, **rest: Any) -> dict:
    return {"key": str(uuid.uuid4()), "kind": kind, "phase": phase,
            "made_at": (made_at or datetime.now(UTC)).isoformat(), **rest}


async def send(client: AsyncClient, world: World, body: dict, who: str = "driver") -> tuple[int, dict]:
    response = await client.post(f"/api/mobile/journey/{world.journey_id}/actions", json=body,
                                 headers=auth(world[who]))
    return response.status_code, response.json()


async def counts() -> tuple[int, int, int]:
    async with read_session() as session:
        return (await session.scalar(select(func.count()).select_from(StepActivity)) or 0,
                await session.scalar(select(func.count()).select_from(ClientAction)) or 0,
                await session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


async def audit_of(key: str) -> dict:
    async with read_session() as session:
        entries = (await session.scalars(select(AuditEntry).order_by(AuditEntry.id))).all()
    found = [e.new_values for e in entries if (e.new_values or {}).get("client_key") == key]
    assert found, f"no audit entry names {key}"
    return found[-1] or {}


async def test_a_replayed_key_returns_the_first_answer_and_writes_nothing(world: World, client: AsyncClient) -> None:
    tick = action("item.record", item_key="lights_ok", value=True)
    status, first = await send(client, world, tick)
    assert status == 200 and first["data"]["replayed"] is False, first
    recorded = first["data"]["result"]
    assert recorded["item_key"] == "lights_ok" and recorded["data"] == {"value": True}
    before = await counts()
    for _ in range(2):
        status, again = await send(client, world, tick)
        assert status == 200 and again["data"] == {**first["data"], "replayed": True}
        assert again["message"] == "already recorded"
    assert await counts() == before
    async with read_session() as session:
        stored = await session.scalar(select(StepActivity).where(StepActivity.id == recorded["id"]))
    assert stored is not None and stored.client_key == tick["key"]


async def test_concurrent_deliveries_of_one_key_write_once(world: World, client: AsyncClient) -> None:
    tick = action("item.record", item_key="brakes_ok", value=True)
    before = await counts()
    answers = await asyncio.gather(*(send(client, world, tick) for _ in range(4)))
    assert {status for status, _ in answers} == {200}
    assert sorted(body["data"]["replayed"] for _, body in answers) == [False, True, True, True]
    assert len({body["data"]["result"]["id"] for _, body in answers}) == 1
    activities, ledger, _audits = await counts()
    assert (activities, ledger) == (before[0] + 1, before[1] + 1)


async def test_a_phase_start_and_complete_replay_after_the_journey_moved_on(world: World, client: AsyncClient) -> None:
    complete = action("phase.complete", item_key=None)
    status, refused = await send(client, world, complete)
    assert status == 422 and "still missing" in refused["message"]
    async with read_session() as session:
        assert await session.scalar(select(func.count()).select_from(ClientAction)) == 0  # refusals keep no key
    for key, value in (("fuel_level", 80), ("tires", "good"), ("lights_ok", True), ("brakes_ok", True),
                       ("equipment_loaded", True)):
        assert (await send(client, world, action("item.record", item_key=key, value=value)))[0] == 200
    photo = await client.post(f"/api/mobile/journey/{world.journey_id}/media", headers=auth(world["driver"]),
                              files={"file": ("p.jpg", jpeg_bytes(), "image/jpeg")}, data={"kind": "PHOTO"})
    media_id = photo.json()["data"]["id"]
    assert (await send(client, world, action("item.record", item_key="vehicle_photo", media_id=media_id)))[0] == 200
    status, done = await send(client, world, complete)
    assert status == 200 and done["data"]["result"]["current_phase"] == "PICKUP"
    status, again = await send(client, world, complete)  # the answer was lost: the phone sends it again
    assert status == 200 and again["data"]["replayed"] is True and again["data"]["result"] == done["data"]["result"]


async def test_the_phone_time_is_kept_within_bounds_and_the_skew_audited(world: World, client: AsyncClient) -> None:
    made = datetime.now(UTC)
    tick = action("item.record", item_key="lights_ok", value=True, made_at=made)
    status, body = await send(client, world, tick)
    assert status == 200 and datetime.fromisoformat(body["data"]["result"]["created_at"]) == made
    facts = await audit_of(tick["key"])
    assert facts["time_moved"] is False and facts["clock_ahead"] is False and 0 <= facts["skew_seconds"] < 60

    ahead = action("item.record", item_key="brakes_ok", value=True, made_at=datetime.now(UTC) + timedelta(hours=1))
    status, body = await send(client, world, ahead)
    recorded = datetime.fromisoformat(body["data"]["result"]["created_at"])
    assert status == 200 and recorded <= datetime.now(UTC)
    facts = await audit_of(ahead["key"])
    assert facts["time_moved"] is True and facts["clock_ahead"] is True and facts["skew_seconds"] < -3500

    async with read_session() as session:
        started = await session.scalar(select(JourneyStep.started_at).where(
            JourneyStep.journey_id == world.journey_id, JourneyStep.phase == Phase.MORNING_PREP))
    assert started is not None
    early = action("item.record", item_key="fuel_level", value=50, made_at=started - timedelta(minutes=30))
    status, body = await send(client, world, early)
    assert status == 200 and datetime.fromisoformat(body["data"]["result"]["created_at"]) == started
    assert (await audit_of(early["key"]))["time_moved"] is True


async def test_an_action_older_than_the_bound_is_recorded_at_the_bound(world: World, client: AsyncClient) -> None:
    long_ago = datetime.now(UTC) - timedelta(days=3)
    async with unit_of_work() as session:  # the phase started three days ago (a journey left open)
        await session.execute(update(JourneyStep).where(JourneyStep.journey_id == world.journey_id).values(
            started_at=long_ago, completed_at=None).where(JourneyStep.phase == Phase.MORNING_PREP))
        await session.execute(update(JourneyStep).where(JourneyStep.journey_id == world.journey_id,
                                                        JourneyStep.phase == Phase.CREATION).values(
            completed_at=long_ago))
    sent = datetime.now(UTC)
    old = action("item.record", item_key="tires", value="good", made_at=long_ago + timedelta(hours=1))
    status, body = await send(client, world, old)
    recorded = datetime.fromisoformat(body["data"]["result"]["created_at"])
    assert status == 200 and sent - MAX_ACTION_AGE <= recorded <= datetime.now(UTC) - MAX_ACTION_AGE
    facts = await audit_of(old["key"])
    assert facts["time_moved"] is True and facts["skew_seconds"] > 47 * 3600


async def test_refusals_say_why_and_write_nothing(world: World, client: AsyncClient) -> None:
    # the dispatcher rejected the job setup meanwhile: the phone's tick on morning prep is refused
    await workflow.reject_phase(world["manager"], world.journey_id, Phase.CREATION, "Wrong truck")
    before = await counts()
    status, body = await send(client, world, action("item.record", item_key="lights_ok", value=True))
    assert status == 409 and body["success"] is False
    assert "Morning prep has not started: finish Job setup first" in body["message"]
    # the journey was given to another crew
    async with unit_of_work() as session:
        await session.execute(delete(CrewAssignment).where(CrewAssignment.journey_id == world.journey_id,
                                                           CrewAssignment.user_id == world["driver"].user_id))
    status, body = await send(client, world, action("phase.start", "PICKUP"))
    assert status == 404 and "no longer one of yours" in body["message"]
    assert await counts() == before
    # the journey was cancelled: the mover (still on the crew) is refused with the reason
    await cancel_journey(world["dispatcher"], world.journey_id, "Customer moved the date")
    before = await counts()
    status, body = await send(client, world, action("item.record", item_key="lights_ok", value=True), who="mover")
    assert status == 409 and "this journey is cancelled" in body["message"]
    assert await counts() == before


async def test_bad_actions_are_clear_422s_and_keys_are_personal(world: World, client: AsyncClient) -> None:
    good = action("item.record", item_key="lights_ok", value=True)
    for bad in ({**good, "key": "not-a-uuid"}, {**good, "kind": "clock.lunch"}, {**good, "phase": "LUNCH"},
                {**good, "made_at": "2026-12-03T10:00:00"}, {**good, "made_at": "yesterday"},
                {**good, "value": 7}):
        status, body = await send(client, world, bad)
        assert status == 422 and body["success"] is False, bad
    assert (await send(client, world, good))[0] == 200
    status, body = await send(client, world, good, who="mover")
    assert status == 409 and "already used" in body["message"]
    for who in ("manager", "other_driver"):
        assert (await send(client, world, action("phase.start", "PICKUP"), who=who))[0] in (403, 404)


async def test_the_outbox_token_is_for_crew_pages(world: World, client: AsyncClient) -> None:
    assert (await client.get("/api/mobile/outbox-token")).status_code == 401
    assert (await client.get("/api/mobile/outbox-token", headers=auth(world["manager"]))).status_code == 403
    response = await client.get("/api/mobile/outbox-token", headers=auth(world["driver"]))
    data = response.json()["data"]
    assert response.status_code == 200 and 0 < data["expires_in"] <= 1800
    tick = action("item.record", item_key="lights_ok", value=True)
    answer = await client.post(f"/api/mobile/journey/{world.journey_id}/actions", json=tick,
                               headers={"Authorization": f"Bearer {data['token']}"})
    assert answer.status_code == 200
