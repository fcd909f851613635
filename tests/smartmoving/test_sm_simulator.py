"""The simulator itself: deterministic data, wire shapes as NOTES.md describes, standalone run,
and the webhook emitter."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import tempfile
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request

from integrations.smartmoving.normalise import parse_webhook_event
from integrations.smartmoving.records import JobType, OpportunityStatus
from integrations.smartmoving.simulator.server import SimulatorState, WebhookEmitter
from integrations.smartmoving.simulator.data import BRANCHES_FILE
from integrations.smartmoving.simulator.views import jobs_json, opportunity_json
from tests.smartmoving.conftest import simulator_process

DAY = dt.date(2026, 11, 20)
DAYS = [DAY + dt.timedelta(days=n) for n in range(4)]


def _snapshot(state: SimulatorState, day: dt.date) -> list[Any]:
    return [(opportunity_json(o, include_addresses=True, include_charges=True, malformed=False),
             jobs_json(o, malformed=False), o.customer_name, o.customer_email)
            for o in state.opportunities_on(day)]


def test_same_seed_and_date_give_identical_data() -> None:
    first, second, other = SimulatorState(seed=7), SimulatorState(seed=7), SimulatorState(seed=8)
    assert _snapshot(first, DAY) == _snapshot(second, DAY)
    assert first.catalogue.users == second.catalogue.users
    assert {o.id for o in first.opportunities_on(DAY)}.isdisjoint(
        o.id for o in other.opportunities_on(DAY))


def test_days_have_150_to_250_jobs_and_every_status_and_job_type() -> None:
    state = SimulatorState(seed=7)
    address_counts: set[int] = set()
    for day in DAYS:
        opportunities = state.opportunities_on(day)
        jobs = [job for o in opportunities for job in o.jobs]
        assert 150 <= len(jobs) <= 250
        assert {o.status for o in opportunities} == set(OpportunityStatus)
        assert {job.type for job in jobs} >= set(JobType) | {101}
        address_counts |= {len(job.addresses) for job in jobs}
    assert {0, 1, 2} <= address_counts
    everything = [o for day in DAYS for o in state.opportunities_on(day)]
    assert len({o.id for o in everything}) == len(everything)
    assert len({o.quote_number for o in everything}) == len(everything)
    assert len({o.branch.code for o in everything}) > 50


def test_job_times_fall_in_the_branch_local_day() -> None:
    state = SimulatorState(seed=7)
    for opp in state.opportunities_on(DAY):
        for job in opp.jobs:
            if opp.status in (OpportunityStatus.NEW_LEAD, OpportunityStatus.LEAD_IN_PROGRESS,
                              OpportunityStatus.BAD_LEAD):
                assert job.start is None
                continue
            assert job.start is not None and job.end is not None
            assert job.start.astimezone(opp.branch.tz).date() == DAY
            assert job.end.astimezone(opp.branch.tz).date() == DAY


def test_ids_resolve_in_a_fresh_simulator() -> None:
    """Ids carry their day, so a restarted simulator still finds them without a listing."""
    opp = SimulatorState(seed=7).opportunities_on(DAY)[10]
    fresh = SimulatorState(seed=7).opportunity(opp.id)
    assert fresh is not None and fresh.customer_name == opp.customer_name
    assert SimulatorState(seed=8).opportunity(opp.id) is None


def test_branch_catalogue() -> None:
    rows = json.loads(BRANCHES_FILE.read_text(encoding="utf-8"))
    assert 60 <= len(rows) <= 70 and sum(r["country"] == "CA" for r in rows) >= 44
    assert len({r["code"] for r in rows}) == len(rows)
    calgary = next(r for r in rows if r["code"] == "CALGARY")
    assert calgary["sm_name"] == "CALGARY 🇨🇦 - Let's Get Moving"
    assert calgary["timezone"] == "America/Edmonton"
    for row in rows:
        flag = "🇨🇦" if row["country"] == "CA" else "🇺🇸"
        assert row["sm_name"].endswith(f"{flag} - Let's Get Moving")
        assert 24 < row["lat"] < 50 if row["country"] == "US" else 42 < row["lat"] < 54


async def test_wire_shapes_match_the_notes(sim_url: str, sim_state: SimulatorState) -> None:
    async with httpx.AsyncClient(base_url=sim_url, headers={"x-api-key": sim_state.api_key}) as http:
        next_day = DAY + dt.timedelta(days=1)
        listing = (await http.get("/api/customers", params={
            "FromServiceDate": f"{DAY:%Y%m%d}", "ToServiceDate": f"{next_day:%Y%m%d}",
            "PageSize": 1000})).json()
        assert listing["pageSize"] == 200 and listing["pageNumber"] == 1
        assert listing["totalThisPage"] == len(listing["pageResults"]) == 200
        assert listing["totalResults"] == len(sim_state.opportunities_between(DAY, next_day))
        assert listing["lastPage"] is False and listing["totalPages"] == 2
        summary = next(c["opportunities"][0] for c in listing["pageResults"]
                       if c["opportunities"][0]["jobs"][0]["serviceDate"] == f"{DAY:%Y%m%d}")
        assert isinstance(summary["quoteNumber"], str)

        last = (await http.get("/api/customers", params={
            "FromServiceDate": f"{DAY:%Y%m%d}", "Page": 99})).json()
        assert last["pageResults"] == [] and last["lastPage"] is True

        detail = (await http.get(f"/api/opportunities/{summary['id']}")).json()
        assert detail["quoteNumber"] == int(summary["quoteNumber"])
        assert detail["serviceDate"] == int(f"{DAY:%Y%m%d}")
        assert set(detail["branch"]) == {"name", "phoneNumber"}
        assert detail["jobs"][0]["jobAddresses"] is None  # not asked for
        with_addresses = (await http.get(f"/api/opportunities/{summary['id']}",
                                         params={"IncludeJobAddresses": "true"})).json()
        assert isinstance(with_addresses["jobs"][0]["jobAddresses"], list)

        jobs = (await http.get(f"/api/opportunities/{summary['id']}/jobs")).json()
        assert isinstance(jobs, list) and jobs[0]["jobDate"] == int(f"{DAY:%Y%m%d}")

        missing = await http.get("/api/opportunities/3fa85f64-5717-4562-b3fc-2c963f66afa6")
        assert missing.status_code == 400 and missing.json() == {
            "message": "Opportunity not found"}

    async with httpx.AsyncClient(base_url=sim_url) as anonymous:
        denied = await anonymous.get("/api/ping")
        assert denied.status_code == 401 and "message" in denied.json()
        by_query = await anonymous.get("/api/ping", params={"api-key": sim_state.api_key})
        assert by_query.status_code == 200
    assert sim_state.calls["/api/ping"] == 2


async def test_webhook_emitter_posts_thin_payloads_with_the_secret_header(
        serve_app: Callable[[Any], contextlib.AbstractContextManager[str]]) -> None:
    received: list[tuple[str | None, Any]] = []
    receiver = FastAPI()

    @receiver.post("/hooks/smartmoving")
    async def hook(request: Request) -> dict[str, bool]:
        received.append((request.headers.get("x-smartmoving-auth"), await request.json()))
        return {"ok": True}

    with serve_app(receiver) as url:
        emitter = WebhookEmitter(f"{url}/hooks/smartmoving", "x-smartmoving-auth", "s3cret")
        assert await emitter.emit("opportunity-status-changed", "opp-1", 4) == 200
        assert await emitter.emit_burst("opportunity-changed", "opp-1", repeats=5) == [200] * 5

    assert received[0] == ("s3cret", {"event-type": "opportunity-status-changed",
                                      "opportunity-id": "opp-1", "opportunity-status": 4})
    assert received[1:] == [("s3cret", {"event-type": "opportunity-changed",
                                        "opportunity-id": "opp-1"})] * 5
    event = parse_webhook_event(received[0][1])
    assert event.opportunity_status is OpportunityStatus.BOOKED


def test_runs_standalone_with_python_m() -> None:
    """Also the benchmarks' knob: `--jobs-on` serves that many jobs on that day, none on others."""
    listing = {"IncludeOpportunityInfo": "true", "PageSize": "200"}
    with tempfile.TemporaryFile() as stderr:
        with simulator_process(["--seed", "3", "--jobs-on", f"{DAY}=40", "--log-level", "warning"],
                               api_key="k", stderr=stderr) as url, \
                httpx.Client(base_url=url, headers={"x-api-key": "k"}) as http:
            branches = http.get("/api/branches")
            on_day = http.get("/api/customers", params={**listing, "FromServiceDate": f"{DAY:%Y%m%d}"})
            next_day = http.get("/api/customers", params={
                **listing, "FromServiceDate": f"{DAY + dt.timedelta(days=1):%Y%m%d}"})
        stderr.seek(0)
        assert b"RuntimeWarning" not in stderr.read()  # the module was not imported twice
    assert branches.status_code == 200 and branches.json()["totalResults"] == 66
    jobs = [job for customer in on_day.json()["pageResults"] for opp in customer["opportunities"]
            for job in opp["jobs"]]
    assert len(jobs) == 40
    assert next_day.json()["totalResults"] == 0


def test_jobs_on_keeps_the_mix_and_refuses_impossible_days() -> None:
    state = SimulatorState(seed=7, jobs_on={DAY: 2_000})
    opportunities = state.opportunities_on(DAY)
    assert sum(len(o.jobs) for o in opportunities) == 2_000
    assert {o.status for o in opportunities} == set(OpportunityStatus)
    booked = sum(o.status == OpportunityStatus.BOOKED for o in opportunities) / len(opportunities)
    assert 0.3 < booked < 0.5  # the usual weights, not one kind of job
    assert state.opportunities_on(DAY + dt.timedelta(days=1)) == []
    assert state.opportunity(opportunities[-1].id) is opportunities[-1]
    with pytest.raises(ValueError, match="a day holds"):
        SimulatorState(jobs_on={DAY: 5})
