"""Creating, editing, cancelling and deleting journeys through the domain."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from db.enums import DataSource, JourneyStatus, Phase, StepStatus
from db.models import AuditEntry, Journey, JourneyStep
from domain.events import bus as events
from domain.errors import Forbidden, NotFound, ValidationFailed
from domain.events.bus import EventType
from domain.journeys.edit import JourneyDraft, cancel_journey, create_journey, delete_journey, update_journey
from domain.timewindow import as_utc
from domain.unit_of_work import read_session, unit_of_work
from tests.journey_world import World, make_world


@pytest.fixture
async def world(db: str) -> World:
    return await make_world()


async def _smartmoving_journey(world: World) -> int:
    async with unit_of_work() as s:
        journey = Journey(company_id=world.company_id, location_id=world.home, journey_date=world.today,
                          data_source=DataSource.SMARTMOVING, external_id="opp-1", job_number="100200-1",
                          customer_name="Sam Synced", estimated_value=Decimal("4200"))
        s.add(journey)
        await s.flush()
        return journey.id


async def test_a_new_journey_is_scheduled_with_six_steps_audited_and_announced(world: World) -> None:
    seen: list[events.DomainEvent] = []
    events.bus.subscribe(seen.append)
    journey_id = await world.journey((8, 30), (12, 0), name="  Ada Lovelace ")
    async with read_session() as s:
        journey = await s.get(Journey, journey_id)
        steps = (await s.execute(select(JourneyStep.position, JourneyStep.phase, JourneyStep.status)
                                 .where(JourneyStep.journey_id == journey_id).order_by(JourneyStep.position))).all()
        audit = await s.scalar(select(AuditEntry).where(AuditEntry.entity_id == str(journey_id)))
    assert journey is not None and journey.customer_name == "Ada Lovelace"
    assert (journey.status, journey.progress, journey.current_phase, journey.data_source) == (
        JourneyStatus.SCHEDULED, 0, Phase.CREATION, DataSource.MANUAL)
    assert steps == [(1, Phase.CREATION, StepStatus.IN_PROGRESS)] + [
        (i, p, StepStatus.PENDING) for i, p in enumerate(list(Phase)[1:], start=2)]
    assert audit is not None and audit.action == "journey.create" and audit.user_id == world.users["dispatcher"]
    assert [(e.type, e.journey_id, e.location_id) for e in seen] == [
        (EventType.JOURNEY_CREATED, journey_id, world.home)]


@pytest.mark.parametrize(("changes", "message"), [
    ({"customer_name": " "}, "customer name is required"),
    ({"customer_name": "x" * 201}, "too long"),
    ({"customer_email": "not-an-email"}, "not an email address"),
    ({"customer_phone": "call me"}, "not a phone number"),
    ({"scheduled_start": (12, 0), "scheduled_end": (9, 0)}, "end time must be after the start time"),
    ({"scheduled_start": None, "scheduled_end": (9, 0)}, "an end time needs a start time"),
])
async def test_invalid_drafts_are_refused_and_nothing_is_written(world: World, changes: dict, message: str) -> None:
    fields = {"customer_name": "Jane", **changes}
    for key in ("scheduled_start", "scheduled_end"):
        if fields.get(key):
            fields[key] = world.at(*fields[key])
    with pytest.raises(ValidationFailed, match=message):
        await create_journey(world.principals["dispatcher"],
                             JourneyDraft(location_id=world.home, journey_date=world.today, **fields))
    async with read_session() as s:
        assert await s.scalar(select(func.count()).select_from(Journey)) == 0


async def test_times_must_lie_on_the_journey_date_and_last_at_most_a_day(world: World) -> None:
    p = world.principals["dispatcher"]
    tomorrow = world.today + timedelta(days=1)
    with pytest.raises(ValidationFailed, match="start time must be on the journey date"):
        await create_journey(p, JourneyDraft(world.home, world.today, "Jane",
                                             scheduled_start=world.at(9, day=tomorrow)))
    with pytest.raises(ValidationFailed, match="at most 24 hours"):
        await create_journey(p, JourneyDraft(world.home, world.today, "Jane", scheduled_start=world.at(9),
                                             scheduled_end=world.at(10, day=tomorrow)))
    with pytest.raises(ValidationFailed, match="journey date must be within"):
        await create_journey(p, JourneyDraft(world.home, world.today + timedelta(days=5000), "Jane"))


async def test_naive_times_are_the_locations_wall_clock(world: World) -> None:
    naive = world.at(9).replace(tzinfo=None)
    journey_id = await create_journey(world.principals["dispatcher"],
                                      JourneyDraft(world.home, world.today, "Jane", scheduled_start=naive))
    async with read_session() as s:
        stored = await s.scalar(select(Journey.scheduled_start).where(Journey.id == journey_id))
    assert as_utc(stored) == world.at(9)


async def test_only_financial_roles_set_estimated_values(world: World) -> None:
    with pytest.raises(Forbidden, match="estimated values"):
        await create_journey(world.principals["dispatcher"],
                             JourneyDraft(world.home, world.today, "Jane", estimated_value=Decimal("100")))
    journey_id = await create_journey(world.principals["manager"],
                                      JourneyDraft(world.home, world.today, "Jane", estimated_value=Decimal("1500.5")))
    with pytest.raises(Forbidden):  # not even to erase one
        await update_journey(world.principals["dispatcher"], journey_id, {"estimated_value": None})
    async with read_session() as s:
        assert await s.scalar(select(Journey.estimated_value).where(Journey.id == journey_id)) == Decimal("1500.50")


async def test_creating_needs_the_permission_and_a_location_in_scope(world: World) -> None:
    with pytest.raises(Forbidden):
        await create_journey(world.principals["auditor"], JourneyDraft(world.home, world.today, "Jane"))
    with pytest.raises(Forbidden):
        await create_journey(world.principals["driver"], JourneyDraft(world.home, world.today, "Jane"))
    with pytest.raises(NotFound):
        await create_journey(world.principals["dispatcher"], JourneyDraft(world.away, world.today, "Jane"))


async def test_editing_a_manual_journey(world: World) -> None:
    journey_id = await world.journey()
    seen: list[events.DomainEvent] = []
    events.bus.subscribe(seen.append)
    await update_journey(world.principals["dispatcher"], journey_id,
                         {"customer_name": "New Name", "notes": "Piano on 3rd floor", "origin_address": "1 King St"})
    async with read_session() as s:
        journey = await s.get(Journey, journey_id)
        audit = await s.scalar(select(AuditEntry).where(AuditEntry.action == "journey.update"))
    assert journey is not None and (journey.customer_name, journey.notes) == ("New Name", "Piano on 3rd floor")
    assert audit is not None
    assert audit.old_values == {"customer_name": "Jane Doe", "notes": None, "origin_address": None}
    assert [e.type for e in seen] == [EventType.JOURNEY_CHANGED]
    with pytest.raises(ValidationFailed, match="cannot be set: status"):
        await update_journey(world.principals["dispatcher"], journey_id, {"status": "COMPLETED"})


async def test_a_smartmoving_journey_keeps_its_customer_fields(world: World) -> None:
    journey_id = await _smartmoving_journey(world)
    p = world.principals["dispatcher"]
    with pytest.raises(ValidationFailed, match="comes from SmartMoving") as refused:
        await update_journey(p, journey_id, {"customer_name": "Someone Else", "notes": "ok"})
    assert refused.value.status_code == 422 and refused.value.details["fields"] == ["customer_name"]
    # Sending the current values (as a form does) is fine; internal fields change.
    await update_journey(p, journey_id, {"customer_name": "Sam Synced", "notes": "gate code 1234",
                                         "scheduled_start": world.at(7), "scheduled_end": world.at(11)})
    async with read_session() as s:
        journey = await s.get(Journey, journey_id)
    assert journey is not None and journey.notes == "gate code 1234" and journey.customer_name == "Sam Synced"
    with pytest.raises(ValidationFailed, match="cancel the job in SmartMoving"):
        await cancel_journey(p, journey_id)
    with pytest.raises(ValidationFailed, match="cannot be deleted"):
        await delete_journey(world.principals["admin"], journey_id)


async def test_cancel_then_no_more_edits(world: World) -> None:
    journey_id = await world.journey()
    p = world.principals["dispatcher"]
    await cancel_journey(p, journey_id, "customer moved the date")
    with pytest.raises(ValidationFailed, match="is cancelled: you can no longer edit it") as refused:
        await update_journey(p, journey_id, {"notes": "x"})
    assert f"#{journey_id}" not in refused.value.message  # named by its customer, not its id
    with pytest.raises(ValidationFailed, match="you can no longer cancel it"):
        await cancel_journey(p, journey_id)
    async with read_session() as s:
        assert await s.scalar(select(Journey.status).where(Journey.id == journey_id)) is JourneyStatus.CANCELLED


async def test_only_admins_hard_delete_and_the_audit_entry_stays(world: World) -> None:
    journey_id = await world.journey()
    for who in ("dispatcher", "manager", "auditor"):
        with pytest.raises(Forbidden):
            await delete_journey(world.principals[who], journey_id)
    await delete_journey(world.principals["admin"], journey_id)
    async with read_session() as s:
        assert await s.get(Journey, journey_id) is None
        assert await s.scalar(select(func.count()).select_from(JourneyStep)) == 0
        deleted = await s.scalar(select(AuditEntry).where(AuditEntry.action == "journey.delete"))
    assert deleted is not None and deleted.old_values["customer_name"] == "Jane Doe"
