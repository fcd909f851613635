"""The inventory on the phone page through NiceGUI's simulated user, on PostgreSQL: a disguised
photo refuses the item and leaves nothing; a line is changed and removed; at delivery a damaged
item is noted with its code, another crew member's check appears live, and the wrap-up shows
the exceptions."""

from __future__ import annotations

import pytest
from nicegui import ui
from nicegui.elements.upload_files import SmallFileUpload
from nicegui.testing import User

from db.enums import DeliveryCheck, Phase
from domain.inventory import edit
from domain.inventory.views import journey_inventory
from domain.workflow import phases as workflow
from tests.helpers import sign_in
from tests.journey_factory import PASSWORD, World, fill_phase, make_world, password_hash, through

pytestmark = pytest.mark.postgres_only


@pytest.fixture
async def world(db: str) -> World:
    world = await make_world(hashed=password_hash())
    await through(world, Phase.MORNING_PREP)
    return world


async def _upload(user: User, marker: str, content: bytes, name: str = "IMG_0003.jpg") -> None:
    upload = user.find(marker=marker).elements.pop()
    assert isinstance(upload, ui.upload)
    await upload.handle_uploads([SmallFileUpload(name, "image/jpeg", content)])


async def test_pickup_refuses_a_disguised_photo_and_changes_and_removes_lines(world: World, user: User) -> None:
    await sign_in(user, world["driver"].email, PASSWORD)
    await user.open(f"/mobile/journey/{world.journey_id}")
    await user.should_see("No items yet: add each item as it is loaded.", retries=30)
    user.find(marker="inventory-add").click()
    user.find(marker="inventory-room").type("Office")
    user.find(marker="inventory-name").type("Desk")
    user.find(marker="code-G").click()
    await _upload(user, "upload-inventory-form", b"%PDF-1.7\n1 0 obj << /Type /Catalog >>")
    user.find(marker="inventory-save").click()
    await user.should_see("not an image: photos must be JPEG, PNG or WebP")
    assert (await journey_inventory(world["driver"], world.journey_id)).lines == ()

    user.find(marker="inventory-cancel").click()
    line = await edit.add_line(world["mover"], world.journey_id, edit.LineDraft("Office", "Desk", 1, ["G"]))
    await user.should_see(marker=f"inventory-line-{line.id}", retries=30)  # the mover's line, live
    await user.should_see("At pickup: gouged")
    user.find(marker=f"inventory-edit-{line.id}").click()
    user.find(marker="code-G").click()  # off
    user.find(marker="inventory-save").click()
    await user.should_see("Desk saved")
    assert (await journey_inventory(world["driver"], world.journey_id)).lines[0].pickup_conditions == ()
    user.find(marker=f"inventory-remove-{line.id}").click()
    user.find(marker="inventory-remove-confirm").click()
    await user.should_see("Desk removed")
    assert (await journey_inventory(world["driver"], world.journey_id)).lines == ()


async def test_delivery_notes_damage_and_the_wrap_up_shows_it(world: World, user: User) -> None:
    chair = await edit.add_line(world["driver"], world.journey_id, edit.LineDraft("Dining room", "Chair", 4))
    box = await edit.add_line(world["driver"], world.journey_id, edit.LineDraft("Boxes", "Books"))
    for phase in (Phase.PICKUP, Phase.TRANSPORT):
        await fill_phase(world, phase)
        await workflow.complete_phase(world["driver"], world.journey_id, phase)
    await fill_phase(world, Phase.DELIVERY)
    await sign_in(user, world["driver"].email, PASSWORD)
    await user.open(f"/mobile/journey/{world.journey_id}")
    await user.should_see("Still missing: Inventory check (2 items not checked)", retries=30)
    await user.should_see(marker=f"inventory-damaged-{chair.id}")
    user.find(marker=f"inventory-damaged-{chair.id}").click()
    user.find(marker="inventory-save-damage").click()
    await user.should_see("say what the damage is: tap a condition code or write a note")
    user.find(marker="code-BR").click()
    user.find(marker="inventory-save-damage").click()
    await user.should_see("Damaged: broken", retries=30)
    await edit.check_line(world["mover"], world.journey_id, box.id, edit.CheckDraft(DeliveryCheck.DELIVERED))
    await user.should_see(marker=f"inventory-check-{box.id}", retries=30)  # the mover's check, live
    await user.should_not_see("Still missing")
    user.find(marker="complete-phase").click()
    await user.should_see("6. Wrap-up", retries=30)
    await user.should_see(marker=f"inventory-exception-{chair.id}")
    await user.should_see("Damaged at delivery")
