"""The simulator's scripting API over HTTP: every lifecycle change and awkward shape shows in
the API exactly where the live one shows it (listing, details, or both)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from decimal import Decimal

import httpx
import pytest

from integrations.smartmoving import NotFoundError, OpportunityStatus, SmartMovingClient
from integrations.smartmoving.simulator.script import SimulatorScript
from integrations.smartmoving.simulator.server import SimulatorState
from tests.smartmoving.conftest import API_KEY

DAY = dt.date(2026, 11, 20)


@pytest.fixture
async def script(sim_url: str) -> AsyncIterator[SimulatorScript]:
    async with SimulatorScript(sim_url, API_KEY) as sm:
        yield sm


def _listed(listing: object) -> dict[str, tuple[object, object]]:
    return {o.id: (c, o) for c in listing.items for o in c.opportunities}  # type: ignore[attr-defined]


async def test_cancel_rebook_lose_unbook_show_in_listing_and_details(
        client: SmartMovingClient, script: SimulatorScript, sim_state: SimulatorState) -> None:
    target = next(o for o in sim_state.opportunities_on(DAY) if o.status == OpportunityStatus.BOOKED)
    for status, call in ((20, script.cancel), (4, script.book), (30, script.lose), (3, script.unbook)):
        await call(target.id)
        listed = _listed(await client.customers_by_service_date(DAY, DAY))
        assert listed[target.id][1].status == status  # type: ignore[attr-defined]
        assert (await client.opportunity(target.id)).status == status
    assert not sim_state.calls.get("/_script/opportunities")  # scripting is not an API call


async def test_reschedule_inside_and_outside_a_range_and_delete(
        client: SmartMovingClient, script: SimulatorScript, sim_state: SimulatorState) -> None:
    moved, far, deleted = sim_state.opportunities_on(DAY)[:3]
    await script.reschedule(moved.id, DAY + dt.timedelta(days=1))
    await script.reschedule(far.id, DAY + dt.timedelta(days=30))
    await script.delete(deleted.id)
    listed = _listed(await client.customers_by_service_date(DAY, DAY + dt.timedelta(days=1)))
    assert moved.id in listed and far.id not in listed and deleted.id not in listed
    assert {j.service_date for j in listed[moved.id][1].jobs} == {DAY + dt.timedelta(days=1)}  # type: ignore[attr-defined]
    assert (await client.opportunity(far.id)).jobs[0].job_date == DAY + dt.timedelta(days=30)
    with pytest.raises(NotFoundError, match="HTTP 404"):
        await client.opportunity(deleted.id)
    truth = await script.truth(DAY, DAY + dt.timedelta(days=1))
    assert deleted.id not in {row["opportunity_id"] for row in truth}


async def test_details_only_changes_leave_the_listing_identical(
        client: SmartMovingClient, script: SimulatorScript, sim_state: SimulatorState) -> None:
    target = next(o for o in sim_state.opportunities_on(DAY)
                  if o.status == OpportunityStatus.BOOKED and o.jobs[0].start)
    before = (await client.customers_by_service_date(DAY, DAY)).items
    new_start = target.jobs[0].start + dt.timedelta(hours=3)  # type: ignore[operator]
    await script.change_job(target.id, start=new_start, addresses=["1 New St, Toronto, ON", "2 Far Rd, Toronto, ON"])
    await script.set_value(target.id, 1302.5)
    assert (await client.customers_by_service_date(DAY, DAY)).items == before
    detail = await client.opportunity(target.id)
    times = {t.job_id: t for t in (await client.opportunity_jobs(target.id)).items}
    assert detail.estimated_total == Decimal("1302.5")
    assert detail.jobs[0].addresses == ("1 New St, Toronto, ON", "2 Far Rd, Toronto, ON")
    assert times[target.jobs[0].id].start_time_utc == new_start


async def test_awkward_shapes(client: SmartMovingClient, script: SimulatorScript, sim_state: SimulatorState,
                              sim_url: str) -> None:
    first, second, third = sim_state.opportunities_on(DAY)[:3]
    await script.shape(first.id, empty_charges=True)
    await script.set_value(second.id, None)
    empty = await client.opportunity(first.id)
    assert empty.raw["jobs"][0]["estimatedCharges"] == [] and empty.estimated_total is not None
    assert (await client.opportunity(second.id)).raw["estimatedTotal"] is None
    await script.settings(state_names_in_full=True)
    states = {b.state for b in (await client.branches()).items}
    assert {"Texas", "Alberta", "Ontario"} <= states and "TX" not in states
    customer = await script.share_customer([first.id, third.id])
    await script.repeat_customer(customer)
    raw_pages = []
    async with httpx.AsyncClient(base_url=sim_url, headers={"x-api-key": API_KEY}) as http:
        page = 1
        while True:
            body = (await http.get("/api/customers", params={
                "FromServiceDate": "20261120", "ToServiceDate": "20261120", "Page": page, "PageSize": 50})).json()
            raw_pages.append([c["id"] for c in body["pageResults"]])
            if body["lastPage"]:
                break
            page += 1
    pages_with_customer = [n for n, ids in enumerate(raw_pages) if customer in ids]
    assert len(pages_with_customer) == 2 and pages_with_customer[-1] == len(raw_pages) - 1
    listing = await client.customers_by_service_date(DAY, DAY)
    shared = [c for c in listing.items if c.id == customer]
    assert len(shared) == 2 and {o.id for o in shared[0].opportunities} == {first.id, third.id}
    await script.settings(customers_as_bare_array=True)
    bare = await client.customers_by_service_date(DAY, DAY)
    assert {o.id for c in bare.items for o in c.opportunities} == set(_listed(listing))


async def test_awkward_simulator_mixes_the_shapes_in() -> None:
    state = SimulatorState(seed=3, awkward=True)
    opps = state.opportunities_on(DAY)
    assert any(o.empty_charges and not o.null_total for o in opps) and any(o.null_total for o in opps)
    assert len({o.customer_id for o in opps}) < len(opps)


async def test_script_calls_need_the_key(sim_url: str) -> None:
    async with SimulatorScript(sim_url, "wrong") as sm:
        with pytest.raises(Exception, match="401"):
            await sm.truth(DAY, DAY)
