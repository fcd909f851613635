"""The client against the simulator over real HTTP: paging, shapes, details, mutations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest

from integrations.smartmoving.client import SmartMovingClient
from integrations.smartmoving.errors import AuthenticationError, NotFoundError
from integrations.smartmoving.records import JobType, OpportunityStatus
from integrations.smartmoving.simulator.server import SimulatorState

DAY = dt.date(2026, 11, 20)


async def test_reference_data(client: SmartMovingClient, sim_state: SimulatorState) -> None:
    branches = await client.branches()
    assert len(branches.items) == 66 and branches.errors == ()
    calgary = next(b for b in branches.items if b.name == "CALGARY 🇨🇦 - Let's Get Moving")
    assert (calgary.city, calgary.state) == ("Calgary", "AB")
    assert calgary.lat == pytest.approx(51.0447)
    assert {s.id for s in (await client.service_types()).items} >= {int(t) for t in JobType}
    assert any(m.name == "Studio" for m in (await client.move_sizes()).items)
    tariffs = (await client.tariffs()).items
    materials = await client.tariff_materials(tariffs[0].id)
    assert materials.items
    assert all(m.rate and m.cost and m.rate > m.cost for m in materials.items)
    assert len((await client.referral_sources()).items) == 10
    await client.ping()
    assert client.calls == len(sim_state.call_log) == 7


async def test_users_page_until_last_page(client: SmartMovingClient,
                                          sim_state: SimulatorState) -> None:
    users = await client.users()
    assert len(users.items) == len(sim_state.catalogue.users) > 200
    assert len({u.id for u in users.items}) == len(users.items)
    assert sim_state.calls["/api/users"] == client.calls == 2
    assert all(u.primary_branch_name and u.role_name for u in users.items)


async def test_customers_of_a_date_range_over_several_pages(
        client: SmartMovingClient, sim_state: SimulatorState) -> None:
    listing = await client.customers_by_service_date(DAY, DAY + dt.timedelta(days=1))
    expected = sim_state.opportunities_between(DAY, DAY + dt.timedelta(days=1))
    assert len(expected) > 200 and listing.errors == ()
    assert client.calls == -(-len(expected) // 200)
    opportunities = {o.id: o for c in listing.items for o in c.opportunities}
    assert set(opportunities) == {o.id for o in expected}
    sample = expected[0]
    summary = opportunities[sample.id]
    assert summary.quote_number == str(sample.quote_number)
    assert summary.status == sample.status
    assert [j.service_date for j in summary.jobs] == [j.day for j in sample.jobs]


async def test_bare_array_customers_are_paged_too(make_client: Callable[..., SmartMovingClient],
                                                  sim_state: SimulatorState) -> None:
    enveloped = await make_client().customers_by_service_date(DAY, DAY + dt.timedelta(days=1))
    sim_state.customers_as_bare_array = True
    bare_client = make_client()
    bare = await bare_client.customers_by_service_date(DAY, DAY + dt.timedelta(days=1))
    assert len(bare.items) > 200
    assert [c.id for c in bare.items] == [c.id for c in enveloped.items]
    assert bare_client.calls == -(-len(bare.items) // 200)  # stops on the short page


async def test_opportunity_details_and_job_times(client: SmartMovingClient,
                                                 sim_state: SimulatorState) -> None:
    listing = await client.customers_by_service_date(DAY, DAY)
    summaries = [o for c in listing.items for o in c.opportunities]
    sim = next(o for o in sim_state.opportunities_on(DAY)
               if o.status == OpportunityStatus.CLOSED and len(o.jobs[0].addresses) >= 2)
    summary = next(s for s in summaries if s.id == sim.id)

    detail = await client.opportunity(sim.id)
    assert detail.quote_number == summary.quote_number == str(sim.quote_number)
    assert detail.branch_name == sim.branch.name
    assert detail.customer_name == sim.customer_name
    assert detail.estimated_total == Decimal(str(sim.final_total))
    job = detail.jobs[0]
    assert job.addresses == tuple(sim.jobs[0].addresses)
    assert job.origin == sim.jobs[0].addresses[0]
    assert job.estimated_charges_total == sum(
        Decimal(str(c["totalCost"])) for c in sim.jobs[0].charges)

    times = await client.opportunity_jobs(sim.id)
    assert times.errors == ()
    first = times.items[0]
    assert first.job_id == job.id
    assert first.start_time_utc == sim.jobs[0].start
    assert first.completed_at_utc is not None and first.closed_at_utc is not None
    local_start = first.start_time_utc.astimezone(sim.branch.tz)  # type: ignore[union-attr]
    assert local_start.date() == DAY and 7 <= local_start.hour <= 13


async def test_unknown_opportunity_is_not_found(client: SmartMovingClient) -> None:
    with pytest.raises(NotFoundError):
        await client.opportunity("3fa85f64-5717-4562-b3fc-2c963f66afa6")
    assert client.calls == 1


async def test_bad_key_is_401_and_not_retried(make_client: Callable[..., SmartMovingClient],
                                              sim_state: SimulatorState) -> None:
    client = make_client(api_key="wrong", max_retries=5)
    with pytest.raises(AuthenticationError):
        await client.branches()
    assert client.calls == 1
    assert [r.status for r in sim_state.call_log] == [401]


async def test_changes_show_in_listing_and_details(client: SmartMovingClient,
                                                   sim_state: SimulatorState) -> None:
    target, removed = sim_state.opportunities_on(DAY)[:2]
    sim_state.update_opportunity(target.id, status=OpportunityStatus.CANCELLED,
                                 estimated_total=1234.5, customer_name="Zed Changed")
    sim_state.remove_opportunity(removed.id)
    added = sim_state.add_opportunity(DAY, job_types=(JobType.JUNK_REMOVAL,))

    listing = await client.customers_by_service_date(DAY, DAY)
    by_opportunity = {o.id: (c, o) for c in listing.items for o in c.opportunities}
    customer, summary = by_opportunity[target.id]
    assert customer.name == "Zed Changed"
    assert summary.status is OpportunityStatus.CANCELLED
    assert removed.id not in by_opportunity
    assert by_opportunity[added.id][1].jobs[0].type is JobType.JUNK_REMOVAL

    detail = await client.opportunity(target.id)
    assert (detail.status, detail.estimated_total, detail.customer_name) == (
        OpportunityStatus.CANCELLED, Decimal("1234.5"), "Zed Changed")
    with pytest.raises(NotFoundError):
        await client.opportunity(removed.id)


async def test_rescheduled_opportunity_moves_between_days(client: SmartMovingClient,
                                                          sim_state: SimulatorState) -> None:
    target = sim_state.opportunities_on(DAY)[0]
    next_day = DAY + dt.timedelta(days=1)
    sim_state.update_opportunity(target.id, service_date=next_day)
    before = await client.customers_by_service_date(DAY, DAY)
    after = await client.customers_by_service_date(next_day, next_day)
    assert target.id not in {o.id for c in before.items for o in c.opportunities}
    moved = next(o for c in after.items for o in c.opportunities if o.id == target.id)
    assert {j.service_date for j in moved.jobs} == {next_day}
    assert (await client.opportunity(target.id)).jobs[0].job_date == next_day
