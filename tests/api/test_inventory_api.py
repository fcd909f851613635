"""The inventory API over real HTTP (the app's ASGI stack) and PostgreSQL: reads by scope, the
crew's writes in their phase, Idempotency-Key on creates, bad input as a 4xx envelope with
nothing written."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient
from nicegui.testing import User

from db.enums import Phase
from domain.inventory import edit
from domain.workflow import phases as workflow
from tests.api.test_mobile_api import auth
from tests.journey_factory import World, fill_phase, jpeg_bytes, make_world, through

pytestmark = pytest.mark.postgres_only

SOFA = {"room": "Living room", "name": "Sofa", "quantity": 1, "conditions": ["SC", "d"], "note": "Scuff"}


@pytest.fixture
async def world(db: str) -> World:
    world = await make_world()
    await through(world, Phase.MORNING_PREP)
    return world


@pytest.fixture
def client(world: World, user: User) -> AsyncClient:
    return user.http_client


def _url(world: World, tail: str = "") -> str:
    return f"/api/journey/{world.journey_id}/inventory{tail}"


async def _lines(client: AsyncClient, world: World) -> list[dict[str, Any]]:
    response = await client.get(_url(world), headers=auth(world["manager"]))
    assert response.status_code == 200, response.text
    return list(response.json()["data"]["lines"])


async def test_the_crew_adds_a_line_once_and_people_in_scope_read_it(world: World, client: AsyncClient) -> None:
    upload = await client.post(f"/api/mobile/journey/{world.journey_id}/media", headers=auth(world["driver"]),
                               files={"file": ("sofa.jpg", jpeg_bytes(), "image/jpeg")}, data={"kind": "PHOTO"})
    photo_id = upload.json()["data"]["id"]
    headers = {**auth(world["driver"]), "Idempotency-Key": "sofa-line-1"}
    body = {**SOFA, "photo_ids": [photo_id]}
    first = await client.post(_url(world, "/lines"), json=body, headers=headers)
    again = await client.post(_url(world, "/lines"), json=body, headers=headers)
    assert first.status_code == 201 and again.status_code == 201, first.text
    assert again.headers["Idempotent-Replayed"] == "true" and again.content == first.content
    line = first.json()["data"]
    assert line["pickup"] == {"conditions": ["D", "SC"], "words": "dented, scratched", "note": "Scuff",
                              "photo_ids": [photo_id]}
    assert line["delivery"]["words"] == "Not checked yet"
    assert [x["id"] for x in await _lines(client, world)] == [line["id"]]

    mine = (await client.get(_url(world), headers=auth(world["mover"]))).json()["data"]
    assert mine["writing"] == "PICKUP" and mine["exceptions"][0]["what"] == "Damaged at pickup"
    assert (await client.get(_url(world), headers=auth(world["auditor"]))).json()["data"]["writing"] is None
    hidden = await client.get(_url(world), headers=auth(world["other_driver"]))
    assert hidden.status_code == 404 and hidden.json()["error"] == "not_found"
    assert (await client.get(_url(world))).status_code == 401


@pytest.mark.parametrize(("body", "problem"), [
    ({**SOFA, "quantity": 0}, "quantity"),
    ({**SOFA, "quantity": "two"}, "quantity"),
    ({**SOFA, "room": "x" * 81}, "room"),
    ({**SOFA, "name": ""}, "item: write something first"),
    ({**SOFA, "conditions": ["SC", "XX"]}, "unknown code XX"),
    ({**SOFA, "conditions": ["SC"] * 17}, "conditions"),
    ({**SOFA, "note": "n" * 1001}, "note"),
    ({**SOFA, "photo_ids": [123456]}, "photos: ids of photos uploaded to this journey"),
    ({**SOFA, "photo_ids": [0]}, "photo_ids"),
    ({"room": "Kitchen"}, "name"),
])
async def test_bad_lines_are_a_422_envelope_and_write_nothing(world: World, client: AsyncClient, body: dict[str, Any],
                                                              problem: str) -> None:
    response = await client.post(_url(world, "/lines"), json=body, headers=auth(world["driver"]))
    assert response.status_code == 422, response.text
    envelope = response.json()
    assert envelope["success"] is False and envelope["error"] == "validation_error"
    assert problem in response.text
    assert await _lines(client, world) == []


async def test_refusals_say_why(world: World, client: AsyncClient) -> None:
    refused = await client.post(_url(world, "/lines"), json=SOFA, headers=auth(world["dispatcher"]))
    assert refused.status_code == 403 and "only the crew" in refused.json()["message"]
    line = (await client.post(_url(world, "/lines"), json=SOFA, headers=auth(world["driver"]))).json()["data"]
    early = await client.post(_url(world, f"/lines/{line['id']}/check"), json={"outcome": "DELIVERED"},
                              headers=auth(world["driver"]))
    assert early.status_code == 409
    assert early.json()["message"] == "The inventory is checked during delivery, and delivery is not under way"
    gone = await client.put(_url(world, "/lines/999999"), json=SOFA, headers=auth(world["driver"]))
    assert gone.status_code == 404


async def test_change_remove_and_check_at_delivery(world: World, client: AsyncClient) -> None:
    driver = auth(world["driver"])
    async def add(body: dict[str, Any]) -> dict[str, Any]:
        return dict((await client.post(_url(world, "/lines"), json=body, headers=driver)).json()["data"])

    sofa, lamp, vase = await add(SOFA), await add({"room": "Bedroom", "name": "Lamp"}), await add(
        {"room": "Hall", "name": "Vase"})
    changed = await client.put(_url(world, f"/lines/{lamp['id']}"),
                               json={"room": "Bedroom", "name": "Lamp", "quantity": 2}, headers=driver)
    assert changed.status_code == 200 and changed.json()["data"]["quantity"] == 2
    removed = await client.delete(_url(world, f"/lines/{vase['id']}"), headers=driver)
    assert removed.status_code == 200 and len(await _lines(client, world)) == 2

    for phase in (Phase.PICKUP, Phase.TRANSPORT):
        await fill_phase(world, phase)
        await workflow.complete_phase(world["driver"], world.journey_id, phase)
    await fill_phase(world, Phase.DELIVERY)
    waiting = await client.post(f"/api/mobile/journey/{world.journey_id}/phases/DELIVERY/complete", headers=driver)
    assert waiting.status_code == 422
    assert "Inventory check (2 items not checked)" in waiting.json()["details"]["missing"]

    bad = await client.post(_url(world, f"/lines/{sofa['id']}/check"), json={"outcome": "LOST"}, headers=driver)
    assert bad.status_code == 422
    vague = await client.post(_url(world, f"/lines/{sofa['id']}/check"), json={"outcome": "DAMAGED"}, headers=driver)
    assert vague.status_code == 422 and "say what the damage is" in vague.json()["message"]
    damaged = await client.post(_url(world, f"/lines/{sofa['id']}/check"),
                                json={"outcome": "DAMAGED", "conditions": ["BR"], "note": "Leg snapped"},
                                headers=driver)
    assert damaged.status_code == 200 and damaged.json()["data"]["delivery"]["conditions_words"] == "broken"
    missing = await client.post(_url(world, f"/lines/{lamp['id']}/check"), json={"outcome": "MISSING"}, headers=driver)
    assert missing.status_code == 200
    done = await client.post(f"/api/mobile/journey/{world.journey_id}/phases/DELIVERY/complete", headers=driver)
    assert done.status_code == 200, done.text
    found = (await client.get(_url(world), headers=auth(world["manager"]))).json()["data"]["exceptions"]
    assert [(x["name"], x["what"], x["words"]) for x in found] == [
        ("Sofa", "Damaged at pickup", "dented, scratched; Scuff"),
        ("Sofa", "Damaged at delivery", "broken; Leg snapped"),
        ("Lamp × 2", "Missing at delivery", "")]


async def test_the_limits_are_in_the_openapi(client: AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()["components"]["schemas"]["LineBody"]["properties"]
    assert schema["name"]["maxLength"] == edit.NAME_MAX_LENGTH and schema["quantity"]["maximum"] == edit.MAX_QUANTITY
    assert schema["photo_ids"]["maxItems"] == edit.MAX_PHOTOS
