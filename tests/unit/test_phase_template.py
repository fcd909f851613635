"""The phase template as company data: default fallback, admin edits, and their effect on the workflow."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from db.enums import ItemKind, Phase
from db.models import AuditEntry, PhaseItemTemplate
from db.workflow_defaults import DEFAULT_TEMPLATE
from domain.events import bus as events
from domain.workflow import template as phase_template
from domain.workflow import phases as workflow
from domain.errors import Forbidden, NotFound, ValidationFailed
from domain.events.bus import EventType
from domain.unit_of_work import read_session
from tests.journey_factory import CREATION_ITEMS, World, fill_phase, make_world


@pytest.fixture
async def world(db: str) -> World:
    return await make_world()


async def test_a_company_without_rows_works_with_the_default(world: World) -> None:
    template = await phase_template.company_template(world["admin"])
    assert [s.key for s in template[Phase.MORNING_PREP]] == [
        r["key"] for r in DEFAULT_TEMPLATE if r["phase"] is Phase.MORNING_PREP]
    async with read_session() as session:
        assert await session.scalar(select(func.count()).select_from(PhaseItemTemplate)) == 0


async def test_the_demo_company_has_its_rows(demo: str) -> None:
    async with read_session() as session:
        count = await session.scalar(select(func.count()).select_from(PhaseItemTemplate))
    assert count == len(DEFAULT_TEMPLATE)


@pytest.mark.parametrize("who", ["manager", "dispatcher", "driver", "auditor"])
async def test_only_admins_edit_the_template(world: World, who: str) -> None:
    with pytest.raises(Forbidden):
        await phase_template.add_item(world[who], Phase.PICKUP, "Stairs counted", ItemKind.NUMBER)
    with pytest.raises(Forbidden):
        await phase_template.set_item_required(world[who], Phase.PICKUP, "loading_done", False)


async def test_first_edit_copies_the_default_then_changes_the_copy(world: World) -> None:
    seen: list[events.DomainEvent] = []
    events.bus.subscribe(seen.append)
    spec = await phase_template.set_item_required(world["admin"], Phase.PICKUP, "condition_photos", False)
    assert spec.required is False
    async with read_session() as session:
        rows = (await session.scalars(select(PhaseItemTemplate).where(
            PhaseItemTemplate.company_id == world.company_id))).all()
        audit = (await session.scalars(select(AuditEntry))).all()
    assert len(rows) == len(DEFAULT_TEMPLATE)
    assert [(a.action, a.old_values["required"], a.new_values["required"]) for a in audit] == [
        ("phase_item.required_changed", True, False)]
    assert seen[0].type is EventType.WORKFLOW_TEMPLATE_CHANGED and seen[0].company_id == world.company_id
    with pytest.raises(NotFound):
        await phase_template.set_item_required(world["admin"], Phase.PICKUP, "nope", False)


async def test_an_added_required_item_blocks_completion_until_recorded(world: World) -> None:
    added = await phase_template.add_item(world["admin"], Phase.MORNING_PREP, "Straps & blankets loaded",
                                          ItemKind.CHECK)
    assert (added.key, added.position, added.required) == ("straps_blankets_loaded", 6, True)
    await workflow.complete_phase(world["dispatcher"], world.journey_id, Phase.CREATION, CREATION_ITEMS)
    await fill_phase(world, Phase.MORNING_PREP)
    with pytest.raises(ValidationFailed, match="Straps & blankets loaded"):
        await workflow.complete_phase(world["driver"], world.journey_id, Phase.MORNING_PREP)
    await phase_template.set_item_required(world["admin"], Phase.MORNING_PREP, "straps_blankets_loaded", False)
    result = await workflow.complete_phase(world["driver"], world.journey_id, Phase.MORNING_PREP)
    assert result.progress == 33


async def test_added_items_get_unique_keys_and_clean_options(world: World) -> None:
    first = await phase_template.add_item(world["admin"], Phase.PICKUP, "Stairs", ItemKind.NUMBER,
                                          options={"min": 0, "max": 30, "unit": "floors", "junk": 1})
    second = await phase_template.add_item(world["admin"], Phase.PICKUP, "stairs!", ItemKind.CHOICE,
                                           required=False, options={"choices": [" none ", "some", "lots"]})
    assert (first.key, first.options) == ("stairs", {"min": 0, "max": 30, "unit": "floors"})
    assert (second.key, second.options, second.required) == ("stairs_2", {"choices": ["none", "some", "lots"]}, False)
    template = await phase_template.company_template(world["admin"])
    assert [s.key for s in template[Phase.PICKUP]][-2:] == ["stairs", "stairs_2"]


@pytest.mark.parametrize(
    ("label", "kind", "options", "problem"),
    [
        ("", ItemKind.CHECK, None, "label"),
        ("x" * 201, ItemKind.CHECK, None, "label"),
        ("Fuel", ItemKind.NUMBER, {"min": 10, "max": 5}, "min must be lower"),
        ("Fuel", ItemKind.NUMBER, {"min": "low"}, "expected a number"),
        ("Tyres", ItemKind.CHOICE, {"choices": ["only one"]}, "2 to 8"),
        ("Tyres", ItemKind.CHOICE, {"choices": ["a", "a"]}, "2 to 8"),
        ("Notes", ItemKind.TEXT, {"max_length": 5000}, "max_length"),
        ("When", ItemKind.READING, {"reading": "pressure"}, "'time' or 'position'"),
    ],
)
async def test_bad_new_items_are_refused(world: World, label: str, kind: ItemKind, options: dict[str, Any] | None,
                                         problem: str) -> None:
    with pytest.raises(ValidationFailed, match=problem):
        await phase_template.add_item(world["admin"], Phase.PICKUP, label, kind, options=options)


async def test_a_phase_has_a_limited_number_of_items(world: World) -> None:
    for i in range(phase_template.MAX_ITEMS_PER_PHASE - 3):
        await phase_template.add_item(world["admin"], Phase.TRANSPORT, f"Check {i}", ItemKind.CHECK)
    with pytest.raises(ValidationFailed, match="already has 25 items"):
        await phase_template.add_item(world["admin"], Phase.TRANSPORT, "One too many", ItemKind.CHECK)
