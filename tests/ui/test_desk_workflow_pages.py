"""The desk's side of the workflow: the approval queue and the admin's checklist editor."""

from __future__ import annotations

import pytest
from nicegui import ui
from nicegui.testing import User

from db.enums import ItemKind, Phase, StepStatus
from domain.events.bus import DomainEvent, EventType, bus
from domain.workflow import template as phase_template
from domain.workflow import approvals
from domain.workflow import phases as workflow
from pages.workflow.approvals import changes_queue
from tests.helpers import sign_in
from tests.journey_factory import PASSWORD, World, make_world, password_hash, through
from tests.ui_support import live_updates_done, step_status

pytestmark = pytest.mark.postgres_only


@pytest.fixture
async def world(db: str) -> World:
    return await make_world(hashed=password_hash())


async def test_a_manager_approves_from_the_queue(world: World, user: User) -> None:
    await through(world, Phase.PICKUP)
    await sign_in(user, world["manager"].email, PASSWORD)
    await user.open("/approvals")
    await user.should_see("Ada Lovelace · Pickup")
    await user.should_see("Ada Lovelace · Job setup")
    user.find(marker=f"review-{world.journey_id}-PICKUP").click()
    await user.should_see("Customer identity verified", retries=30)
    user.find(marker=f"approve-{world.journey_id}-PICKUP").click()
    await user.should_see("Pickup of Ada Lovelace approved", retries=30)
    await user.should_not_see("Ada Lovelace · Pickup")
    assert await step_status(world.journey_id, Phase.PICKUP) is StepStatus.APPROVED


async def test_a_dispatcher_sends_a_phase_back_with_a_reason(world: World, user: User) -> None:
    await through(world, Phase.MORNING_PREP)
    await sign_in(user, world["dispatcher"].email, PASSWORD)
    await user.open("/approvals")
    user.find(marker=f"reject-{world.journey_id}-MORNING_PREP").click()
    user.find(marker="confirm-reject").click()
    await user.should_see("say why the phase is rejected", retries=30)
    user.find(marker="reject-reason").type("Fuel reading looks wrong")
    user.find(marker="confirm-reject").click()
    await user.should_see("Morning prep sent back to the crew", retries=30)
    assert await step_status(world.journey_id, Phase.MORNING_PREP) is StepStatus.IN_PROGRESS
    view = await workflow.journey_workflow(world["driver"], world.journey_id)
    assert view.current.rejection_reason == "Fuel reading looks wrong"


async def test_the_queue_fills_live_and_stays_in_scope(world: World, user: User) -> None:
    await sign_in(user, world["manager"].email, PASSWORD)
    await user.open("/approvals")
    await user.should_see("Nothing is waiting for approval.")
    await through(world, Phase.MORNING_PREP)
    await user.should_see("Ada Lovelace · Morning prep", retries=30)


async def test_a_live_update_that_changes_nothing_leaves_the_queue_as_drawn(world: World, user: User) -> None:
    await through(world, Phase.MORNING_PREP)
    await sign_in(user, world["manager"].email, PASSWORD)
    await user.open("/approvals")
    await user.should_see("Ada Lovelace · Morning prep")
    [approve] = user.find(marker=f"approve-{world.journey_id}-MORNING_PREP").elements
    await bus.publish(DomainEvent(EventType.JOURNEY_CHANGED, world.company_id, world.location_id, world.journey_id,
                                  data={"fields": ["scheduled_start"]}))  # may change the queue; changed nothing
    await live_updates_done()
    assert not approve.is_deleted  # not redrawn
    await workflow.approve_phase(world["dispatcher"], world.journey_id, Phase.MORNING_PREP)  # one it shows
    await user.should_not_see("Ada Lovelace · Morning prep", retries=30)


async def test_a_manager_of_another_branch_sees_nothing(world: World, user: User) -> None:
    await through(world, Phase.MORNING_PREP)
    await sign_in(user, world["outsider_manager"].email, PASSWORD)
    await user.open("/approvals")
    await user.should_see("Nothing is waiting for approval.")


async def test_crew_and_auditors_are_refused_the_desk_pages(world: World, user: User) -> None:
    await sign_in(user, world["driver"].email, PASSWORD)
    for path in ("/approvals", "/admin/workflow"):
        await user.open(path)
        await user.should_see("You don't have access to this page.")


async def test_an_admin_edits_the_checklist(world: World, user: User) -> None:
    await sign_in(user, world["admin"].email, PASSWORD)
    await user.open("/admin/workflow")
    await user.should_see("Workflow checklist")
    switch = user.find(marker="required-PICKUP-condition_photos").elements.pop()
    assert isinstance(switch, ui.switch) and switch.value is True
    switch.value = False
    await user.should_see("Condition photos: optional", retries=30)

    async def condition_photos_required() -> bool:
        template = await phase_template.company_template(world["admin"])
        return next(s for s in template[Phase.PICKUP] if s.key == "condition_photos").required

    assert await condition_photos_required() is False
    user.find(marker="new-label-DELIVERY").type("Floor protection removed")
    user.find(marker="add-DELIVERY").click()
    await user.should_see("Added “Floor protection removed” to Delivery", retries=30)
    template = await phase_template.company_template(world["admin"])
    added = template[Phase.DELIVERY][-1]
    assert (added.key, added.kind, added.required) == ("floor_protection_removed", ItemKind.CHECK, True)
    user.find(marker="add-TRANSPORT").click()
    await user.should_see("label: 1 to 200 characters", retries=30)


async def test_a_dispatcher_hands_a_journey_over_to_its_crew(world: World, user: User) -> None:
    await sign_in(user, world["dispatcher"].email, PASSWORD)
    await user.open("/approvals")
    await user.should_see("Nothing is waiting for approval.")
    user.find(marker=f"hand-over-{world.journey_id}").click()
    await user.should_see("Ada Lovelace: handed over to the crew", retries=30)
    await user.should_see("No journey is waiting for its job setup.")
    await user.should_see("Ada Lovelace · Job setup")
    assert await step_status(world.journey_id, Phase.CREATION) is StepStatus.COMPLETED
    assert await step_status(world.journey_id, Phase.MORNING_PREP) is StepStatus.IN_PROGRESS


def test_the_queues_ignore_events_that_cannot_change_them() -> None:
    def changed(**data: object) -> DomainEvent:
        return DomainEvent(EventType.JOURNEY_CHANGED, 1, 2, 3, data=data)

    assert not changes_queue(changed(fields=["notes"]))
    assert not changes_queue(DomainEvent(EventType.SYNC_PROGRESS, 1, data={"processed": 40}))
    assert changes_queue(changed(fields=["notes", "scheduled_start"]))
    assert changes_queue(changed(source="SMARTMOVING", external_id="x"))  # a sync's change: any field
    assert changes_queue(DomainEvent(EventType.PHASE_COMPLETED, 1, 2, 3, data={"phase": "PICKUP"}))
async def test_the_queue_filters_by_phase_branch_and_day(world: World, user: User) -> None:
    await through(world, Phase.PICKUP)
    await sign_in(user, world["manager"].email, PASSWORD)
    await user.open("/approvals")
    await user.should_see("Ada Lovelace · Pickup")
    phase = user.find(marker="queue-phase").elements.pop()
    assert isinstance(phase, ui.select) and "Morning prep" in phase.options.values()  # type: ignore[union-attr]
    phase.value = Phase.PICKUP.value
    await user.should_not_see("Ada Lovelace · Morning prep", retries=30)
    await user.should_see("Ada Lovelace · Pickup")
    await user.should_see("Phases waiting for approval (1)")
    day = user.find(marker="queue-day").elements.pop()
    assert isinstance(day, ui.input)
    day.value = "2001-01-01"
    await user.should_see("Nothing is waiting for approval.", retries=30)
    day.value = ""
    await user.should_see("Ada Lovelace · Pickup", retries=30)
    branch = user.find(marker="queue-branch").elements.pop()
    assert isinstance(branch, ui.select) and world.location_id in branch.options  # type: ignore[operator]
    branch.value = world.location_id
    await user.should_see("Ada Lovelace · Pickup", retries=30)


async def test_several_phases_are_approved_together_and_a_refusal_is_named(world: World, user: User) -> None:
    await through(world, Phase.PICKUP)
    await sign_in(user, world["manager"].email, PASSWORD)
    await user.open("/approvals")
    await user.should_see("Phases waiting for approval (3)")
    user.find(marker="select-page").click()
    await user.should_see("Approve selected (3)", retries=30)
    # meanwhile a dispatcher approves one of them: that one is refused, the others go through
    await workflow.approve_phase(world["dispatcher"], world.journey_id, Phase.MORNING_PREP)
    user.find(marker="approve-selected").click()
    await user.should_see("2 approved", retries=30)
    await user.should_see("Not approved — Ada Lovelace · Morning prep", retries=30)
    await user.should_see("Nothing is waiting for approval.", retries=30)
    for done in (Phase.CREATION, Phase.MORNING_PREP, Phase.PICKUP):
        assert await step_status(world.journey_id, done) is StepStatus.APPROVED


async def test_the_queue_is_paged(world: World, user: User) -> None:
    await through(world, Phase.PICKUP)
    page = await approvals.approval_queue(world["manager"], page=1, page_size=2)
    assert (page.total, page.pages, len(page.items)) == (3, 2, 2)
    last = await approvals.approval_queue(world["manager"], page=2, page_size=2)
    assert [r.phase for r in last.items] == [Phase.PICKUP]
    await sign_in(user, world["manager"].email, PASSWORD)
    await user.open("/approvals?page_size=2")
    await user.should_see("1–2 of 3")
    await user.should_not_see("Ada Lovelace · Pickup")
    pager = user.find(marker="queue-pages").elements.pop()
    assert isinstance(pager, ui.pagination)
    pager.value = 2
    await user.should_see("3–3 of 3", retries=30)
    await user.should_see("Ada Lovelace · Pickup")


async def test_the_queue_opens_filtered_from_its_address(world: World, user: User) -> None:
    await through(world, Phase.PICKUP)
    await sign_in(user, world["manager"].email, PASSWORD)
    await user.open(f"/approvals?location={world.location_id}&phase=PICKUP")
    await user.should_see("Phases waiting for approval (1)")
    await user.should_see("Ada Lovelace · Pickup")
    phase = user.find(marker="queue-phase").elements.pop()
    assert isinstance(phase, ui.select) and phase.value == "PICKUP"
