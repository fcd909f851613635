"""Premium job details: the arrival window's free text, the job view and inventory parsers (money
never read), payments into the balance due, and the simulator serving them over real HTTP with
the awkward shapes the spec allows, and 403 on premium paths for a Basic key."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from domain.sync.job_fields import ARRIVAL_WINDOW, START_TIME, job_schedule, money_section
from integrations.smartmoving import AuthenticationError, JobTimes, NotFoundError, SmartMovingClient
from integrations.smartmoving.normalise import parse_opportunity_detail
from integrations.smartmoving.premium import ArrivalWindow, parse_arrival_window, parse_inventory, parse_premium_job
from integrations.smartmoving.simulator.server import SimulatorState

DAY = dt.date(2026, 11, 20)
T = dt.time


@pytest.mark.parametrize(("text", "expected"), [
    ("8:00 AM - 10:00 AM", ArrivalWindow(T(8), T(10))),
    ("8-10am", ArrivalWindow(T(8), T(10))),
    ("08:00–10:00", ArrivalWindow(T(8), T(10))),
    ("7:30 to 9", ArrivalWindow(T(7, 30), T(9))),
    ("11 - 1 pm", ArrivalWindow(T(11), T(13))),
    ("between 1 and 3 p.m.", ArrivalWindow(T(13), T(15))),
    ("9:00 AM", ArrivalWindow(T(9), None)),
    ("anytime", None), ("", None), (None, None), ("25:00-26:00", None),
])
def test_arrival_windows_as_offices_type_them(text: str | None, expected: ArrivalWindow | None) -> None:
    assert parse_arrival_window(text) == expected


def _times(start: dt.datetime | None, end: dt.datetime | None = None) -> JobTimes:
    return JobTimes("j-1", start, end, None, None, None)


def test_the_start_is_the_fixed_one_else_the_arrival_window_in_the_branch_zone() -> None:
    premium = {"arrival_window": "8:00 AM - 10:00 AM"}
    fixed = dt.datetime(2026, 11, 20, 15, tzinfo=dt.UTC)
    schedule = job_schedule(_times(fixed), premium, DAY, "America/Toronto")
    assert (schedule.start, schedule.basis) == (fixed, START_TIME)
    assert schedule.window_start == dt.datetime(2026, 11, 20, 13, tzinfo=dt.UTC)  # 08:00 EST
    windowed = job_schedule(_times(None, dt.datetime(2026, 11, 20, 20, tzinfo=dt.UTC)), premium, DAY,
                            "America/Toronto")
    assert (windowed.start, windowed.end, windowed.basis) == (
        dt.datetime(2026, 11, 20, 13, tzinfo=dt.UTC), dt.datetime(2026, 11, 20, 20, tzinfo=dt.UTC), ARRIVAL_WINDOW)
    assert job_schedule(_times(None), None, DAY, "America/Toronto").start is None
    assert job_schedule(None, premium, DAY, "America/Toronto").start is None  # times not fetched: kept


def test_the_job_view_keeps_access_notes_and_quantities_never_money() -> None:
    job = parse_premium_job({
        "id": "j-1", "arrivalWindow": "  ", "startTimeUtc": None,
        "stops": [{"id": "b", "isDestination": True, "order": 1, "addressFullAddress": "2 B St", "stairs": 3,
                   "hasElevator": False, "propertyType": 2},
                  {"id": "a", "isOrigin": True, "order": 0, "addressFullAddress": "1 A St", "addressUnit": "Apt 3B",
                   "parkingDescription": "Driveway", "notes": "Call first", "propertyType": 117}],
        "estimatedMaterials": [{"name": "Medium Box", "materialsQuantity": 20, "materialsRate": 4.95,
                                "packingQuantity": 5, "packingRate": 12.5},
                               {"name": "Unused", "materialsQuantity": 0}],
        "estimatedCharges": [{"totalCost": 999.0}],
    })
    assert job.arrival_window is None and job.times.start_time_utc is None
    assert [s.address for s in job.stops] == ["1 A St", "2 B St"]  # origin first
    assert (job.stops[0].unit, job.stops[0].notes, job.stops[0].property_type) == ("Apt 3B", "Call first", 117)
    assert (job.stops[1].stairs, job.stops[1].has_elevator) == (3, False)
    assert [(m.name, m.quantity, m.packing_quantity) for m in job.materials] == [("Medium Box", 20, 5)]
    assert "999" not in repr(job) and "4.95" not in repr(job)


def test_an_inventory_with_null_parts_counts_what_is_there() -> None:
    assert parse_inventory({"id": "o", "rooms": None, "boxes": None}) == parse_inventory({"id": "o"})
    summary = parse_inventory({"id": "o", "rooms": [{"items": [{"quantity": 2, "volume": 50, "weight": 350},
                                                               {"quantity": 1, "volume": None}]}],
                               "boxes": [{"quantity": 10, "volume": 3, "weight": 21}]})
    assert (summary.rooms, summary.items, summary.boxes) == (1, 3, 10)
    assert (summary.volume, summary.weight) == (130.0, 910.0)


def test_the_balance_is_the_total_less_received_payments_net_of_refunds() -> None:
    detail = parse_opportunity_detail({
        "id": "o", "status": 4, "estimatedTotal": {"finalTotal": 1000},
        "payments": [{"amount": 300, "amountRefunded": 50, "isOutstanding": False},
                     {"amount": 50, "refundsJobPaymentId": "p-1", "isOutstanding": False},  # the refund itself
                     {"amount": 200, "isOutstanding": True}],  # asked for, not paid
    })
    assert money_section(detail) == {"total": "1000.00", "paid": "250.00", "balance_due": "750.00", "payments": 3}
    no_total = parse_opportunity_detail({"id": "o", "status": 4, "estimatedTotal": None})
    assert money_section(no_total)["balance_due"] is None and Decimal(money_section(no_total)["paid"]) == 0


async def test_the_simulator_serves_premium_details_and_awkward_shapes(client: SmartMovingClient,
                                                                        sim_state: SimulatorState) -> None:
    opps = [o for o in sim_state.opportunities_on(DAY) if o.status == 4 and o.jobs[0].addresses]
    opp, job = opps[0], opps[0].jobs[0]
    premium = await client.premium_job(opp.id, job.id)
    assert premium.id == job.id and premium.times.start_time_utc == job.start
    sim_state.change_site(opp.id, changes={"arrival_window": None, "stops": [], "inventory": None})
    bare = await client.premium_job(opp.id, job.id)
    assert bare.arrival_window is None and bare.stops == ()
    with pytest.raises(NotFoundError):
        await client.opportunity_inventory(opp.id)
    # across a day, every awkward shape comes up on its own
    jobs = [(o, o.jobs[0]) for o in opps[1:]]
    assert any(j.arrival_window is None for _, j in jobs) and any(j.arrival_window for _, j in jobs)
    assert any(o.inventory is None for o, _ in jobs)
    served = [await client.premium_job(o.id, j.id) for o, j in jobs[:20]]
    assert any(p.stops == () for p in served) and any(p.stops for p in served)


async def test_a_basic_key_is_refused_on_premium_paths_only(client: SmartMovingClient,
                                                            sim_state: SimulatorState) -> None:
    sim_state.premium = False
    opp = next(o for o in sim_state.opportunities_on(DAY) if o.status == 4)
    assert (await client.opportunity(opp.id)).id == opp.id
    with pytest.raises(AuthenticationError):
        await client.premium_job(opp.id, opp.jobs[0].id)
    assert sim_state.calls[f"/api/premium/opportunities/{opp.id}/jobs/{opp.jobs[0].id}"] == 1  # never retried
