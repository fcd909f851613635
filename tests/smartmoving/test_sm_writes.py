"""Premium writes over real HTTP: the client attaches a file, sets job notes and lists documents;
the simulator checks what the spec requires, records what it took, refuses a Basic key like the
live API, and the client retries a write on 429 only (a 5xx may have landed: the caller decides)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import httpx
import pytest

from integrations.smartmoving import (
    AuthenticationError,
    NotFoundError,
    OpportunityDocument,
    RequestError,
    ServerError,
    SmartMovingClient,
)
from integrations.smartmoving.premium import parse_documents
from integrations.smartmoving.simulator.script import SimulatorScript
from integrations.smartmoving.simulator.server import SimulatorState
from tests.smartmoving.conftest import API_KEY

PDF = b"%PDF-1.7 report\n%%EOF"


def _opportunity(sim_state: SimulatorState) -> tuple[str, str]:
    opp = sim_state.add_opportunity(dt.date(2026, 11, 20))
    return opp.id, opp.jobs[0].id


def _writes(sim_state: SimulatorState) -> list[tuple[str, str, int | None]]:
    return [(c.method, c.path.rsplit("/", 1)[-1], c.status) for c in sim_state.call_log
            if c.path.endswith(("/attachments", "/notes", "/documents"))]


async def test_an_attachment_is_listed_with_its_name_and_notes_are_set(
        client: SmartMovingClient, sim_state: SimulatorState, sim_url: str) -> None:
    opportunity_id, job_id = _opportunity(sim_state)
    assert await client.opportunity_documents(opportunity_id) == ()
    await client.attach_file(opportunity_id, "completion-report-1a2b3c.pdf", PDF, notes="Issued by C&C CRM")
    listed = await client.opportunity_documents(opportunity_id)
    assert [d.title for d in listed] == ["completion-report-1a2b3c.pdf"] and listed[0].job_id is None
    await client.update_job_notes(opportunity_id, job_id, dispatcherNotes="Crew: Ana")
    await client.update_job_notes(opportunity_id, job_id, dispatcherNotes="Crew: Ana")
    async with SimulatorScript(sim_url, API_KEY) as script:
        received = await script.writes()
    assert received["attachments"][opportunity_id][0] | {"id": None} == {
        "id": None, "fileName": "completion-report-1a2b3c.pdf", "size": len(PDF), "category": 4,
        "notes": "Issued by C&C CRM"}
    assert len(received["note_patches"]) == 2  # every PATCH is recorded...
    assert received["job_notes"] == [{"opportunity_id": opportunity_id, "job_id": job_id,
                                      "dispatcherNotes": "Crew: Ana"}]  # ...and sets the field: once is twice
    assert client.calls == 5


@pytest.mark.parametrize(("body", "message"), [
    ({"fileName": "a.exe"}, "File type is not supported."),
    ({"fileName": ".pdf"}, "between 5 and 300"),
    ({"base64Contents": "not base64!"}, "failed to be attached"),
    ({"category": 0, "fileName": "photo.jpg"}, "does not accept image files"),
    ({"category": 9}, "Category"),
])
async def test_the_simulator_refuses_what_the_spec_refuses(
        sim_state: SimulatorState, sim_url: str, body: dict[str, object], message: str) -> None:
    opportunity_id, _ = _opportunity(sim_state)
    valid = {"base64Contents": "JVBERi0=", "fileName": "report-1.pdf", "category": 4}
    async with httpx.AsyncClient(base_url=sim_url, headers={"x-api-key": API_KEY}) as http:
        answer = await http.post(f"/api/premium/opportunities/{opportunity_id}/attachments", json=valid | body)
    assert answer.status_code == 400 and message in answer.json()["message"]
    assert sim_state.writes.attached_to(opportunity_id) == []


async def test_client_errors_of_writes(make_client: Callable[..., SmartMovingClient],
                                       sim_state: SimulatorState) -> None:
    opportunity_id, _ = _opportunity(sim_state)
    client = make_client()
    with pytest.raises(RequestError, match="File type is not supported"):
        await client.attach_file(opportunity_id, "report.exe", PDF)
    with pytest.raises(NotFoundError):
        await client.update_job_notes(opportunity_id, "no-such-job", dispatcherNotes="x")
    sim_state.premium = False  # a Basic key: premium paths answer 403, as live
    with pytest.raises(AuthenticationError):
        await client.attach_file(opportunity_id, "report.pdf", PDF)
    assert sim_state.writes.attached_to(opportunity_id) == []


async def test_a_write_is_retried_on_429_but_not_on_5xx(make_client: Callable[..., SmartMovingClient],
                                                        sim_state: SimulatorState) -> None:
    opportunity_id, job_id = _opportunity(sim_state)
    client = make_client()
    sim_state.requests_before_outage = 0
    with pytest.raises(ServerError):
        await client.attach_file(opportunity_id, "report.pdf", PDF)
    assert _writes(sim_state) == [("POST", "attachments", 500)]  # one attempt: it may have landed
    sim_state.requests_before_outage = None
    now = [0.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    sim_state.clock = lambda: now[0]
    sim_state.rate_limit_per_minute = 1
    fake = make_client(clock=lambda: now[0], sleep=sleep, max_backoff=120.0)
    await fake.update_job_notes(opportunity_id, job_id, dispatcherNotes="first")
    await fake.update_job_notes(opportunity_id, job_id, dispatcherNotes="second")
    assert _writes(sim_state)[1:] == [("PATCH", "notes", 200), ("PATCH", "notes", 429), ("PATCH", "notes", 200)]
    assert fake.calls == 3 and now[0] >= 60  # Retry-After waited on the fake clock


def test_documents_listing_parses_both_lists_and_tolerates_nulls() -> None:
    raw = {"opportunityDocuments": [{"id": "d1", "title": "Estimate", "isComplete": True, "url": None}],
           "jobDocuments": [{"jobId": "j1", "id": "d2", "title": None}]}
    assert parse_documents(raw) == (OpportunityDocument("d1", "Estimate"), OpportunityDocument("d2", "", "j1"))
    assert parse_documents({"opportunityDocuments": None, "jobDocuments": None}) == ()
