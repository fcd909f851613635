"""`POST /api/smartmoving/webhooks/{company_id}`: the secret header, limits, de-duplication,
and the background refresh that coalesces a burst into one run."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from nicegui.testing import User
from sqlalchemy import select

from db.enums import SyncKind, SyncRunStatus, WebhookStatus
from db.models import SyncRun, WebhookEvent
from domain.sync.webhooks import MAX_WEBHOOK_BYTES, worker
from domain.unit_of_work import read_session
from integrations.smartmoving.simulator.server import SimulatorState, WebhookEmitter
from tests.sync.conftest import WEBHOOK_SECRET
from tests.sync.helpers import run, synced_journeys, window

HEADERS = {"x-smartmoving-auth": WEBHOOK_SECRET}


def url(company_id: int) -> str:
    return f"/api/smartmoving/webhooks/{company_id}"


def body(opportunity_id: str, event_type: str = "opportunity-changed", status: int | None = 4) -> bytes:
    return json.dumps(WebhookEmitter.payload(event_type, opportunity_id, status)).encode()


async def _events() -> list[WebhookEvent]:
    async with read_session() as session:
        return list(await session.scalars(select(WebhookEvent).order_by(WebhookEvent.id)))


async def _webhook_runs() -> list[SyncRun]:
    async with read_session() as session:
        return list(await session.scalars(select(SyncRun).where(SyncRun.kind == SyncKind.WEBHOOK).order_by(SyncRun.id)))


async def test_the_secret_header_is_required(integration: dict[str, Any], company_id: int, user: User) -> None:
    client = user.http_client
    for headers in ({}, {"x-smartmoving-auth": "wrong"}, {"x-other-header": WEBHOOK_SECRET}):
        response = await client.post(url(company_id), content=body("opp-1"), headers=headers)
        assert response.status_code == 401
        assert response.json() == {"success": False, "error": "not_authenticated",
                                   "message": "unknown company or wrong webhook secret"}
    unknown = await client.post(url(company_id + 99), content=body("opp-1"), headers=HEADERS)
    assert unknown.status_code == 401
    accepted = await client.post(url(company_id), content=body("opp-1"),
                                 headers={"X-SmartMoving-Auth": WEBHOOK_SECRET})  # header names are case-free
    assert accepted.status_code == 202 and accepted.json()["data"]["queued"] is True
    assert [e.event_type for e in await _events()] == ["opportunity-changed"]
    await worker.join()


async def test_oversized_and_malformed_bodies_are_refused(integration: dict[str, Any], company_id: int,
                                                          user: User) -> None:
    big = json.dumps({"event-type": "opportunity-changed", "opportunity-id": "x", "pad": "p" * MAX_WEBHOOK_BYTES})
    too_big = await user.http_client.post(url(company_id), content=big, headers=HEADERS)
    assert too_big.status_code == 413 and too_big.json()["error"] == "payload_too_large"
    for junk in (b"not json", b"[]", b'{"opportunity-id": "x"}'):
        response = await user.http_client.post(url(company_id), content=junk, headers=HEADERS)
        assert response.status_code == 422, junk
        assert response.json()["success"] is False
    no_opportunity = await user.http_client.post(url(company_id), headers=HEADERS,
                                                 content=b'{"event-type": "customer-created"}')
    assert no_opportunity.status_code == 202 and no_opportunity.json()["data"]["queued"] is False
    assert [e.status for e in await _events()] == [WebhookStatus.PROCESSED]


async def test_a_burst_of_50_deliveries_is_one_refresh(integration: dict[str, Any], company_id: int,
                                                       sim: SimulatorState, user: User) -> None:
    await run(integration["id"])
    target = next(j for j in (await synced_journeys()).values())
    opportunity_id = target.external_data["opportunity_id"]
    sim.update_opportunity(opportunity_id, estimated_total=4321.0)  # invisible in the listing: webhooks tell
    detail_path = f"/api/opportunities/{opportunity_id}"
    responses = await asyncio.gather(*(user.http_client.post(url(company_id), content=body(opportunity_id),
                                                             headers=HEADERS) for _ in range(50)))
    assert {r.status_code for r in responses} == {202}
    assert sorted(r.json()["data"]["duplicate"] for r in responses) == [False] + [True] * 49
    await worker.join()
    events = await _events()
    assert len(events) == 1 and events[0].status is WebhookStatus.PROCESSED and events[0].processed_at
    runs = await _webhook_runs()
    assert len(runs) == 1 and runs[0].status is SyncRunStatus.SUCCEEDED
    assert sim.calls[detail_path] == 2  # the first sync and this refresh
    siblings = [j for j in (await synced_journeys()).values() if j.external_data["opportunity_id"] == opportunity_id]
    assert runs[0].updated == len(siblings) and runs[0].created == 0
    assert all(j.external_data["opportunity"]["estimatedTotal"]["finalTotal"] == 4321.0 for j in siblings)
    again = await user.http_client.post(url(company_id), content=body(opportunity_id), headers=HEADERS)
    assert again.json()["data"]["duplicate"] is False  # already refreshed: a later edit must not be lost
    await worker.join()
    assert len(await _events()) == 1 and len(await _webhook_runs()) == 2


async def test_repeats_of_several_opportunities_coalesce_into_one_run(integration: dict[str, Any], company_id: int,
                                                                      sim: SimulatorState, user: User) -> None:
    today = window()[0]
    added = [sim.add_opportunity(today) for _ in range(4)]
    deliveries = [(opp.id, kind) for opp in added for kind in ("opportunity-created", "opportunity-changed",
                                                               "opportunity-status-changed")]
    responses = await asyncio.gather(*(user.http_client.post(url(company_id), content=body(opp_id, kind),
                                                             headers=HEADERS) for opp_id, kind in deliveries * 3))
    assert sum(not r.json()["data"]["duplicate"] for r in responses) == len(deliveries)
    await worker.join()
    runs = await _webhook_runs()
    assert len(runs) == 1 and runs[0].status is SyncRunStatus.SUCCEEDED
    assert runs[0].created == len(added)  # new bookings become journeys without waiting for the schedule
    assert all(sim.calls[f"/api/opportunities/{opp.id}"] == 1 for opp in added)
    assert {opp.jobs[0].id for opp in added} <= set(await synced_journeys())
    assert {e.status for e in await _events()} == {WebhookStatus.PROCESSED}


async def test_the_simulators_emitter_is_accepted_by_the_real_endpoint(integration: dict[str, Any], company_id: int,
                                                                       sim: SimulatorState, user: User) -> None:
    """SmartMoving's payload shape as the simulator's emitter sends it."""
    opportunity = sim.add_opportunity(window()[0])
    payload = WebhookEmitter.payload("opportunity-created", opportunity.id, 4)
    response = await user.http_client.post(url(company_id), json=payload, headers=HEADERS)
    assert response.status_code == 202
    await worker.join()
    assert opportunity.jobs[0].id in await synced_journeys()


async def test_a_delivery_about_a_lead_creates_no_journey(integration: dict[str, Any], company_id: int,
                                                          sim: SimulatorState, user: User) -> None:
    """As in the listing sync, only booked opportunities become journeys; a lead's delivery is processed."""
    lead = sim.add_opportunity(window()[0], status=0)
    booked = sim.add_opportunity(window()[0])
    for opportunity in (lead, booked):
        response = await user.http_client.post(url(company_id), content=body(opportunity.id, "opportunity-created",
                                                                              opportunity.status), headers=HEADERS)
        assert response.status_code == 202
    await worker.join()
    journeys = await synced_journeys()
    assert booked.jobs[0].id in journeys and lead.jobs[0].id not in journeys
    runs = await _webhook_runs()
    assert [(r.status, r.created, r.details["ignored"]) for r in runs] == [(SyncRunStatus.SUCCEEDED, 1, 1)]
    assert {e.status for e in await _events()} == {WebhookStatus.PROCESSED}
