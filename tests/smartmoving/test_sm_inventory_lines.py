"""An opportunity's inventory as lines (pure parsing): nulls, empty rooms, absent and zero
quantities, whitespace and missing names, and payloads that cannot be read; and the simulator's
inventories, awkward shapes included, all parse."""

from __future__ import annotations

import pytest

from integrations.smartmoving import InventoryLine, MalformedRecord
from integrations.smartmoving.premium import (
    BOXES_ROOM,
    UNNAMED_ITEM,
    UNNAMED_ROOM,
    parse_inventory,
    parse_inventory_lines,
)
from integrations.smartmoving.simulator.site import LONG_ITEM_NAME, inventory


def test_awkward_shapes_become_lines_people_can_check() -> None:
    raw = {"rooms": [
        {"name": "  Master \t bedroom ", "items": [{"id": "a", "name": "Bed", "quantity": "2"},
                                                   {"id": "b", "name": "   ", "description": "Night table"},
                                                   {"name": None, "quantity": 1},
                                                   {"id": "c", "name": "Rug", "quantity": -1}]},
        {"name": None, "roomType": None, "items": [{"id": 7, "name": "Chair", "quantity": None}]},
        {"name": "Attic", "items": None}, None],
        "boxes": [{"id": "x", "name": "Large Box", "quantity": 0}, {"id": "y", "name": "Small Box", "quantity": 3}]}
    assert parse_inventory_lines(raw) == (
        InventoryLine("a", "Master bedroom", "Bed", 2), InventoryLine("b", "Master bedroom", "Night table", 1),
        InventoryLine(None, "Master bedroom", UNNAMED_ITEM, 1), InventoryLine(None, UNNAMED_ROOM, "Chair", 1),
        InventoryLine("y", BOXES_ROOM, "Small Box", 3))
    assert parse_inventory_lines({"id": "o", "rooms": None, "boxes": None}) == ()


@pytest.mark.parametrize("raw", [
    {"rooms": "Kitchen"}, {"rooms": [{"items": {"name": "Sofa"}}]}, {"rooms": [{"items": [{"quantity": 1.5}]}]},
    {"rooms": [{"items": [{"name": "Sofa\x00"}]}]}, {"boxes": [{"name": "Box", "quantity": 2**40}]}, "not an object",
])
def test_unreadable_inventories_are_malformed_records(raw: object) -> None:
    with pytest.raises(MalformedRecord):
        parse_inventory_lines(raw)


def test_every_simulated_inventory_parses_and_some_are_awkward() -> None:
    shapes = {"long name": 0, "no quantity": 0, "empty room": 0, "room by type": 0}
    for n in range(400):
        raw = inventory(f"{n:08d}-0000-4000-8000-000000000000")
        if raw is None:
            continue
        lines = parse_inventory_lines(raw)
        parse_inventory(raw)
        rooms = raw["rooms"]
        shapes["long name"] += any(line.name == LONG_ITEM_NAME for line in lines)
        shapes["no quantity"] += any("quantity" not in item for room in rooms for item in room["items"] or [])
        shapes["empty room"] += any(not room["items"] for room in rooms)
        shapes["room by type"] += any(room["name"] is None for room in rooms)
        assert all(line.quantity >= 1 and line.name and line.room for line in lines)
    assert all(count > 10 for count in shapes.values()), shapes
