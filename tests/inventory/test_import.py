"""The inventory from SmartMoving, against the simulator over real HTTP: the lines of a PREMIUM
company's opportunity fill an empty inventory once (awkward shapes normalised), never a BASIC
one's, never over what the crew entered; PICKUP starting imports by itself."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select, update

from db.enums import DeliveryCheck, IntegrationPlan, InventorySource, Phase
from db.models import AuditEntry, CompanyIntegration
from domain.errors import Forbidden
from domain.inventory import edit, smartmoving
from domain.inventory.views import journey_inventory
from domain.unit_of_work import read_session, unit_of_work
from domain.workflow import phases as workflow
from integrations.smartmoving.premium import BOXES_ROOM, UNNAMED_ITEM
from integrations.smartmoving.simulator.server import SimulatorState
from integrations.smartmoving.simulator.site import LONG_ITEM_NAME
from tests.inventory.helpers import smartmoving_job
from tests.journey_factory import World, fill_phase, make_world, through
from tests.smartmoving.conftest import API_KEY

INVENTORY_PATH = "/api/premium/opportunities/{}/inventory"
AWKWARD = {
    "id": "inv-1", "lockStatus": False, "boxes": [{"id": "box-1", "name": "Medium Box", "quantity": 12}],
    "rooms": [
        {"id": "r-1", "name": None, "roomType": "Living Room", "items": [
            {"id": "i-1", "name": "Sofa", "quantity": 1},
            {"id": "i-2", "name": LONG_ITEM_NAME, "quantity": 2},
            {"id": "i-3", "name": "Lamp"},                      # no quantity: one
            {"id": "i-4", "name": "Mirror", "quantity": 0},     # none left to move
            {"id": "i-5", "name": None, "description": None, "quantity": 1}]},
        {"id": "r-2", "name": "Garage", "items": None},         # an empty room
        {"id": "r-3", "name": "  Kids'   room ", "items": []},
    ],
}


@pytest.fixture
async def world(db: str) -> World:
    world = await make_world()
    await through(world, Phase.MORNING_PREP)
    return world


def _opportunity(sim: SimulatorState, inventory: dict[str, Any] | None) -> str:
    opportunity = sim.add_opportunity(dt.date.today())
    opportunity.inventory = inventory
    return opportunity.id


def _calls(sim: SimulatorState, opportunity_id: str) -> int:
    return sim.calls.get(INVENTORY_PATH.format(opportunity_id), 0)


async def _imports() -> int:
    async with read_session() as session:
        return int(await session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == smartmoving.IMPORTED)) or 0)


async def test_a_premium_inventory_fills_an_empty_one_once(world: World, sim_state: SimulatorState,
                                                           sim_url: str) -> None:
    opportunity_id = _opportunity(sim_state, AWKWARD)
    await smartmoving_job(world, sim_url, API_KEY, opportunity_id)
    assert await smartmoving.import_inventory(world["driver"], world.journey_id) == 5
    lines = (await journey_inventory(world["driver"], world.journey_id)).lines
    clipped = LONG_ITEM_NAME[:edit.NAME_MAX_LENGTH - 1].rstrip() + "…"
    assert [(x.room, x.name, x.quantity) for x in lines] == [
        ("Living Room", "Sofa", 1), ("Living Room", clipped, 2), ("Living Room", "Lamp", 1),
        ("Living Room", UNNAMED_ITEM, 1), (BOXES_ROOM, "Medium Box", 12)]
    assert {x.source for x in lines} == {InventorySource.SMARTMOVING}
    assert all(x.delivery is DeliveryCheck.PENDING for x in lines)
    assert _calls(sim_state, opportunity_id) == 1
    # once: a second opening neither calls nor adds
    assert await smartmoving.import_inventory(world["mover"], world.journey_id) == 0
    assert _calls(sim_state, opportunity_id) == 1 and await _imports() == 1


async def test_no_inventory_in_smartmoving_is_asked_once(world: World, sim_state: SimulatorState,
                                                         sim_url: str) -> None:
    opportunity_id = _opportunity(sim_state, None)  # the simulator answers 400 "Inventory not found"
    await smartmoving_job(world, sim_url, API_KEY, opportunity_id)
    for who in ("driver", "mover"):
        assert await smartmoving.import_inventory(world[who], world.journey_id) == 0
    assert _calls(sim_state, opportunity_id) == 1 and await _imports() == 1


async def test_a_basic_plan_or_a_crew_inventory_is_never_fetched(world: World, sim_state: SimulatorState,
                                                                 sim_url: str) -> None:
    opportunity_id = _opportunity(sim_state, AWKWARD)
    integration_id = await smartmoving_job(world, sim_url, API_KEY, opportunity_id, plan=IntegrationPlan.BASIC)
    assert await smartmoving.import_inventory(world["driver"], world.journey_id) == 0
    assert _calls(sim_state, opportunity_id) == 0
    async with unit_of_work() as session:
        await session.execute(update(CompanyIntegration).where(CompanyIntegration.id == integration_id)
                              .values(plan=IntegrationPlan.PREMIUM))
    await edit.add_line(world["driver"], world.journey_id, edit.LineDraft("Kitchen", "Fridge"))
    assert await smartmoving.import_inventory(world["driver"], world.journey_id) == 0
    assert _calls(sim_state, opportunity_id) == 0
    assert [x.name for x in (await journey_inventory(world["driver"], world.journey_id)).lines] == ["Fridge"]


async def test_only_the_crew_or_dispatch_asks_for_it(world: World, sim_state: SimulatorState, sim_url: str) -> None:
    await smartmoving_job(world, sim_url, API_KEY, _opportunity(sim_state, AWKWARD))
    with pytest.raises(Forbidden, match="only the crew or the dispatchers"):
        await smartmoving.import_inventory(world["auditor"], world.journey_id)
    assert await _imports() == 0


async def test_pickup_starting_imports_the_inventory(db: str, sim_state: SimulatorState, sim_url: str) -> None:
    world = await make_world()
    opportunity_id = _opportunity(sim_state, AWKWARD)
    await smartmoving_job(world, sim_url, API_KEY, opportunity_id)
    await through(world, Phase.CREATION)
    stop = smartmoving.install()
    try:
        await fill_phase(world, Phase.MORNING_PREP)
        await workflow.complete_phase(world["driver"], world.journey_id, Phase.MORNING_PREP)  # PICKUP starts
        await smartmoving.wait_for_imports()
    finally:
        stop()
    assert len((await journey_inventory(world["driver"], world.journey_id)).lines) == 5
    async with read_session() as session:
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == smartmoving.IMPORTED))
    assert entry is not None and entry.actor_email == "system:smartmoving-sync"
    assert entry.new_values == {"opportunity_id": opportunity_id, "lines": 5, "left_out": 0, "api_calls": 1}
