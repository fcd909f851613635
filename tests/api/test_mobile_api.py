"""The crew and phase-decision API over real HTTP (the app's ASGI stack) and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from httpx import AsyncClient
from nicegui.testing import User

from domain.workflow.media import MAX_PHOTO_BYTES
from domain.access.rbac import Principal
from domain.access.tokens import issue_token
from tests.journey_factory import CREATION_ITEMS, World, jpeg_bytes, make_world, signature_bytes

pytestmark = pytest.mark.postgres_only


def auth(principal: Principal) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(principal)[0]}"}


@pytest.fixture
async def world(db: str) -> World:
    return await make_world()


@pytest.fixture
def client(world: World, user: User) -> AsyncClient:
    return user.http_client


async def _creation(client: AsyncClient, world: World) -> None:
    response = await client.post(f"/api/journey/{world.journey_id}/phases/CREATION/complete",
                                 json={"items": CREATION_ITEMS}, headers=auth(world["dispatcher"]))
    assert response.status_code == 200, response.text


async def _upload(client: AsyncClient, world: World, who: str, content: bytes, *, name: str = "photo.jpg",
                  kind: str = "PHOTO", content_type: str = "image/jpeg") -> dict:
    response = await client.post(f"/api/mobile/journey/{world.journey_id}/media", headers=auth(world[who]),
                                 files={"file": (name, content, content_type)}, data={"kind": kind})
    return {"status": response.status_code, **response.json()}


async def test_my_journeys_is_for_crew_and_never_shows_money(world: World, client: AsyncClient) -> None:
    response = await client.get("/api/mobile/journeys", headers=auth(world["driver"]))
    body = response.json()
    assert response.status_code == 200 and body["success"] is True
    assert [j["id"] for j in body["data"]] == [world.journey_id]
    card = body["data"][0]
    assert card["customer_name"] == "Ada Lovelace" and card["truck_number"].startswith("T-")
    assert {m["name"] for m in card["crew"]} == {"Driver", "Mover"} and card["days_from_today"] == 0
    assert "estimated_value" not in response.text and "4200" not in response.text
    assert (await client.get("/api/mobile/journeys", headers=auth(world["other_driver"]))).json()["data"] == []
    refused = await client.get("/api/mobile/journeys", headers=auth(world["manager"]))
    assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
    assert (await client.get("/api/mobile/journeys")).status_code == 401


async def test_journey_sheet_and_workflow(world: World, client: AsyncClient) -> None:
    response = await client.get(f"/api/mobile/journey/{world.journey_id}", headers=auth(world["mover"]))
    data = response.json()["data"]
    assert response.status_code == 200
    assert data["journey"]["origin_address"] == "1 King St W, Toronto"
    assert [p["phase"] for p in data["workflow"]["phases"]] == [
        "CREATION", "MORNING_PREP", "PICKUP", "TRANSPORT", "DELIVERY", "COMPLETION"]
    assert data["workflow"]["progress"] == 0 and data["workflow"]["viewer_is_crew"] is True
    assert "estimated_value" not in response.text
    for who in ("other_driver", "outsider_manager"):
        response = await client.get(f"/api/mobile/journey/{world.journey_id}", headers=auth(world[who]))
        assert response.status_code == 404


async def test_recording_and_completing_over_http(world: World, client: AsyncClient) -> None:
    await _creation(client, world)
    url = f"/api/mobile/journey/{world.journey_id}/phases/MORNING_PREP"
    recorded = await client.post(f"{url}/items", json={"item_key": "fuel_level", "value": 85},
                                 headers=auth(world["driver"]))
    assert recorded.status_code == 201 and recorded.json()["data"]["data"] == {"value": 85}
    bad = await client.post(f"{url}/items", json={"item_key": "fuel_level", "value": 120},
                            headers=auth(world["driver"]))
    assert bad.status_code == 422 and "between 0 and 100" in bad.json()["message"]
    refused = await client.post(f"{url}/complete", headers=auth(world["driver"]))
    assert refused.status_code == 422
    assert refused.json()["details"]["missing"] == ["Tire condition", "Lights working", "Brakes checked",
                                                    "Equipment and materials loaded", "Vehicle photo"]
    photo = await _upload(client, world, "mover", jpeg_bytes())
    assert photo["status"] == 201
    done = await client.post(f"{url}/complete", headers=auth(world["driver"]), json={"items": {
        "tires": "good", "lights_ok": True, "brakes_ok": True, "equipment_loaded": True,
        "vehicle_photo": {"media_id": photo["data"]["id"]}}})
    assert done.status_code == 200, done.text
    assert done.json()["data"] | {} == {"journey_id": world.journey_id, "phase": "MORNING_PREP",
                                        "step_status": "COMPLETED", "journey_status": "ONSITE",
                                        "current_phase": "PICKUP", "progress": 33}
    again = await client.post(f"{url}/items", json={"item_key": "lights_ok", "value": True},
                              headers=auth(world["driver"]))
    assert again.status_code == 409 and "already completed" in again.json()["message"]


async def test_who_may_do_what_over_http(world: World, client: AsyncClient) -> None:
    creation = f"/api/journey/{world.journey_id}/phases/CREATION/complete"
    assert (await client.post(creation, json={"items": CREATION_ITEMS},
                              headers=auth(world["driver"]))).status_code == 403
    await _creation(client, world)
    item = {"item_key": "lights_ok", "value": True}
    url = f"/api/mobile/journey/{world.journey_id}/phases/MORNING_PREP/items"
    assert (await client.post(url, json=item, headers=auth(world["dispatcher"]))).status_code == 403
    assert (await client.post(url, json=item, headers=auth(world["other_driver"]))).status_code == 404
    assert (await client.post(url, json=item)).status_code == 401
    approve = f"/api/journey/{world.journey_id}/phases/CREATION/approve"
    assert (await client.post(approve, headers=auth(world["driver"]))).status_code == 403
    assert (await client.post(approve, headers=auth(world["auditor"]))).status_code == 403
    approved = await client.post(approve, headers=auth(world["manager"]))
    assert approved.status_code == 200 and approved.json()["data"]["step_status"] == "APPROVED"
    assert (await client.post(approve, headers=auth(world["manager"]))).status_code == 409


async def test_reject_over_http_needs_a_reason(world: World, client: AsyncClient) -> None:
    await _creation(client, world)
    reject = f"/api/journey/{world.journey_id}/phases/CREATION/reject"
    missing = await client.post(reject, json={}, headers=auth(world["manager"]))
    assert missing.status_code == 422 and missing.json()["error"] == "validation_error"
    blank = await client.post(reject, json={"reason": "  "}, headers=auth(world["manager"]))
    assert blank.status_code == 422 and "say why" in blank.json()["message"]
    done = await client.post(reject, json={"reason": "Wrong truck"}, headers=auth(world["manager"]))
    assert done.status_code == 200 and done.json()["data"]["step_status"] == "IN_PROGRESS"


async def test_bad_phase_and_ids_are_clear_errors(world: World, client: AsyncClient) -> None:
    headers = auth(world["driver"])
    bad_phase = await client.post(f"/api/mobile/journey/{world.journey_id}/phases/LUNCH/complete", headers=headers)
    assert bad_phase.status_code == 422 and bad_phase.json()["success"] is False
    for journey in ("abc", "-1", "0", "99999999999"):
        response = await client.get(f"/api/mobile/journey/{journey}", headers=headers)
        assert response.status_code == 422, journey


async def test_media_round_trip_is_scoped(world: World, client: AsyncClient) -> None:
    stored = await _upload(client, world, "driver", jpeg_bytes(), name="../../../etc/evil.jpg")
    assert stored["status"] == 201 and stored["data"]["content_type"] == "image/jpeg"
    media_id = stored["data"]["id"]
    for who in ("driver", "mover", "manager", "auditor"):
        response = await client.get(f"/api/media/{media_id}", headers=auth(world[who]))
        assert response.status_code == 200 and response.headers["content-type"] == "image/jpeg"
        assert response.content[:3] == b"\xff\xd8\xff"
        assert response.headers["x-content-type-options"] == "nosniff"
    thumb = await client.get(f"/api/media/{media_id}/thumbnail", headers=auth(world["driver"]))
    assert thumb.status_code == 200 and len(thumb.content) < len(
        (await client.get(f"/api/media/{media_id}", headers=auth(world["driver"]))).content)
    for who in ("other_driver", "outsider_manager"):
        for suffix in ("", "/thumbnail"):
            denied = await client.get(f"/api/media/{media_id}{suffix}", headers=auth(world[who]))
            assert denied.status_code == 404 and denied.json()["success"] is False
    assert (await client.get(f"/api/media/{media_id}")).status_code == 401
    other = await _upload(client, world, "other_driver", jpeg_bytes())
    assert other["status"] == 404


async def test_path_tricks_never_reach_a_file(world: World, client: AsyncClient, media_root: Path) -> None:
    stored = await _upload(client, world, "driver", jpeg_bytes(), name="..\\..\\evil.jpg")
    assert stored["status"] == 201
    evil = await asyncio.to_thread(lambda: [*media_root.rglob("*evil*"), *media_root.parent.glob("*evil*")])
    assert not evil
    headers = auth(world["driver"])
    for trick in ("..%2F..%2Fetc%2Fpasswd", "..%2F..%2Fapp.py", "%2E%2E/%2E%2E/app.py", "1%2F..%2F..%2Fapp.py",
                  "1/../../app.py", f"{stored['data']['sha256']}", "1;ls", "/etc/passwd"):
        response = await client.get(f"/api/media/{trick}", headers=headers)
        assert response.status_code in (404, 422), trick
        assert b"def build()" not in response.content and b"root:x:" not in response.content


@pytest.mark.parametrize(
    ("content", "name", "kind", "problem"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "receipt.jpg", "PHOTO", "not an image"),
        (b"<html><script>alert(document.cookie)</script></html>", "cat.png", "PHOTO", "not an image"),
        (jpeg_bytes()[:2000], "cut.jpg", "PHOTO", "damaged or truncated"),
        (jpeg_bytes(), "sig.png", "SIGNATURE", "must be a PNG"),
        (b"", "empty.jpg", "PHOTO", "empty"),
    ],
)
async def test_bad_uploads_are_refused(world: World, client: AsyncClient, content: bytes, name: str, kind: str,
                                       problem: str) -> None:
    refused = await _upload(client, world, "driver", content, name=name, kind=kind)
    assert refused["status"] == 422 and problem in refused["message"]


async def test_a_signature_uploads_and_records(world: World, client: AsyncClient) -> None:
    await _creation(client, world)
    stored = await _upload(client, world, "driver", signature_bytes(), name="sig.png", kind="SIGNATURE",
                           content_type="image/png")
    assert stored["status"] == 201 and stored["data"]["kind"] == "SIGNATURE"
    url = f"/api/mobile/journey/{world.journey_id}/phases/MORNING_PREP/items"
    wrong = await client.post(url, json={"item_key": "vehicle_photo", "media_id": stored["data"]["id"]},
                              headers=auth(world["driver"]))
    assert wrong.status_code == 422 and "needs the id of a photo" in wrong.json()["message"]


async def test_oversized_uploads_are_cut_off(world: World, client: AsyncClient) -> None:
    big = b"\xff\xd8\xff" + b"\0" * (MAX_PHOTO_BYTES + 10)
    refused = await _upload(client, world, "driver", big)
    assert refused["status"] == 413 and refused["error"] == "too_large"
    just_over_file_limit = b"\xff\xd8\xff" + b"\0" * MAX_PHOTO_BYTES
    refused = await _upload(client, world, "driver", just_over_file_limit)
    assert refused["status"] == 413 and "10 MB" in refused["message"]
    signature = b"\x89PNG\r\n\x1a\n" + b"\0" * (2 * 1024 * 1024)
    refused = await _upload(client, world, "driver", signature, name="s.png", kind="SIGNATURE")
    assert refused["status"] == 413 and "1 MB" in refused["message"]


async def test_a_body_without_length_is_counted_while_it_arrives(world: World, client: AsyncClient) -> None:
    sent = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal sent
        yield b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\n\r\n"
        for _ in range(40):  # 40 MB if nobody stops reading
            sent += 1
            yield b"\0" * (1024 * 1024)

    response = await client.post(f"/api/mobile/journey/{world.journey_id}/media", content=endless(), headers={
        **auth(world["driver"]), "content-type": "multipart/form-data; boundary=b"})
    assert response.status_code == 413 and response.json()["error"] == "too_large"
    assert sent <= 12  # reading stopped right after the limit
