"""The inventory's rules on PostgreSQL: codes and their words, the crew writes lines during pickup
and checks during delivery only, limits and bad input refused with nothing half-written, the
exceptions, and DELIVERY refusing to complete while a line is unchecked."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from db.enums import DeliveryCheck, InventorySource, Phase
from db.models import AuditEntry, InventoryItem, Media
from domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from domain.events import bus as events
from domain.inventory import edit
from domain.inventory.conditions import clean_conditions, condition_words
from domain.inventory.views import journey_inventory
from domain.unit_of_work import read_session, unit_of_work
from domain.workflow import phases as workflow
from domain.workflow.media import MediaTooLarge
from tests.journey_factory import World, fill_phase, jpeg_bytes, make_world, through

SOFA = edit.LineDraft("Living room", "Sofa, 3 seats", 1, ["sc", "D"], "Scuff on the left arm")


@pytest.fixture
async def world(db: str) -> World:
    return await make_world()


@pytest.fixture
async def at_pickup(world: World) -> World:
    await through(world, Phase.MORNING_PREP)
    return world


async def _counts(world: World) -> tuple[int, int, int]:
    """Lines, inventory audit entries and media of the journey."""
    async with read_session() as session:
        lines = await session.scalar(select(func.count()).select_from(InventoryItem).where(
            InventoryItem.journey_id == world.journey_id))
        audits = await session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.entity == "inventory_item"))
        media = await session.scalar(select(func.count()).select_from(Media).where(
            Media.journey_id == world.journey_id))
    return int(lines or 0), int(audits or 0), int(media or 0)


def test_condition_codes_are_kept_in_the_set_order_and_read_as_words() -> None:
    assert clean_conditions(["sc", " D ", "SC", "mi"]) == ["D", "MI", "SC"]
    assert condition_words(["D", "MI", "SC", "W"]) == "dented, mildew, scratched, badly worn"
    with pytest.raises(ValidationFailed, match="unknown code XX"):
        clean_conditions(["SC", "XX"])
    with pytest.raises(ValidationFailed, match="a list of condition codes"):
        clean_conditions("SC")


async def test_the_crew_records_a_line_with_a_photo_at_pickup(at_pickup: World) -> None:
    world = at_pickup
    seen: list[events.DomainEvent] = []
    events.bus.subscribe(seen.append)
    line = await edit.add_line(world["mover"], world.journey_id, SOFA, jpeg_bytes())
    assert (line.room, line.name, line.quantity, line.source) == ("Living room", "Sofa, 3 seats", 1,
                                                                  InventorySource.CREW)
    assert line.pickup_conditions == ("D", "SC") and line.pickup_words == "dented, scratched"
    assert len(line.pickup_photo_ids) == 1 and line.delivery is DeliveryCheck.PENDING
    view = await journey_inventory(world["driver"], world.journey_id)
    assert view.writing is Phase.PICKUP and [x.id for x in view.lines] == [line.id]
    assert [(e.what, e.words) for e in view.exceptions] == [
        ("Damaged at pickup", "dented, scratched; Scuff on the left arm")]
    assert [e.type for e in seen] == [events.EventType.INVENTORY_CHANGED]
    assert seen[0].journey_id == world.journey_id and seen[0].data["line_id"] == line.id
    async with read_session() as session:
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "inventory.line_added"))
    assert entry is not None and entry.entity_id == str(line.id) and entry.user_id == world["mover"].user_id
    assert (entry.new_values or {}).get("pickup_conditions") == ["D", "SC"]

    changed = await edit.edit_line(world["driver"], world.journey_id, line.id,
                                   edit.LineDraft("Living room", "Sofa, 3 seats", 2))
    assert changed.quantity == 2 and changed.pickup_conditions == ()
    assert changed.pickup_photo_ids == line.pickup_photo_ids
    await edit.remove_line(world["driver"], world.journey_id, line.id)
    assert (await journey_inventory(world["manager"], world.journey_id)).lines == ()
    assert (await _counts(world))[1] == 3


async def test_only_the_crew_writes_and_only_during_pickup(world: World) -> None:
    with pytest.raises(Conflict, match="recorded during pickup, and pickup is not under way"):
        await edit.add_line(world["driver"], world.journey_id, SOFA)
    await through(world, Phase.MORNING_PREP)
    with pytest.raises(Forbidden, match="only the crew"):
        await edit.add_line(world["dispatcher"], world.journey_id, SOFA)
    with pytest.raises(NotFound):  # a driver of other journeys does not even find it
        await edit.add_line(world["other_driver"], world.journey_id, SOFA)
    with pytest.raises(NotFound):
        await journey_inventory(world["outsider_manager"], world.journey_id)
    line = await edit.add_line(world["driver"], world.journey_id, SOFA)
    with pytest.raises(Conflict, match="checked during delivery, and delivery is not under way"):
        await edit.check_line(world["driver"], world.journey_id, line.id, edit.CheckDraft(DeliveryCheck.DELIVERED))
    assert (await journey_inventory(world["auditor"], world.journey_id)).writing is None  # reads, never writes
    assert (await journey_inventory(world["dispatcher"], world.journey_id)).writing is None


@pytest.mark.parametrize(("draft", "problem"), [
    (edit.LineDraft("", "Sofa"), "room: write something first"),
    (edit.LineDraft("Kitchen", "   "), "item: write something first"),
    (edit.LineDraft("x" * 81, "Sofa"), "room: at most 80 characters"),
    (edit.LineDraft("Kitchen", "x" * 121), "item: at most 120 characters"),
    (edit.LineDraft("Kitchen", "Fridge", 0), "count: a whole number from 1 to 999"),
    (edit.LineDraft("Kitchen", "Fridge", 1000), "count: a whole number from 1 to 999"),
    (edit.LineDraft("Kitchen", "Fridge", True), "count"),
    (edit.LineDraft("Kitchen", "Fridge", 1, ["SC", "ZZ"]), "unknown code ZZ"),
    (edit.LineDraft("Kitchen", "Fridge", 1, [], "n" * 1001), "note: at most 1000 characters"),
    (edit.LineDraft("Kitchen", "Fridge", 1, [], None, [2_000_000]), "photos: ids of photos uploaded"),
    (edit.LineDraft("Kitchen", "Fridge", 1, [], None, list(range(1, 8))), "photos: at most 6"),
])
async def test_bad_lines_are_refused_and_nothing_is_written(at_pickup: World, draft: edit.LineDraft,
                                                            problem: str) -> None:
    before = await _counts(at_pickup)
    with pytest.raises(ValidationFailed, match=problem):
        await edit.add_line(at_pickup["driver"], at_pickup.journey_id, draft)
    assert await _counts(at_pickup) == before


@pytest.mark.parametrize(("photo", "refusal"), [
    (b"%PDF-1.7\n1 0 obj << /Type /Catalog >>", ValidationFailed),  # a PDF named .jpg
    (b"\xff\xd8\xff\xe0<html><script>alert(1)</script></html>", ValidationFailed),  # a JPEG header on HTML
    (b"\xff\xd8\xff" + b"\0" * (10 * 1024 * 1024), MediaTooLarge),
])
async def test_an_oversized_or_disguised_photo_refuses_the_line(at_pickup: World, photo: bytes,
                                                                refusal: type[Exception]) -> None:
    before = await _counts(at_pickup)
    with pytest.raises(refusal):
        await edit.add_line(at_pickup["driver"], at_pickup.journey_id, SOFA, photo)
    assert await _counts(at_pickup) == before and before[0] == 0


async def test_a_photo_of_another_journey_is_not_taken(at_pickup: World, db: str) -> None:
    other = await make_world(company_name="Other Movers")
    await through(other, Phase.MORNING_PREP)
    line = await edit.add_line(other["driver"], other.journey_id, SOFA, jpeg_bytes())
    with pytest.raises(ValidationFailed, match="photos: ids of photos uploaded to this journey"):
        await edit.add_line(at_pickup["driver"], at_pickup.journey_id,
                            edit.LineDraft("Kitchen", "Fridge", photo_ids=list(line.pickup_photo_ids)))


async def test_an_inventory_holds_at_most_max_lines(at_pickup: World) -> None:
    async with unit_of_work() as session:
        session.add_all(InventoryItem(company_id=at_pickup.company_id, journey_id=at_pickup.journey_id,
                                      source=InventorySource.CREW, position=n, room="Boxes", name=f"Box {n}")
                        for n in range(edit.MAX_LINES))
    with pytest.raises(ValidationFailed, match=f"at most {edit.MAX_LINES} items"):
        await edit.add_line(at_pickup["driver"], at_pickup.journey_id, SOFA)


async def test_delivery_checks_every_line_before_it_completes(at_pickup: World) -> None:
    world = at_pickup
    sofa = await edit.add_line(world["driver"], world.journey_id, SOFA)
    lamp = await edit.add_line(world["mover"], world.journey_id, edit.LineDraft("Bedroom", "Lamp"))
    table = await edit.add_line(world["mover"], world.journey_id, edit.LineDraft("Kitchen", "Table", 1))
    for phase in (Phase.PICKUP, Phase.TRANSPORT):  # pickup completes with its inventory, as before
        await fill_phase(world, phase)
        await workflow.complete_phase(world["driver"], world.journey_id, phase)
    with pytest.raises(Conflict, match="recorded during pickup"):
        await edit.add_line(world["driver"], world.journey_id, SOFA)

    await fill_phase(world, Phase.DELIVERY)
    with pytest.raises(ValidationFailed) as refused:
        await workflow.complete_phase(world["driver"], world.journey_id, Phase.DELIVERY)
    assert "Inventory check (3 items not checked)" in refused.value.message
    view = await workflow.journey_workflow(world["driver"], world.journey_id)
    assert "Inventory check (3 items not checked)" in view.phase(Phase.DELIVERY).missing

    await edit.check_line(world["driver"], world.journey_id, sofa.id, edit.CheckDraft(DeliveryCheck.DELIVERED))
    await edit.check_line(world["mover"], world.journey_id, lamp.id,
                          edit.CheckDraft(DeliveryCheck.MISSING, note="Not in the truck"))
    with pytest.raises(ValidationFailed, match="say what the damage is"):
        await edit.check_line(world["mover"], world.journey_id, table.id, edit.CheckDraft(DeliveryCheck.DAMAGED))
    with pytest.raises(ValidationFailed, match="choose Damaged"):
        await edit.check_line(world["mover"], world.journey_id, table.id,
                              edit.CheckDraft(DeliveryCheck.DELIVERED, ["SC"]))
    with pytest.raises(ValidationFailed, match="delivered, missing or damaged"):
        await edit.check_line(world["mover"], world.journey_id, table.id, edit.CheckDraft(DeliveryCheck.PENDING))
    with pytest.raises(ValidationFailed, match="1 item not checked"):
        await workflow.complete_phase(world["driver"], world.journey_id, Phase.DELIVERY)
    damaged = await edit.add_photo(world["mover"], world.journey_id, table.id, Phase.DELIVERY, jpeg_bytes())
    assert len(damaged.delivery_photo_ids) == 1
    await edit.check_line(world["mover"], world.journey_id, table.id, edit.CheckDraft(DeliveryCheck.DAMAGED, ["BR"]))
    await workflow.complete_phase(world["driver"], world.journey_id, Phase.DELIVERY)

    view_now = await journey_inventory(world["manager"], world.journey_id)
    assert view_now.unchecked == 0 and view_now.writing is None
    assert [(e.line.name, e.what, e.words, len(e.photo_ids)) for e in view_now.exceptions] == [
        ("Sofa, 3 seats", "Damaged at pickup", "dented, scratched; Scuff on the left arm", 0),
        ("Lamp", "Missing at delivery", "Not in the truck", 0),
        ("Table", "Damaged at delivery", "broken", 1)]


async def test_a_journey_without_inventory_delivers_as_before(world: World) -> None:
    result = await through(world, Phase.DELIVERY)
    assert result.current_phase is Phase.COMPLETION


async def test_a_cancelled_journey_takes_no_inventory(at_pickup: World) -> None:
    from domain.journeys.edit import cancel_journey

    await cancel_journey(at_pickup["dispatcher"], at_pickup.journey_id, "Customer moved out early")
    with pytest.raises(Conflict, match="cancelled"):
        await edit.add_line(at_pickup["driver"], at_pickup.journey_id, SOFA)


def test_the_audit_trail_reads_inventory_changes_in_words() -> None:
    from domain.audit.words import change_words

    assert change_words({"pickup_conditions": [], "pickup_photo_ids": []},
                        {"pickup_conditions": ["D", "SC"], "pickup_photo_ids": [41, 42]}) == (
        "condition at pickup: none → dented, scratched; photos at pickup: none → 2 photos")
    assert change_words({"delivery": "PENDING"}, {"delivery": "MISSING"}) == "delivery check: pending → missing"
