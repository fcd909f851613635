"""The six-phase state machine on PostgreSQL: every transition and every refusal."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from db.enums import ActivityKind, JourneyStatus, Phase, StepStatus
from db.models import AuditEntry, Journey, JourneyStep, Media, StepActivity
from domain.workflow import approvals
from domain.events import bus as events
from domain.workflow import phases as workflow
from domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from domain.events.bus import EventType
from domain.unit_of_work import read_session, unit_of_work
from tests.journey_factory import CREATION_ITEMS, World, fill_phase, jpeg_bytes, make_world, signature_bytes, through

pytestmark = pytest.mark.postgres_only

async def steps(journey_id: int) -> dict[Phase, StepStatus]:
    async with read_session() as session:
        rows = await session.scalars(select(JourneyStep).where(JourneyStep.journey_id == journey_id))
        return {s.phase: s.status for s in rows}


async def journey(journey_id: int) -> Journey:
    async with read_session() as session:
        found = await session.get(Journey, journey_id)
        assert found is not None
        return found


@pytest.fixture
async def world(db: str) -> World:
    return await make_world()


@pytest.fixture
def published() -> list[events.DomainEvent]:
    seen: list[events.DomainEvent] = []
    events.bus.subscribe(seen.append)
    return seen


async def test_dispatch_completes_creation_and_morning_prep_starts(world: World, published: list) -> None:
    result = await workflow.complete_phase(world["dispatcher"], world.journey_id, Phase.CREATION, CREATION_ITEMS)
    assert result.step_status is StepStatus.COMPLETED
    assert (result.journey_status, result.current_phase, result.progress) == (
        JourneyStatus.MORNING_PREP, Phase.MORNING_PREP, 17)
    assert (await steps(world.journey_id))[Phase.MORNING_PREP] is StepStatus.IN_PROGRESS
    types = [e.type for e in published]
    assert types.count(EventType.STEP_RECORDED) == 2
    assert types[-2:] == [EventType.PHASE_COMPLETED, EventType.PHASE_STARTED]
    assert all(e.journey_id == world.journey_id and e.location_id == world.location_id for e in published)
    assert set(published[-1].user_ids) == {world["driver"].user_id, world["mover"].user_id}
    async with read_session() as session:
        actions = (await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))).all()
    assert actions == ["phase.started", "phase.item_recorded", "phase.item_recorded", "phase.completed",
                       "phase.started"]


async def test_creation_needs_truck_and_crew(db: str) -> None:
    world = await make_world(truck=False, crew=())
    with pytest.raises(ValidationFailed) as refused:
        await workflow.complete_phase(world["dispatcher"], world.journey_id, Phase.CREATION, CREATION_ITEMS)
    assert refused.value.details["missing"] == ["Truck assigned", "Crew assigned"]
    assert "Truck assigned, Crew assigned" in refused.value.message
    async with read_session() as session:  # nothing half-written: the items of the refused call are gone
        assert await session.scalar(select(func.count()).select_from(StepActivity)) == 0


async def test_crew_cannot_work_creation_and_dispatch_cannot_work_crew_phases(world: World) -> None:
    with pytest.raises(Forbidden):
        await workflow.complete_phase(world["driver"], world.journey_id, Phase.CREATION, CREATION_ITEMS)
    await workflow.complete_phase(world["dispatcher"], world.journey_id, Phase.CREATION, CREATION_ITEMS)
    with pytest.raises(Forbidden, match="only the crew"):
        await workflow.record_item(world["dispatcher"], world.journey_id, Phase.MORNING_PREP, "lights_ok", True)
    with pytest.raises(Forbidden, match="only the crew"):
        await workflow.record_item(world["manager"], world.journey_id, Phase.MORNING_PREP, "lights_ok", True)


async def test_crew_not_on_the_journey_does_not_even_find_it(world: World) -> None:
    await workflow.complete_phase(world["dispatcher"], world.journey_id, Phase.CREATION, CREATION_ITEMS)
    with pytest.raises(NotFound):
        await workflow.record_item(world["other_driver"], world.journey_id, Phase.MORNING_PREP, "lights_ok", True)
    with pytest.raises(NotFound):
        await workflow.journey_workflow(world["other_driver"], world.journey_id)
    with pytest.raises(NotFound):  # a manager of another branch
        await workflow.complete_phase(world["outsider_manager"], world.journey_id, Phase.MORNING_PREP)


async def test_phases_run_in_order(world: World) -> None:
    with pytest.raises(Conflict, match="finish Job setup first"):
        await workflow.record_item(world["driver"], world.journey_id, Phase.PICKUP, "customer_verified", True)
    await workflow.complete_phase(world["dispatcher"], world.journey_id, Phase.CREATION, CREATION_ITEMS)
    with pytest.raises(Conflict, match="finish Morning prep first"):
        await workflow.start_phase(world["driver"], world.journey_id, Phase.PICKUP)
    with pytest.raises(Conflict, match="finish Morning prep first"):
        await workflow.complete_phase(world["driver"], world.journey_id, Phase.TRANSPORT)
    with pytest.raises(Conflict, match="already started"):
        await workflow.start_phase(world["driver"], world.journey_id, Phase.MORNING_PREP)


async def test_explicit_start_of_the_next_phase(world: World, published: list) -> None:
    result = await workflow.start_phase(world["dispatcher"], world.journey_id, Phase.CREATION)
    assert result.step_status is StepStatus.IN_PROGRESS
    assert result.progress == 0 and result.journey_status is JourneyStatus.SCHEDULED
    assert [e.type for e in published] == [EventType.PHASE_STARTED]


async def test_completion_refused_with_the_missing_item_labels(world: World) -> None:
    await workflow.complete_phase(world["dispatcher"], world.journey_id, Phase.CREATION, CREATION_ITEMS)
    await workflow.record_item(world["mover"], world.journey_id, Phase.MORNING_PREP, "fuel_level", 75)
    await workflow.record_item(world["driver"], world.journey_id, Phase.MORNING_PREP, "lights_ok", True)
    await workflow.record_item(world["driver"], world.journey_id, Phase.MORNING_PREP, "brakes_ok", True)
    await workflow.record_item(world["driver"], world.journey_id, Phase.MORNING_PREP, "brakes_ok", False)
    with pytest.raises(ValidationFailed) as refused:
        await workflow.complete_phase(world["driver"], world.journey_id, Phase.MORNING_PREP)
    # unticking counts: the latest answer for a check decides
    assert refused.value.details["missing"] == ["Tire condition", "Brakes checked", "Equipment and materials loaded",
                                                "Vehicle photo"]
    assert (await steps(world.journey_id))[Phase.MORNING_PREP] is StepStatus.IN_PROGRESS
    view = await workflow.journey_workflow(world["driver"], world.journey_id)
    assert view.current.missing == tuple(refused.value.details["missing"])


async def test_walk_through_all_six_phases_then_approval_audits(world: World) -> None:
    expected = {
        Phase.CREATION: (JourneyStatus.MORNING_PREP, 17),
        Phase.MORNING_PREP: (JourneyStatus.ONSITE, 33),
        Phase.PICKUP: (JourneyStatus.EN_ROUTE, 50),
        Phase.TRANSPORT: (JourneyStatus.ONSITE, 67),
        Phase.DELIVERY: (JourneyStatus.ONSITE, 83),
        Phase.COMPLETION: (JourneyStatus.COMPLETED, 100),
    }
    result = await workflow.complete_phase(world["dispatcher"], world.journey_id, Phase.CREATION, CREATION_ITEMS)
    assert (result.journey_status, result.progress) == expected[Phase.CREATION]
    for phase in list(Phase)[1:]:
        await fill_phase(world, phase, who="mover" if phase is Phase.DELIVERY else "driver")
        result = await workflow.complete_phase(world["driver"], world.journey_id, phase)
        assert (result.journey_status, result.progress) == expected[phase], phase
    done = await journey(world.journey_id)
    assert done.actual_start is not None and done.actual_end is not None
    with pytest.raises(Conflict, match="already completed"):
        await workflow.record_item(world["driver"], world.journey_id, Phase.COMPLETION, "returned_to_base", True)
    approved = await workflow.approve_phase(world["manager"], world.journey_id, Phase.COMPLETION)
    assert (approved.step_status, approved.journey_status, approved.progress) == (
        StepStatus.APPROVED, JourneyStatus.AUDITED, 100)
    with pytest.raises(Conflict, match="already approved"):
        await workflow.approve_phase(world["manager"], world.journey_id, Phase.COMPLETION)
    async with read_session() as session:
        media = (await session.scalars(select(Media))).all()
    assert {m.kind.value for m in media} == {"PHOTO", "SIGNATURE"}


async def test_recording_on_a_completed_phase_is_refused(world: World) -> None:
    await through(world, Phase.MORNING_PREP)
    with pytest.raises(Conflict, match="Morning prep is already completed"):
        await workflow.record_item(world["driver"], world.journey_id, Phase.MORNING_PREP, "fuel_level", 50)
    with pytest.raises(Conflict, match="already completed"):
        await workflow.complete_phase(world["driver"], world.journey_id, Phase.MORNING_PREP)


async def test_only_approver_roles_approve_and_reject(world: World) -> None:
    await through(world, Phase.MORNING_PREP)
    for who in ("driver", "mover", "auditor"):
        with pytest.raises(Forbidden):
            await workflow.approve_phase(world[who], world.journey_id, Phase.MORNING_PREP)
        with pytest.raises(Forbidden):
            await workflow.reject_phase(world[who], world.journey_id, Phase.MORNING_PREP, "no")
    with pytest.raises(NotFound):
        await workflow.approve_phase(world["outsider_manager"], world.journey_id, Phase.MORNING_PREP)
    result = await workflow.approve_phase(world["dispatcher"], world.journey_id, Phase.MORNING_PREP)
    assert result.step_status is StepStatus.APPROVED and result.progress == 33


async def test_approving_a_phase_not_completed_is_refused(world: World) -> None:
    with pytest.raises(Conflict, match="not completed yet"):
        await workflow.approve_phase(world["manager"], world.journey_id, Phase.PICKUP)


async def test_reject_needs_a_reason(world: World) -> None:
    await through(world, Phase.MORNING_PREP)
    for reason in ("", "   ", "x" * 1001):
        with pytest.raises(ValidationFailed, match="say why"):
            await workflow.reject_phase(world["manager"], world.journey_id, Phase.MORNING_PREP, reason)


async def test_reject_sends_the_phase_back_and_the_next_one_to_pending(world: World, published: list) -> None:
    await through(world, Phase.MORNING_PREP)
    await workflow.record_item(world["driver"], world.journey_id, Phase.PICKUP, "customer_verified", True)
    published.clear()
    result = await workflow.reject_phase(world["manager"], world.journey_id, Phase.MORNING_PREP, " Photo is blurry ")
    assert (result.step_status, result.journey_status, result.current_phase, result.progress) == (
        StepStatus.IN_PROGRESS, JourneyStatus.MORNING_PREP, Phase.MORNING_PREP, 17)
    state = await steps(world.journey_id)
    assert state[Phase.PICKUP] is StepStatus.PENDING
    rejected = [e for e in published if e.type is EventType.PHASE_REJECTED]
    assert rejected[0].data["reset"] == ["PICKUP"] and "reason" not in rejected[0].data  # ids, not content
    view = await workflow.journey_workflow(world["driver"], world.journey_id)
    assert view.current.rejection_reason == "Photo is blurry"
    # the PICKUP record is kept and counts again once the crew gets there
    assert view.phase(Phase.PICKUP).items[1].done is True
    with pytest.raises(Conflict, match="finish Morning prep first"):
        await workflow.record_item(world["driver"], world.journey_id, Phase.PICKUP, "loading_done", True)
    await workflow.record_photo(world["driver"], world.journey_id, Phase.MORNING_PREP, "vehicle_photo",
                                jpeg_bytes(colour="navy"))
    again = await workflow.complete_phase(world["driver"], world.journey_id, Phase.MORNING_PREP)
    assert again.progress == 33 and (await steps(world.journey_id))[Phase.PICKUP] is StepStatus.IN_PROGRESS
    view = await workflow.journey_workflow(world["driver"], world.journey_id)
    assert view.phase(Phase.MORNING_PREP).rejection_reason is None


async def test_only_the_latest_completed_phase_can_be_rejected(world: World) -> None:
    await through(world, Phase.PICKUP)
    with pytest.raises(Conflict, match="reject Pickup first"):
        await workflow.reject_phase(world["manager"], world.journey_id, Phase.MORNING_PREP, "redo")
    await workflow.approve_phase(world["manager"], world.journey_id, Phase.PICKUP)
    with pytest.raises(Conflict, match="approved, which is final"):
        await workflow.reject_phase(world["manager"], world.journey_id, Phase.PICKUP, "redo")
    with pytest.raises(Conflict, match="not completed"):
        await workflow.reject_phase(world["manager"], world.journey_id, Phase.TRANSPORT, "redo")


async def test_rejecting_creation_stops_the_crew(world: World) -> None:
    await workflow.complete_phase(world["dispatcher"], world.journey_id, Phase.CREATION, CREATION_ITEMS)
    result = await workflow.reject_phase(world["manager"], world.journey_id, Phase.CREATION, "wrong truck")
    assert result.journey_status is JourneyStatus.SCHEDULED and result.progress == 0
    with pytest.raises(Conflict):
        await workflow.record_item(world["driver"], world.journey_id, Phase.MORNING_PREP, "lights_ok", True)


async def test_cancelled_journey_refuses_everything(world: World) -> None:
    await through(world, Phase.MORNING_PREP)
    async with unit_of_work() as session:
        found = await session.get(Journey, world.journey_id)
        assert found is not None
        found.status = JourneyStatus.CANCELLED
    attempts = [
        workflow.record_item(world["driver"], world.journey_id, Phase.PICKUP, "customer_verified", True),
        workflow.record_photo(world["driver"], world.journey_id, Phase.PICKUP, "condition_photos", jpeg_bytes()),
        workflow.complete_phase(world["driver"], world.journey_id, Phase.PICKUP),
        workflow.start_phase(world["driver"], world.journey_id, Phase.PICKUP),
        workflow.approve_phase(world["manager"], world.journey_id, Phase.MORNING_PREP),
        workflow.reject_phase(world["manager"], world.journey_id, Phase.MORNING_PREP, "no"),
    ]
    for attempt in attempts:
        with pytest.raises(Conflict, match="cancelled"):
            await attempt
    view = await workflow.journey_workflow(world["driver"], world.journey_id)
    assert not view.can_work(Phase.PICKUP)


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ("fuel_level", 101, "between 0 and 100"),
        ("fuel_level", "80", "expected a number"),
        ("fuel_level", True, "expected a number"),
        ("tires", "flat", "choose one of good, worn, replace"),
        ("lights_ok", "yes", "true or false"),
        ("vehicle_photo", None, "needs the id of a photo"),
        ("no_such_item", True, "has no item 'no_such_item'"),
    ],
)
async def test_bad_values_are_refused(world: World, key: str, value: Any, problem: str) -> None:
    await workflow.complete_phase(world["dispatcher"], world.journey_id, Phase.CREATION, CREATION_ITEMS)
    with pytest.raises(ValidationFailed, match=problem):
        await workflow.record_item(world["driver"], world.journey_id, Phase.MORNING_PREP, key, value)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ({"time": "yesterday"}, "ISO 8601"),
        ({"time": "2026-01-01T10:00:00"}, "UTC offset"),
        ({"time": "2001-01-01T10:00:00+00:00"}, "last 7 days"),
        ("now", "expected an object"),
    ],
)
async def test_time_readings_are_checked(world: World, value: Any, problem: str) -> None:
    await through(world, Phase.MORNING_PREP)
    with pytest.raises(ValidationFailed, match=problem):
        await workflow.record_item(world["driver"], world.journey_id, Phase.PICKUP, "arrival_time", value)


async def test_position_readings_are_checked_and_stored_as_gps(world: World) -> None:
    await through(world, Phase.PICKUP)
    for bad in ({"lat": 91, "lng": 0}, {"lat": 10, "lng": -181}, {"lat": "x", "lng": 1}):
        with pytest.raises(ValidationFailed, match="lat must be within"):
            await workflow.record_item(world["driver"], world.journey_id, Phase.TRANSPORT, "position", bad)
    record = await workflow.record_item(world["driver"], world.journey_id, Phase.TRANSPORT, "position",
                                        {"lat": 43.6532, "lng": -79.3832, "accuracy": 12})
    assert record.kind is ActivityKind.GPS and record.data == {"lat": 43.6532, "lng": -79.3832, "accuracy": 12.0}


async def test_text_is_trimmed_and_limited(world: World) -> None:
    await through(world, Phase.MORNING_PREP)
    note = await workflow.record_item(world["driver"], world.journey_id, Phase.PICKUP, "walkthrough_notes",
                                      "  Piano on 3rd floor  ")
    assert note.data == {"value": "Piano on 3rd floor"} and note.kind is ActivityKind.NOTE
    with pytest.raises(ValidationFailed, match="at most 2000"):
        await workflow.record_item(world["driver"], world.journey_id, Phase.PICKUP, "walkthrough_notes", "x" * 2001)


async def test_media_of_another_journey_cannot_be_used(world: World) -> None:
    await through(world, Phase.MORNING_PREP)
    other = await make_world(company_name="Other Movers")
    await workflow.complete_phase(other["dispatcher"], other.journey_id, Phase.CREATION, CREATION_ITEMS)
    photo = await workflow.record_photo(other["driver"], other.journey_id, Phase.MORNING_PREP, "vehicle_photo",
                                        jpeg_bytes())
    with pytest.raises(ValidationFailed, match="uploaded to this journey"):
        await workflow.record_item(world["driver"], world.journey_id, Phase.PICKUP, "condition_photos",
                                   media_id=photo.media_id)


async def test_a_signature_cannot_be_filed_as_a_photo(world: World) -> None:
    await through(world, Phase.MORNING_PREP)
    with pytest.raises(ValidationFailed, match="does not take a signature"):
        await workflow.record_signature(world["driver"], world.journey_id, Phase.PICKUP, "condition_photos",
                                        signature_bytes())


async def test_a_failed_photo_leaves_no_record(world: World) -> None:
    await workflow.complete_phase(world["dispatcher"], world.journey_id, Phase.CREATION, CREATION_ITEMS)
    with pytest.raises(ValidationFailed):
        await workflow.record_photo(world["driver"], world.journey_id, Phase.MORNING_PREP, "vehicle_photo",
                                    b"%PDF-1.7 not a photo")
    async with read_session() as session:
        assert await session.scalar(select(func.count()).select_from(Media)) == 0
        assert await session.scalar(select(func.count()).select_from(StepActivity)) == 2  # CREATION items only


async def test_steps_are_created_for_a_journey_without_them(db: str) -> None:
    world = await make_world(steps=False)
    result = await workflow.complete_phase(world["dispatcher"], world.journey_id, Phase.CREATION, CREATION_ITEMS)
    assert result.progress == 17
    assert len(await steps(world.journey_id)) == 6


async def test_the_view_shows_who_recorded_what(world: World) -> None:
    await workflow.complete_phase(world["dispatcher"], world.journey_id, Phase.CREATION, CREATION_ITEMS)
    await workflow.record_item(world["mover"], world.journey_id, Phase.MORNING_PREP, "tires", "worn")
    view = await workflow.journey_workflow(world["driver"], world.journey_id)
    tires = next(i for i in view.current.items if i.key == "tires")
    assert tires.done and tires.latest is not None
    assert (tires.latest.data, tires.latest.created_by_name) == ({"value": "worn"}, "Mover")
    assert view.viewer_is_crew and view.can_work(Phase.MORNING_PREP) and not view.can_work(Phase.CREATION)
    manager_view = await workflow.journey_workflow(world["manager"], world.journey_id)
    assert not manager_view.viewer_is_crew and manager_view.viewer_can_approve


async def test_dispatch_hands_a_set_up_journey_over_to_its_crew(world: World) -> None:
    ready = await approvals.ready_for_crew(world["dispatcher"])
    assert [(r.journey_id, r.customer_name, r.truck_number) for r in ready] == [
        (world.journey_id, "Ada Lovelace", f"T-{world.company_id}-1")]
    assert await approvals.ready_for_crew(world["outsider_manager"]) == []
    with pytest.raises(Forbidden):
        await approvals.ready_for_crew(world["driver"])
    with pytest.raises(Forbidden):
        await workflow.hand_over(world["driver"], world.journey_id)
    result = await workflow.hand_over(world["dispatcher"], world.journey_id)
    assert (result.phase, result.step_status, result.progress) == (Phase.CREATION, StepStatus.COMPLETED, 17)
    assert await approvals.ready_for_crew(world["dispatcher"]) == []
    assert [(a.journey_id, a.phase) for a in await approvals.awaiting_approval(world["manager"])] == [
        (world.journey_id, Phase.CREATION)]


async def test_a_journey_without_truck_or_crew_is_not_ready(db: str) -> None:
    for world in (await make_world(truck=False), await make_world(crew=(), company_name="No Crew Movers")):
        assert await approvals.ready_for_crew(world["dispatcher"]) == []
        with pytest.raises(ValidationFailed, match=r"Truck assigned|Crew assigned"):
            await workflow.hand_over(world["dispatcher"], world.journey_id)
