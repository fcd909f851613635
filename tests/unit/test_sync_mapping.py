"""SmartMoving records (every shape of NOTES.md) → Journey column values, without a database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from db.enums import JourneyStatus, Phase, StepStatus
from domain.sync.mapping import (
    Catalogue,
    ListingEntry,
    MappingError,
    branch_key,
    detail_hash,
    differs,
    journey_values,
    listing_hash,
    new_steps,
)
from integrations.smartmoving.normalise import parse_customers, parse_job_times, parse_opportunity_detail

BRANCH = "CALGARY 🇨🇦 - Let's Get Moving"
CATALOGUE = Catalogue(service_types={1: "Moving", 3: "Packing", 101: "Piano Moving"},
                      locations_by_branch={branch_key("Calgary"): 7})


def detail_json(*, status: int = 4, addresses: list[str] | None = None, charges: list[float] | None = None,
                jobs: int = 1, final_total: float = 1130.0, job_type: int = 1, **extra: Any) -> dict[str, Any]:
    """An opportunity as `/api/opportunities/{id}` answers it: integers for dates and quote number."""
    return {
        "id": "opp-1", "quoteNumber": 123456, "status": status, "serviceDate": 20261120,
        "branch": {"name": BRANCH, "phoneNumber": "(403) 555-0177"},
        "customer": {"id": "cust-1", "name": "Olivia Smith", "phoneNumber": "(403) 555-1234",
                     "emailAddress": "olivia@example.com"},
        "moveSize": {"name": "2 Bedroom House", "description": "2 bedroom house", "volume": 900},
        "estimatedTotal": {"subtotal": 1000.0, "tax": 130.0, "finalTotal": final_total},
        "jobs": [{"id": f"job-{k}", "jobNumber": f"123456-{k}", "jobDate": 20261120, "type": job_type,
                  "confirmed": True, "jobAddresses": addresses,
                  "estimatedCharges": None if charges is None else [{"totalCost": c} for c in charges]}
                 for k in range(1, jobs + 1)],
        **extra,
    }


def values(raw: dict[str, Any], times: Any = None, job: int = 0) -> dict[str, Any]:
    detail = parse_opportunity_detail(raw)
    return journey_values(detail, detail.jobs[job], times, CATALOGUE, "hash")


def test_two_addresses_origin_first_and_the_listed_fields() -> None:
    v = values(detail_json(addresses=["1 Origin St, Calgary", "9 Destination Rd, Calgary"], charges=[500, 79.5]))
    assert v["origin_address"] == "1 Origin St, Calgary"
    assert v["destination_address"] == "9 Destination Rd, Calgary"
    assert v["location_id"] == 7 and v["journey_date"] == dt.date(2026, 11, 20)
    assert (v["customer_name"], v["customer_phone"], v["customer_email"]) == (
        "Olivia Smith", "(403) 555-1234", "olivia@example.com")
    assert v["service_type"] == "Moving" and v["move_size"] == "2 Bedroom House"
    assert v["estimated_value"] == Decimal("1130.00")  # SmartMoving's finalTotal, not the charges
    assert v["confirmed"] is True and v["job_number"] == "123456-1"
    assert v["status"] is JourneyStatus.SCHEDULED
    assert v["external_data"]["opportunity_id"] == "opp-1"
    assert v["external_data"]["quote_number"] == "123456"  # an integer in details, a string here
    assert v["external_data"]["opportunity"]["estimatedTotal"]["finalTotal"] == 1130.0


def test_stops_between_origin_and_destination() -> None:
    v = values(detail_json(addresses=["A", "B (stop)", "C"]))
    assert (v["origin_address"], v["destination_address"]) == ("A", "C")
    assert v["external_data"]["addresses"] == ["A", "B (stop)", "C"]


def test_one_address_is_an_origin_without_destination() -> None:
    v = values(detail_json(addresses=["12 Packing Lane"], job_type=3))
    assert (v["origin_address"], v["destination_address"]) == ("12 Packing Lane", None)
    assert v["service_type"] == "Packing"


@pytest.mark.parametrize("addresses", [[], None])
def test_no_address_at_all(addresses: list[str] | None) -> None:
    v = values(detail_json(addresses=addresses))
    assert v["origin_address"] is None and v["destination_address"] is None


@pytest.mark.parametrize(("status", "expected", "reason"), [
    (4, JourneyStatus.SCHEDULED, None), (10, JourneyStatus.SCHEDULED, None), (11, JourneyStatus.SCHEDULED, None),
    (20, JourneyStatus.CANCELLED, "cancelled in SmartMoving"), (30, JourneyStatus.CANCELLED, "lost in SmartMoving"),
    ("20", JourneyStatus.CANCELLED, "cancelled in SmartMoving"),
    (3, JourneyStatus.CANCELLED, "no longer booked in SmartMoving (status Opportunity)"),
    (0, JourneyStatus.CANCELLED, "no longer booked in SmartMoving (status New Lead)"),
])
def test_jobs_not_booked_in_smartmoving_are_cancelled_with_the_reason(status: Any, expected: JourneyStatus,
                                                                    reason: str | None) -> None:
    v = values(detail_json(status=status))
    assert (v["status"], v["sync_reason"]) == (expected, reason)
    assert v["external_opportunity_id"] == "opp-1"


def test_string_dates_are_read_like_integer_dates() -> None:
    as_string = values(detail_json(serviceDate="20261120") | {"jobs": [
        {"id": "job-1", "jobNumber": "1-1", "jobDate": "20261121", "type": 1, "confirmed": False}]})
    as_iso = values(detail_json() | {"jobs": [
        {"id": "job-1", "jobNumber": "1-1", "jobDate": "2026-11-21T00:00:00", "type": 1}]})
    assert as_string["journey_date"] == as_iso["journey_date"] == dt.date(2026, 11, 21)
    assert as_string["confirmed"] is False


def test_estimated_value_is_the_final_total_and_empty_charges_never_make_it_zero() -> None:
    assert values(detail_json(charges=None, final_total=1130.456))["estimated_value"] == Decimal("1130.46")
    assert values(detail_json(charges=[], final_total=1302.5))["estimated_value"] == Decimal("1302.50")
    assert values(detail_json(charges=[0], final_total=500))["estimated_value"] == Decimal("500.00")


def test_no_estimate_is_null_never_zero() -> None:
    assert values(detail_json(charges=[]) | {"estimatedTotal": None})["estimated_value"] is None
    assert values(detail_json(charges=None) | {"estimatedTotal": {"finalTotal": None}})["estimated_value"] is None
    assert values(detail_json(charges=[120, 30]) | {"estimatedTotal": None})["estimated_value"] == Decimal("150.00")


def test_several_jobs_share_the_total_by_their_charges_or_evenly() -> None:
    by_charges = detail_json(jobs=2, final_total=1000.01) | {"jobs": [
        {"id": "job-1", "jobDate": 20261120, "type": 1, "estimatedCharges": [{"totalCost": 300}]},
        {"id": "job-2", "jobDate": 20261121, "type": 3, "estimatedCharges": [{"totalCost": 100}]}]}
    shares = [values(by_charges, job=k)["estimated_value"] for k in (0, 1)]
    assert shares == [Decimal("750.01"), Decimal("250.00")] and sum(shares) == Decimal("1000.01")
    evenly = [values(detail_json(charges=[], jobs=3, final_total=100), job=k)["estimated_value"] for k in range(3)]
    assert evenly == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]


def test_an_out_of_range_value_is_a_mapping_error() -> None:
    with pytest.raises(MappingError, match="out of range"):
        values(detail_json(final_total=1e13))


def test_unknown_branch_is_a_mapping_error_with_the_branch_name() -> None:
    raw = detail_json(branch={"name": "ATLANTIS 🌊 - Let's Get Moving"})
    with pytest.raises(MappingError, match="ATLANTIS"):
        values(raw)


def test_branch_names_match_whatever_their_decoration() -> None:
    assert branch_key(BRANCH) == branch_key("Calgary") == branch_key("  calgary  ")
    assert branch_key("CALGARY SOUTH 🇨🇦 - Let's Get Moving") != branch_key("Calgary")


def test_custom_and_unknown_job_types_get_names() -> None:
    assert values(detail_json(job_type=101))["service_type"] == "Piano Moving"
    assert values(detail_json(job_type=11))["service_type"] == "Junk Removal"  # not in the catalogue
    assert values(detail_json(job_type=139))["service_type"] == "Job type 139"


def test_long_texts_are_clipped_to_their_columns() -> None:
    raw = detail_json(addresses=["x" * 900])
    raw["customer"]["name"] = "N" * 500
    v = values(raw)
    assert len(v["origin_address"]) == 400 and len(v["customer_name"]) == 200


def test_times_give_the_schedule_and_a_bad_end_is_dropped() -> None:
    times = parse_job_times({"id": "job-1", "startTimeUtc": "2026-11-20T15:00:00Z",
                             "endTimeUtc": "2026-11-20T19:30:00.1234567"})
    v = values(detail_json(), times)
    assert v["scheduled_start"] == dt.datetime(2026, 11, 20, 15, tzinfo=dt.UTC)
    assert v["scheduled_end"] == dt.datetime(2026, 11, 20, 19, 30, 0, 123456, tzinfo=dt.UTC)
    backwards = parse_job_times({"id": "job-1", "startTimeUtc": "2026-11-20T15:00:00+00:00",
                                 "endTimeUtc": "2026-11-20T14:00:00+00:00"})
    assert values(detail_json(), backwards)["scheduled_end"] is None


def test_the_listing_hash_equals_the_detail_hash_of_the_same_job() -> None:
    """A webhook refresh (no listing entry) stores the hash the next listing will compute."""
    listing = parse_customers([{
        "id": "cust-1", "name": "Olivia Smith", "phoneNumber": "(403) 555-1234",
        "emailAddress": "olivia@example.com",
        "opportunities": [{"id": "opp-1", "quoteNumber": "123456", "status": 4, "jobs": [
            {"id": "job-1", "jobNumber": "123456-1", "serviceDate": "20261120", "type": 1}]}]}])
    customer = listing.items[0]
    entry = ListingEntry(customer, customer.opportunities[0], customer.opportunities[0].jobs[0])
    detail = parse_opportunity_detail(detail_json())
    assert listing_hash(entry) == detail_hash(detail, detail.jobs[0])
    changed = parse_opportunity_detail(detail_json(status=20))
    assert detail_hash(changed, changed.jobs[0]) != listing_hash(entry)


def test_differs_ignores_a_missing_schedule_but_not_other_changes() -> None:
    times = parse_job_times({"id": "job-1", "startTimeUtc": "2026-11-20T15:00:00Z", "endTimeUtc": None})
    stored = values(detail_json(), times) | {"status": JourneyStatus.ONSITE, "id": 1}
    stored["scheduled_start"] = stored["scheduled_start"].replace(tzinfo=None)  # as SQLite returns it
    assert not differs(values(detail_json(), times), stored)
    untimed = values(detail_json())
    assert not differs(untimed, untimed | {"scheduled_start": stored["scheduled_start"]})  # schedule kept
    assert differs(values(detail_json(addresses=["new"])), stored)
    assert differs(values(detail_json(status=30), times), stored)  # cancelling is a change
    lost = values(detail_json(status=30), times)
    assert not differs(lost, lost | {"status": JourneyStatus.CANCELLED})


def test_new_steps_are_the_six_phases_with_creation_in_progress() -> None:
    now = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
    steps = new_steps(5, now)
    assert [s["phase"] for s in steps] == list(Phase)
    assert [s["position"] for s in steps] == [1, 2, 3, 4, 5, 6]
    assert [s["status"] for s in steps] == [StepStatus.IN_PROGRESS] + [StepStatus.PENDING] * 5
    assert steps[0]["started_at"] == now and all(s["started_at"] is None for s in steps[1:])
