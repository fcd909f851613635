"""Move documents and signature consent over real HTTP (the app's ASGI stack) and PostgreSQL:
signatures refused without consent on the items API and the outbox, the evidence the server saw,
downloads within the journey's scope, and verifying a file (one changed byte: not issued here)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from httpx import AsyncClient
from nicegui.testing import User
from sqlalchemy import func, select

from db.enums import Phase
from db.models import MoveDocument, StepActivity
from domain.access.rbac import Principal
from domain.access.tokens import issue_token
from domain.documents.library import MAX_VERIFY_BYTES
from domain.unit_of_work import read_session
from tests.journey_factory import World, consent, make_world, signature_bytes, through

pytestmark = pytest.mark.postgres_only
PHONE = "Mozilla/5.0 (Linux; Android 14; Pixel 8) Mobile"


def auth(principal: Principal) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(principal)[0]}", "User-Agent": PHONE}


@pytest.fixture
async def world(db: str) -> World:
    journey = await make_world()
    await through(journey, Phase.MORNING_PREP)  # pickup has started: the bill of lading exists
    return journey


@pytest.fixture
def client(world: World, user: User) -> AsyncClient:
    return user.http_client


async def _signature_id(client: AsyncClient, world: World, strokes: int = 3) -> int:
    response = await client.post(f"/api/mobile/journey/{world.journey_id}/media", headers=auth(world["driver"]),
                                 files={"file": ("s.png", signature_bytes(strokes), "image/png")},
                                 data={"kind": "SIGNATURE"})
    assert response.status_code == 201, response.text
    return int(response.json()["data"]["id"])


async def _signatures() -> int:
    async with read_session() as session:
        return await session.scalar(select(func.count()).select_from(StepActivity)
                                    .where(StepActivity.item_key == "pickup_signature")) or 0


async def _bill_of_lading(world: World) -> MoveDocument:
    async with read_session() as session:
        found = await session.scalar(select(MoveDocument).where(MoveDocument.journey_id == world.journey_id)
                                     .order_by(MoveDocument.version.desc()).limit(1))
    assert found is not None
    return found


async def test_the_items_api_refuses_a_signature_without_consent_then_keeps_the_evidence(
        world: World, client: AsyncClient) -> None:
    media_id = await _signature_id(client, world)
    url = f"/api/mobile/journey/{world.journey_id}/phases/PICKUP/items"
    refused = await client.post(url, json={"item_key": "pickup_signature", "media_id": media_id, "signer": "Ada"},
                                headers=auth(world["driver"]))
    assert refused.status_code == 422 and "accept the consent to sign electronically" in refused.json()["message"]
    assert await _signatures() == 0
    given = consent("Ada Lovelace", position={"lat": 43.65, "lng": -79.38})
    recorded = await client.post(url, json={"item_key": "pickup_signature", "media_id": media_id, "consent": given},
                                 headers=auth(world["driver"]))
    assert recorded.status_code == 201, recorded.text
    data = recorded.json()["data"]["data"]
    assert data["signer"] == "Ada Lovelace"
    assert data["evidence"]["device"] == PHONE and data["evidence"]["ip"]  # what the request carried
    assert data["evidence"]["position"] == {"lat": 43.65, "lng": -79.38}
    assert (await _bill_of_lading(world)).version == 2  # re-issued, signed


async def test_the_outbox_refuses_a_signature_without_consent(world: World, client: AsyncClient) -> None:
    media_id = await _signature_id(client, world)

    def action(**extra: object) -> dict[str, object]:
        return {"key": str(uuid.uuid4()), "kind": "item.record", "phase": "PICKUP",
                "made_at": datetime.now(UTC).isoformat(), "item_key": "pickup_signature", "media_id": media_id,
                **extra}

    url = f"/api/mobile/journey/{world.journey_id}/actions"
    refused = await client.post(url, json=action(signer="Ada"), headers=auth(world["driver"]))
    assert refused.status_code == 422 and "consent" in refused.json()["message"]
    assert await _signatures() == 0
    applied = await client.post(url, json=action(signer="Ada", consent={k: v for k, v in consent().items()
                                                                          if k != "name"}),
                                headers=auth(world["driver"]))
    assert applied.status_code == 200, applied.text
    assert await _signatures() == 1  # the typed name may come as `signer`


async def test_downloads_and_the_list_follow_the_journey_scope(world: World, client: AsyncClient) -> None:
    document = await _bill_of_lading(world)
    listed = await client.get(f"/api/journeys/{world.journey_id}/documents", headers=auth(world["manager"]))
    assert listed.status_code == 200
    [shown] = listed.json()["data"]
    assert shown["title"] == "Bill of lading" and shown["sha256"] == document.sha256
    for who in ("driver", "manager", "auditor"):
        response = await client.get(f"/api/documents/{document.id}/file", headers=auth(world[who]))
        assert response.status_code == 200 and response.content == document.content
        assert response.headers["content-type"] == "application/pdf"
        assert response.headers["content-disposition"].startswith("attachment")
    other = await make_world(company_name="Other Movers")
    for outsider in (world["other_driver"], world["outsider_manager"], other["admin"]):
        response = await client.get(f"/api/documents/{document.id}/file", headers=auth(outsider))
        assert response.status_code == 404 and response.json()["error"] == "not_found"
        listed = await client.get(f"/api/journeys/{world.journey_id}/documents", headers=auth(outsider))
        assert listed.status_code == 404
    assert (await client.get(f"/api/documents/{document.id}/file")).status_code == 401


async def test_verify_says_issued_or_not_issued_here(world: World, client: AsyncClient) -> None:
    document = await _bill_of_lading(world)

    async def verify(content: bytes, who: str = "manager") -> tuple[int, dict]:
        response = await client.post("/api/documents/verify", headers=auth(world[who]),
                                     files={"file": ("bill.pdf", content, "application/pdf")})
        return response.status_code, response.json()

    status, body = await verify(document.content)
    assert status == 200 and body["data"]["issued"] is True
    assert body["data"]["document"]["version"] == 1 and body["message"].startswith("Issued here: Bill of lading")
    tampered = bytearray(document.content)
    tampered[200] = (tampered[200] + 1) % 256  # one byte changed
    status, body = await verify(bytes(tampered))
    assert status == 200 and body["data"]["issued"] is False and body["message"].startswith("Not issued here")
    status, body = await verify(document.content, "outsider_manager")  # not within their scope
    assert status == 200 and body["data"]["issued"] is False
    status, body = await verify(b"")
    assert status == 422 and "empty" in body["message"]
    status, body = await verify(b"%PDF-" + b"\0" * MAX_VERIFY_BYTES)
    assert status == 413 and body["error"] == "too_large"
