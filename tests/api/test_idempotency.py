"""`Idempotency-Key` on creates, and a create's answer built inside its own transaction.

A retried create (same key, same body) gets the first answer again, byte for byte, without a
second write; the same key with another body is refused; keys expire. And a database fault at any
moment of a create gives either the write and its 2xx, or neither (a real proxy in front of
PostgreSQL resets every connection at the moment named by the SQL it has seen)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest
from nicegui.testing import User
from sqlalchemy import func, select, update

from db.enums import Phase
from db.models import AuditEntry, IdempotencyKey, Journey, Media, StepActivity, Truck
from db.models import User as UserModel
from db.session import dispose_engine, init_engine
from domain.access.tokens import issue_token
from domain.idempotency import KEY_LIFETIME, prune_keys
from domain.runtime.health import wait_started
from domain.timewindow import today_in
from domain.unit_of_work import read_session, unit_of_work
from db.models import utcnow
from tests.db_proxy import DatabaseProxy
from domain.workflow import phases as workflow
from tests.helpers import bearer, count
from tests.journey_factory import CREATION_ITEMS, jpeg_bytes, make_world
from tests.principals import principal_for

pytestmark = pytest.mark.postgres_only

STARTUP_PATIENCE_SECONDS = 60


async def _headers(email: str, key: str | None = None) -> dict[str, str]:
    headers = bearer(issue_token(await principal_for(email))[0])
    return {**headers, "Idempotency-Key": key} if key else headers


async def _journey_body(name: str) -> dict[str, Any]:
    dispatcher = await principal_for("dispatcher@demo.ccrm")
    day = today_in("America/Toronto") + timedelta(days=40)
    return {"location_id": min(dispatcher.assigned_location_ids), "journey_date": day.isoformat(),
            "customer_name": name}


async def _journeys_named(name: str) -> int:
    return await count(Journey, Journey.customer_name == name)


async def test_a_retried_create_gets_the_same_answer_without_a_second_write(demo: str, user: User) -> None:
    headers = await _headers("dispatcher@demo.ccrm", "create-olivia-1")
    body = await _journey_body("Olivia Once")
    first = await user.http_client.post("/api/journey", json=body, headers=headers)
    assert first.status_code == 201, first.text
    audits = await count(AuditEntry)
    again = await user.http_client.post("/api/journey", json=body, headers=headers)
    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert again.headers["idempotent-replayed"] == "true"
    assert await _journeys_named("Olivia Once") == 1
    assert await count(AuditEntry) == audits  # nothing written, nothing audited
    other = await user.http_client.post("/api/journey", json={**body, "customer_name": "Someone Else"},
                                        headers=headers)
    assert other.status_code == 422
    assert other.json()["error"] == "idempotency_key_reused"
    assert "already used" in other.json()["message"]
    assert await _journeys_named("Someone Else") == 0
    fresh = await user.http_client.post("/api/journey", json=body, headers={**headers, "Idempotency-Key": "k2"})
    assert fresh.status_code == 201 and await _journeys_named("Olivia Once") == 2  # a new key is a new request


async def test_the_same_key_of_another_user_is_another_request(demo: str, user: User) -> None:
    body = await _journey_body("Two Users")
    for email in ("dispatcher@demo.ccrm", "manager@demo.ccrm"):
        response = await user.http_client.post("/api/journey", json=body, headers=await _headers(email, "same"))
        assert response.status_code == 201, response.text
        assert "idempotent-replayed" not in response.headers
    assert await _journeys_named("Two Users") == 2


async def test_concurrent_requests_with_one_key_write_once(demo: str, user: User) -> None:
    headers = await _headers("dispatcher@demo.ccrm", "race")
    body = await _journey_body("Racing Rita")
    answers = await asyncio.gather(*(user.http_client.post("/api/journey", json=body, headers=headers)
                                     for _ in range(4)))
    assert {a.status_code for a in answers} == {201}
    assert len({a.content for a in answers}) == 1
    assert await _journeys_named("Racing Rita") == 1


async def test_a_refused_create_keeps_no_key(demo: str, user: User) -> None:
    headers = await _headers("dispatcher@demo.ccrm", "refused-then-fixed")
    body = await _journey_body("Fixed Later")
    refused = await user.http_client.post("/api/journey", json={**body, "journey_date": "1999-01-01"},
                                          headers=headers)
    assert refused.status_code == 422
    assert await count(IdempotencyKey) == 0
    assert (await user.http_client.post("/api/journey", json={**body, "journey_date": "1999-01-01"},
                                        headers=headers)).status_code == 422


@pytest.mark.parametrize("key", ["", "x" * 201, "with space", "é".encode()])
async def test_a_malformed_key_is_refused(demo: str, user: User, key: str | bytes) -> None:
    headers = await _headers("dispatcher@demo.ccrm")
    response = await user.http_client.post("/api/journey", json=await _journey_body("Bad Key"),
                                           headers=httpx.Headers({**headers, "Idempotency-Key": key}))
    assert response.status_code == 422 and response.json()["error"] == "validation_error"
    assert await _journeys_named("Bad Key") == 0


async def test_keys_expire_and_are_pruned(demo: str, user: User) -> None:
    headers = await _headers("dispatcher@demo.ccrm", "old")
    body = await _journey_body("Yesterday's Key")
    assert (await user.http_client.post("/api/journey", json=body, headers=headers)).status_code == 201
    async with unit_of_work() as session:
        await session.execute(update(IdempotencyKey).values(created_at=utcnow() - KEY_LIFETIME - timedelta(minutes=1)))
    again = await user.http_client.post("/api/journey", json=body, headers=headers)
    assert again.status_code == 201 and "idempotent-replayed" not in again.headers
    assert await _journeys_named("Yesterday's Key") == 2
    assert await prune_keys(utcnow() + KEY_LIFETIME + timedelta(minutes=1)) == 1
    assert await count(IdempotencyKey) == 0


async def test_admin_creates_take_a_key(demo: str, user: User) -> None:
    headers = await _headers("admin@demo.ccrm", "new-truck")
    async with read_session() as session:
        location_id = await session.scalar(select(Truck.location_id).limit(1))
    body = {"location_id": location_id, "number": "T-IDEM-1"}
    first = await user.http_client.post("/api/admin/trucks", json=body, headers=headers)
    assert first.status_code == 201, first.text
    again = await user.http_client.post("/api/admin/trucks", json=body, headers=headers)
    assert again.content == first.content and again.headers["idempotent-replayed"] == "true"
    assert await count(Truck, Truck.number == "T-IDEM-1") == 1
    user_body = {"email": "idem@demo.ccrm", "full_name": "Idem Potent", "role": "MOVER",
                 "password": "long-enough-pw-1"}
    user_headers = {**headers, "Idempotency-Key": "new-user"}
    created = [await user.http_client.post("/api/admin/users", json=user_body, headers=user_headers) for _ in range(2)]
    assert [c.status_code for c in created] == [201, 201] and created[0].content == created[1].content
    assert await count(UserModel, UserModel.email == "idem@demo.ccrm") == 1


async def _through_proxy(demo: str, proxy: DatabaseProxy) -> None:
    async with asyncio.timeout(STARTUP_PATIENCE_SECONDS):
        await wait_started()
    await dispose_engine()
    init_engine(proxy.url_for(demo))


async def _consistent(response: httpx.Response, name: str) -> int:
    """Either the write and a 2xx, or neither; how many journeys have `name`."""
    written = await _journeys_named(name)
    if response.status_code == 201:
        assert written == 1
    else:
        assert response.status_code == 503, response.text
        assert written == 0, "the journey exists, yet the client was told it failed"
    return written


async def test_a_fault_after_the_commit_of_the_write_cannot_fail_its_answer(demo: str, user: User) -> None:
    """Before: the route committed, then read the card back on another connection; a fault then
    answered 500 for a journey that existed, and a client retrying made a duplicate."""
    headers = await _headers("dispatcher@demo.ccrm")
    body = await _journey_body("After Commit")
    with DatabaseProxy.for_url(demo, reset_after=(b"INSERT INTO journeys", b"COMMIT", b"FROM journeys")) as proxy:
        await _through_proxy(demo, proxy)
        response = await user.http_client.post("/api/journey", json=body, headers=headers)
        await dispose_engine()
    init_engine(demo)
    await _consistent(response, "After Commit")


async def test_a_fault_between_the_write_and_its_answer_writes_nothing_and_a_retry_writes_once(
        demo: str, user: User) -> None:
    headers = await _headers("dispatcher@demo.ccrm", "fault-then-retry")
    body = await _journey_body("Between")
    with DatabaseProxy.for_url(demo, reset_after=(b"INSERT INTO journeys", b"FROM journeys")) as proxy:
        await _through_proxy(demo, proxy)
        failed = await user.http_client.post("/api/journey", json=body, headers=headers)
        assert failed.status_code == 503 and failed.headers["retry-after"]
        assert await _consistent(failed, "Between") == 0
        retried = await user.http_client.post("/api/journey", json=body, headers=headers)
        assert retried.status_code == 201, retried.text
        await dispose_engine()
    init_engine(demo)
    assert await _consistent(retried, "Between") == 1
    async with read_session() as session:
        assert await session.scalar(select(func.count()).select_from(IdempotencyKey)) == 1


async def test_an_upload_and_a_record_take_a_key(db: str, user: User) -> None:
    world = await make_world()
    headers = {**bearer(issue_token(world["driver"])[0]), "Idempotency-Key": "photo-1"}
    path = f"/api/mobile/journey/{world.journey_id}/media"
    photo = {"file": ("truck.jpg", jpeg_bytes(), "image/jpeg")}
    first = await user.http_client.post(path, files=photo, data={"kind": "PHOTO"}, headers=headers)
    assert first.status_code == 201, first.text
    again = await user.http_client.post(path, files=photo, data={"kind": "PHOTO"}, headers=headers)
    assert again.content == first.content and again.headers["idempotent-replayed"] == "true"
    other = await user.http_client.post(path, files={"file": ("b.jpg", jpeg_bytes(colour="red"), "image/jpeg")},
                                        data={"kind": "PHOTO"}, headers=headers)
    assert other.status_code == 422 and other.json()["error"] == "idempotency_key_reused"
    assert await count(Media) == 1
    await workflow.complete_phase(world["dispatcher"], world.journey_id, Phase.CREATION, CREATION_ITEMS)
    record = f"/api/mobile/journey/{world.journey_id}/phases/MORNING_PREP/items"
    item = {"item_key": "fuel_level", "value": 80}
    answers = [await user.http_client.post(record, json=item, headers={**headers, "Idempotency-Key": "fuel"})
               for _ in range(2)]
    assert [a.status_code for a in answers] == [201, 201] and answers[0].content == answers[1].content
    assert answers[1].headers["idempotent-replayed"] == "true"
    assert await count(StepActivity, StepActivity.item_key == "fuel_level") == 1
