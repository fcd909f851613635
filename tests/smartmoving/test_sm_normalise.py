"""Unit tests of the normaliser against every payload shape NOTES.md and the spec describe."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from integrations.smartmoving.errors import MalformedRecord
from integrations.smartmoving.normalise import (
    parse_branch,
    parse_customers,
    parse_date,
    parse_datetime,
    parse_job_times,
    parse_list,
    parse_material,
    parse_move_size,
    parse_office_user,
    parse_opportunity_detail,
    parse_quote_number,
    parse_service_type,
    parse_webhook_event,
    unwrap_page,
)
from integrations.smartmoving.records import JobType, OpportunityStatus

UTC = dt.UTC


@pytest.mark.parametrize("value", [20240831, "20240831", " 20240831 ", "2024-08-31",
                                   "2024-08-31T00:00:00", "2024-08-31T22:15:00Z"])
def test_parse_date_accepts_every_shape(value: object) -> None:
    assert parse_date(value) == dt.date(2024, 8, 31)


@pytest.mark.parametrize("value", ["not-a-date", "20241341", 0, None, True, 2024.5, ""])
def test_parse_date_rejects_garbage(value: object) -> None:
    with pytest.raises(ValueError):
        parse_date(value)


@pytest.mark.parametrize("value, expected", [
    ("2024-08-31T14:00:00Z", dt.datetime(2024, 8, 31, 14, tzinfo=UTC)),
    ("2024-08-31T14:00:00", dt.datetime(2024, 8, 31, 14, tzinfo=UTC)),
    ("2024-08-31T14:00:00.1234567", dt.datetime(2024, 8, 31, 14, 0, 0, 123456, tzinfo=UTC)),
    ("2024-08-31T14:00:00.12Z", dt.datetime(2024, 8, 31, 14, 0, 0, 120000, tzinfo=UTC)),
    ("2024-08-31T14:00:00.1234567+00:00",
     dt.datetime(2024, 8, 31, 14, 0, 0, 123456, tzinfo=UTC)),
    ("2024-08-31T10:00:00-04:00", dt.datetime(2024, 8, 31, 14, tzinfo=UTC)),
    (None, None),
    ("", None),
])
def test_parse_datetime_is_lenient_and_utc(value: object, expected: dt.datetime | None) -> None:
    parsed = parse_datetime(value)
    assert parsed == expected
    assert parsed is None or parsed.utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize("value", ["yesterday", "2024-13-01T00:00:00Z", 1725112800, "0001-01-01T00:00:00+14:00"])
def test_parse_datetime_rejects_garbage(value: object) -> None:
    with pytest.raises(ValueError):
        parse_datetime(value)


def test_quote_numbers_are_strings_whatever_the_shape() -> None:
    assert parse_quote_number(104233) == parse_quote_number("104233") == "104233"
    assert parse_quote_number(None) is None
    with pytest.raises(ValueError):
        parse_quote_number(True)


def test_unwrap_page_accepts_envelope_and_bare_array() -> None:
    envelope = {"pageNumber": 1, "pageSize": 2, "lastPage": False, "totalPages": 2,
                "totalResults": 3, "totalThisPage": 2, "pageResults": [{"a": 1}, {"a": 2}]}
    assert unwrap_page(envelope).items == ({"a": 1}, {"a": 2})
    assert unwrap_page(envelope).last_page is False
    assert unwrap_page({**envelope, "lastPage": True}).last_page is True
    assert unwrap_page({**envelope, "pageResults": []}).last_page is True
    assert unwrap_page([{"a": 1}]).last_page is None
    for garbage in ({"message": "oops"}, {"pageResults": "oops"}, "oops", None):
        with pytest.raises(MalformedRecord):
            unwrap_page(garbage)


def _listing_customer(**opportunity: object) -> dict[str, object]:
    """A customer as `/api/customers` returns it live (string quote number and date)."""
    return {
        "id": "c-1", "name": "Ada Lovelace", "phoneNumber": "(403) 555-0100",
        "emailAddress": "ada@example.com",
        "opportunities": [{
            "id": "o-1", "quoteNumber": "104233", "status": 4,
            "jobs": [{"id": "j-1", "jobNumber": "104233-1", "serviceDate": "20240831",
                      "type": 1}],
            **opportunity,
        }],
    }


def test_customer_listing_with_live_shapes() -> None:
    listing = parse_customers([_listing_customer()])
    assert listing.errors == ()
    customer = listing.items[0]
    assert (customer.id, customer.name, customer.phone, customer.email) == (
        "c-1", "Ada Lovelace", "(403) 555-0100", "ada@example.com")
    opportunity = customer.opportunities[0]
    assert opportunity.quote_number == "104233"
    assert opportunity.status is OpportunityStatus.BOOKED
    job = opportunity.jobs[0]
    assert (job.id, job.job_number, job.service_date, job.type) == (
        "j-1", "104233-1", dt.date(2024, 8, 31), JobType.MOVING)
    assert customer.raw["opportunities"][0]["id"] == "o-1"


def test_customer_listing_with_spec_shapes_and_custom_job_type() -> None:
    customer = _listing_customer(quoteNumber=104233, jobs=[
        {"id": "j-1", "jobNumber": "104233-1", "serviceDate": 20240831, "type": 117}])
    opportunity = parse_customers([customer]).items[0].opportunities[0]
    assert opportunity.quote_number == "104233"
    assert opportunity.jobs[0].service_date == dt.date(2024, 8, 31)
    assert opportunity.jobs[0].type == 117 and not isinstance(opportunity.jobs[0].type, JobType)


def test_a_bad_opportunity_is_isolated_from_its_customer_and_the_others() -> None:
    good = _listing_customer()
    broken = _listing_customer(id="o-bad", jobs=[{"jobNumber": "1-1", "serviceDate": "not-a-date",
                                                   "type": 1}])
    broken["id"] = "c-2"
    listing = parse_customers([good, broken, "not an object", {"name": "no id"}])
    assert [c.id for c in listing.items] == ["c-1", "c-2"]
    assert listing.items[1].opportunities == ()
    assert len(listing.errors) == 3
    assert listing.errors[-1].raw["id"] == "o-bad"  # the opportunity, not the customer


def _detail(**changes: object) -> dict[str, object]:
    """An opportunity as `/api/opportunities/{id}` returns it (integer quote number and dates)."""
    return {
        "id": "o-1", "quoteNumber": 104233, "status": 10, "serviceDate": 20240831,
        "branch": {"name": "CALGARY 🇨🇦 - Let's Get Moving", "phoneNumber": "(403) 555-0177"},
        "customer": {"id": "c-1", "name": "Ada Lovelace", "emailAddress": "ada@example.com",
                     "phoneNumber": "(403) 555-0100", "phoneType": 0},
        "moveSize": {"name": "2 Bedroom House", "description": "", "volume": 900},
        "estimatedTotal": {"subtotal": 1000, "taxableAmount": 1000, "tax": 50,
                           "finalTotal": 1050.5},
        "jobs": [{"id": "j-1", "jobNumber": "104233-1", "jobDate": 20240831, "type": 4,
                  "confirmed": True, "jobAddresses": ["1 Origin St", "2 Stop Ave", "3 Dest Rd"],
                  "estimatedCharges": [{"name": "Labor", "totalCost": 895.25},
                                       {"name": "Fuel", "totalCost": 45}]}],
        **changes,
    }


def test_opportunity_detail_with_live_shapes() -> None:
    detail = parse_opportunity_detail(_detail())
    assert detail.quote_number == "104233"
    assert detail.status is OpportunityStatus.COMPLETED
    assert detail.service_date == dt.date(2024, 8, 31)
    assert detail.branch_name == "CALGARY 🇨🇦 - Let's Get Moving"
    assert (detail.customer_name, detail.customer_phone, detail.customer_email) == (
        "Ada Lovelace", "(403) 555-0100", "ada@example.com")
    assert detail.move_size_name == "2 Bedroom House"
    assert detail.estimated_total == Decimal("1050.5")
    job = detail.jobs[0]
    assert job.job_date == dt.date(2024, 8, 31) and job.confirmed
    assert job.type is JobType.MOVING_AND_PACKING
    assert (job.origin, job.destination) == ("1 Origin St", "3 Dest Rd")
    assert job.estimated_charges_total == Decimal("940.25")
    assert detail.raw["quoteNumber"] == 104233


def test_opportunity_detail_tolerates_missing_optional_parts() -> None:
    detail = parse_opportunity_detail(_detail(
        quoteNumber="104233", serviceDate=None, branch=None, customer=None, moveSize=None,
        estimatedTotal=None,
        jobs=[{"id": "j-1", "jobDate": "20240831", "type": 11, "jobAddresses": ["1 Junk St"]},
              {"id": "j-2", "jobDate": 20240831, "type": 1, "jobAddresses": None}]))
    assert detail.service_date is None and detail.branch_name is None
    assert detail.estimated_total is None
    first, second = detail.jobs
    assert (first.origin, first.destination, first.estimated_charges_total) == (
        "1 Junk St", None, None)
    assert second.addresses == () and second.origin is None


@pytest.mark.parametrize("changes", [
    {"id": None}, {"status": "booked"},
    {"jobs": [{"id": "j-1", "jobDate": "not-a-date", "type": 1}]},
    {"jobs": [{"jobDate": 20240831, "type": 1}]},
    {"estimatedTotal": {"finalTotal": "lots"}},
    # what would have come out mistyped, or failed the journey's write later on
    {"customer": {"name": ["Ada"]}}, {"branch": {"name": 7.5}},
    {"jobs": [{"id": "j-1", "jobDate": 20240831, "type": 1, "jobAddresses": [{"street": "1 Origin St"}]}]},
    {"customer": {"name": "Ada\x00"}}, {"notes": "\ud800"}, {"volume": float("nan")},
    {"estimatedTotal": {"finalTotal": "Infinity"}}, {"status": 2**31},
])
def test_broken_opportunity_detail_raises_malformed_record(changes: dict[str, object]) -> None:
    raw = _detail(**changes)
    with pytest.raises(MalformedRecord) as caught:
        parse_opportunity_detail(raw)
    assert caught.value.raw is raw


def test_a_customer_with_bad_fields_is_reported_once_not_with_its_opportunities_too() -> None:
    customer = _listing_customer(id=None)
    customer["name"] = {"first": "Ada"}
    listing = parse_customers([customer])
    assert listing.items == () and [e.raw for e in listing.errors] == [customer]


@pytest.mark.parametrize(("parser", "raw"), [
    (parse_service_type, {"id": 2**31, "name": "Huge"}), (parse_service_type, {"id": 4.5, "name": "Half"}),
    (parse_move_size, {"id": "s-1", "name": ["Studio"]}), (parse_branch, {"id": "b-1", "phoneNumber": {}}),
    (parse_material, {"id": "m-1", "name": "Box", "rate": "NaN"}),
    (parse_branch, {"id": "b-1", "dispatchLocation": {"lat": "inf"}}),
    (parse_webhook_event, {"event-type": "opportunity-changed", "opportunity-id": ["o-1"]}),
])
def test_reference_records_of_the_wrong_types_are_malformed(parser: Callable[[Any], object],
                                                           raw: dict[str, object]) -> None:
    with pytest.raises(MalformedRecord):
        parser(raw)


def test_job_times_are_aware_and_null_tolerant() -> None:
    times = parse_job_times({"id": "j-1", "startTimeUtc": "2024-08-31T14:00:00Z",
                             "endTimeUtc": "2024-08-31T20:30:00+00:00",
                             "completedAtUtc": "2024-08-31T20:47:12.1234567",
                             "confirmedAtUtc": None, "closedAtUtc": ""})
    assert times.start_time_utc == dt.datetime(2024, 8, 31, 14, tzinfo=UTC)
    assert times.end_time_utc == dt.datetime(2024, 8, 31, 20, 30, tzinfo=UTC)
    assert times.completed_at_utc is not None and times.completed_at_utc.tzinfo is not None
    assert times.confirmed_at_utc is None and times.closed_at_utc is None


def test_reference_records() -> None:
    branch = parse_branch({
        "id": "b-1", "name": "CALGARY 🇨🇦 - Let's Get Moving", "phoneNumber": "(403) 555-0177",
        "isPrimary": True, "dispatchLocation": {"fullAddress": "1120 9 Ave SE, Calgary",
                                                "street": "1120 9 Ave SE", "city": "Calgary",
                                                "state": "AB", "zip": "T2G 0S9",
                                                "lat": 51.04, "lng": -114.07}})
    assert (branch.address, branch.city, branch.state, branch.zip, branch.lat, branch.lng) == (
        "1120 9 Ave SE", "Calgary", "AB", "T2G 0S9", 51.04, -114.07)
    assert branch.is_primary
    assert parse_branch({"id": "b-2", "name": "X", "dispatchLocation": None}).lat is None
    assert parse_service_type({"id": 4, "name": "Moving and Packing"}).id == 4
    user = parse_office_user({"id": "u-1", "name": "Grace", "title": "Dispatcher",
                              "email": "g@example.com", "primaryBranch": {"id": "b-1",
                                                                          "name": "CALGARY"},
                              "role": {"id": "r-1", "name": "Dispatcher"}})
    assert (user.primary_branch_id, user.primary_branch_name, user.role_name) == (
        "b-1", "CALGARY", "Dispatcher")
    material = parse_material({"id": "m-1", "name": "Small Box", "rate": 3.95, "cost": 1.6,
                               "volume": 1.5, "weight": 1})
    assert (material.rate, material.cost, material.weight) == (Decimal("3.95"), Decimal("1.6"), 1.0)
    assert parse_move_size({"id": "s-1", "name": "Studio", "volume": None}).volume is None


def test_parse_list_isolates_malformed_records() -> None:
    listing = parse_list({"lastPage": True, "pageResults": [
        {"id": "s-1", "name": "Studio"}, {"name": "no id"}, {"id": "s-3", "name": "Loft"}]},
        parse_move_size)
    assert [m.id for m in listing.items] == ["s-1", "s-3"]
    assert [e.raw for e in listing.errors] == [{"name": "no id"}]


def test_webhook_payloads() -> None:
    event = parse_webhook_event({"event-type": "opportunity-status-changed",
                                 "opportunity-id": "o-1", "opportunity-status": 20})
    assert (event.event_type, event.opportunity_id, event.opportunity_status) == (
        "opportunity-status-changed", "o-1", OpportunityStatus.CANCELLED)
    assert parse_webhook_event({"event-type": "payment-made"}).opportunity_status is None
    with pytest.raises(MalformedRecord):
        parse_webhook_event({"eventType": "opportunity-changed"})
