"""What the simulator knows of a job's site and an opportunity's goods and money: arrival
windows, stop access notes, materials, inventory and payments (the Premium job view, the
inventory endpoint and `IncludePayments`).

Each is drawn from its own random stream keyed on the job's or opportunity's id, so adding them
changed nothing else the simulator generates. Awkward shapes the spec allows come up on their
own: about one job in eight has no arrival window (`null`), one in ten no stops (`[]`), one
opportunity in six no inventory (the endpoint answers 400 "Inventory not found"), and a quarter of
the inventories each have a room named only by its type (`name: null`), an empty room (`items`
null or `[]`), an item without a quantity and one with 0, or an item with a very long name
(`awkward_inventory`, a stream of its own).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

Json = dict[str, Any]

#: Styles SmartMoving offices type arrival windows in.
WINDOW_STYLES = ("{a:%-I:%M %p} - {b:%-I:%M %p}", "{a:%H:%M}-{b:%H:%M}", "{a:%-I}-{b:%-I%p}")
UNITS = ("Unit 1204", "Apt 3B", "Suite 210", "#45")
PROPERTY_NAMES = ("Maple Towers", "Harbourfront Lofts", "Cedar Court", "Parkside Residences")
PARKING = ("Driveway, room for the truck", "Street parking, permit needed from the city",
           "Loading dock at the rear, book the freight elevator", "Visitor lot, 30 minutes max",
           "No parking on the street before 9:30")
NOTES = ("Piano on the second floor", "Call the customer 15 minutes before arriving",
         "Narrow hallway, bring door jamb protectors", "Dog on site, keep the gate closed",
         "Buzzer code 4512", "Fragile antiques in the dining room")
INVENTORY_ITEMS = (("Living Room", "Sofa, 3 seats", 50.0, 350.0), ("Living Room", "TV, 65 in", 10.0, 70.0),
                   ("Bedroom", "Queen bed", 60.0, 420.0), ("Bedroom", "Dresser", 30.0, 210.0),
                   ("Kitchen", "Fridge", 45.0, 315.0), ("Dining Room", "Table, 6 seats", 30.0, 210.0))
LONG_ITEM_NAME = ("Antique oak armoire with bevelled mirror doors, carved crown moulding, two interior drawers "
                  "and the original brass hardware, disassembled into four pieces (top, base, two doors)")
BOX_KINDS = (("Medium Box", 3.0, 21.0), ("Large Box", 4.5, 31.5), ("Wardrobe Box", 10.0, 70.0))
JOB_MATERIALS = (("Medium Box", 4.95), ("Large Box", 5.95), ("Packing Tape", 4.95), ("Mattress Bag", 14.95))


def arrival_window(job_id: str, start: dt.datetime | None, tz: dt.tzinfo) -> str | None:
    """A two-hour window from the job's local start hour, in one of the office styles."""
    rng = random.Random(f"{job_id}:arrival")
    if start is None or rng.random() < 0.125:
        return None
    local = start.astimezone(tz).replace(minute=0, second=0, microsecond=0)
    return rng.choice(WINDOW_STYLES).format(a=local, b=local + dt.timedelta(hours=2))


def stops(job_id: str, addresses: list[str], lat: float, lng: float) -> list[Json]:
    """The job's stops, one per address (origin first), with access notes."""
    rng = random.Random(f"{job_id}:stops")
    if rng.random() < 0.1:
        return []
    last = len(addresses) - 1
    result = []
    for order, address in enumerate(addresses):
        apartment = rng.random() < 0.4
        result.append({
            "id": f"{job_id[:24]}{order:012d}", "isOrigin": order == 0, "isDestination": order == last and last > 0,
            "order": order, "addressFullAddress": address,
            "addressLat": round(lat + rng.uniform(-0.1, 0.1), 6), "addressLng": round(lng + rng.uniform(-0.1, 0.1), 6),
            "addressUnit": rng.choice(UNITS) if apartment else None,
            "propertyName": rng.choice(PROPERTY_NAMES) if apartment else None,
            "propertyType": 1 if apartment else rng.choice((2, 8)),
            "stairs": 0 if apartment else rng.randint(0, 3),
            "parkingDescription": rng.choice(PARKING) if rng.random() < 0.8 else None,
            "hasElevator": apartment,
            "notes": rng.choice(NOTES) if rng.random() < 0.6 else None,
        })
    return result


def materials(job_id: str, packing: bool) -> list[Json]:
    """Estimated materials of the job, rates included (money the app must not pass on)."""
    rng = random.Random(f"{job_id}:materials")
    if not packing and rng.random() < 0.7:
        return []
    return [{"id": f"{job_id[:24]}{n:012d}", "name": name, "description": None,
             "materialsQuantity": rng.randint(2, 30), "materialsRate": rate,
             "packingQuantity": rng.randint(0, 10) if packing else 0, "packingRate": 12.5,
             "packingTimeMinutes": 10, "unpackingQuantity": 0, "unpackingRate": 0.0,
             "unpackingTimeMinutes": 0, "isContainer": "Box" in name}
            for n, (name, rate) in enumerate(rng.sample(JOB_MATERIALS, rng.randint(1, 3)))]


def inventory(opportunity_id: str) -> Json | None:
    """The opportunity's inventory; None for one in six (no survey was done)."""
    rng = random.Random(f"{opportunity_id}:inventory")
    if rng.random() < 1 / 6:
        return None
    rooms: dict[str, list[Json]] = {}
    for n, (room, name, volume, weight) in enumerate(rng.sample(INVENTORY_ITEMS, rng.randint(2, 5))):
        rooms.setdefault(room, []).append({
            "id": f"{opportunity_id[:24]}{n:012d}", "name": name, "description": None, "notes": None,
            "shortCode": n, "quantity": rng.randint(1, 2), "volume": volume, "weight": weight,
            "width": None, "depth": None, "height": None, "type": 0, "inventoryItemId": None, "imageUrls": []})
    boxes = [{"id": f"{opportunity_id[:24]}{90 + n:012d}", "name": name, "description": None, "shortCode": n,
              "notes": None, "volume": volume, "weight": weight, "imageUrl": None,
              "quantity": rng.randint(5, 30), "inventoryItemId": None}
             for n, (name, volume, weight) in enumerate(rng.sample(BOX_KINDS, rng.randint(0, 3)))]
    return awkward_inventory(opportunity_id, {
            "id": opportunity_id, "createdAtUtc": "2026-01-05T14:00:00Z", "lastModifiedById": None,
            "lastModifiedFromApplication": 0, "densityFactor": 7.0, "lockStatus": False,
            "boxes": boxes or None,
            "rooms": [{"id": f"{opportunity_id[:24]}{80 + n:012d}", "name": room, "description": None,
                       "roomType": room, "items": items} for n, (room, items) in enumerate(rooms.items())]})


def awkward_inventory(opportunity_id: str, inventory: Json) -> Json:
    """The inventory with the shapes the spec allows and offices produce (see the module's words)."""
    rng = random.Random(f"{opportunity_id}:inventory-shapes")
    rooms: list[Json] = inventory["rooms"]
    base = opportunity_id[:24]
    if rng.random() < 0.25:
        rooms[0] = {**rooms[0], "name": None}
    if rng.random() < 0.25:
        rooms.append({"id": f"{base}{88:012d}", "name": "Garage", "description": None, "roomType": "Garage",
                      "items": rng.choice((None, []))})
    if rng.random() < 0.25:
        items: list[Json] = rooms[-1]["items"] or []
        rooms[-1] = {**rooms[-1], "items": [*items, *_odd_items(base, "Lamp", "Mirror")]}
    if rng.random() < 0.25:
        rooms[0]["items"].append({"id": f"{base}{79:012d}", "name": LONG_ITEM_NAME, "description": None,
                                  "notes": None, "shortCode": 79, "quantity": 1, "volume": None, "weight": None,
                                  "type": 0, "inventoryItemId": None, "imageUrls": None})
    return inventory


def _odd_items(base: str, without_quantity: str, with_zero: str) -> list[Json]:
    """An item whose quantity is absent, and one whose quantity is 0."""
    return [{"id": f"{base}{77:012d}", "name": without_quantity, "description": None, "type": 0},
            {"id": f"{base}{78:012d}", "name": with_zero, "description": None, "quantity": 0, "type": 0}]


def payments(opportunity_id: str, final_total: float, done: bool) -> list[Json]:
    """A deposit on most booked opportunities; done ones are paid in full."""
    rng = random.Random(f"{opportunity_id}:payments")
    if done:
        return [payment(final_total, category=1, at=dt.datetime(2026, 1, 6, 18, tzinfo=dt.UTC))]
    if rng.random() < 0.4:
        return []
    return [payment(round(final_total * 0.2, 2), category=0, at=dt.datetime(2026, 1, 2, 15, tzinfo=dt.UTC))]


def payment(amount: float, *, category: int = 2, at: dt.datetime | None = None, outstanding: bool = False) -> Json:
    """One `OpportunityPaymentViewModel`."""
    return {"source": 1, "paymentType": 2, "amount": round(amount, 2), "takenByUser": "Office",
            "isOutstanding": outstanding, "paidAtUtc": None if at is None else at.isoformat().replace("+00:00", "Z"),
            "refundsJobPaymentId": None, "amountRefunded": 0.0, "paymentCategory": category}
