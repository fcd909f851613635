"""Property tests of the normaliser on random payloads of the shapes the sync consumes (NOTES.md
and SmartMoving's OpenAPI: listings, details, job times, catalogues, webhooks), as documented and
corrupted (fields missing, nulls, wrong types, odd text, numbers out of range, bad dates).

Whatever comes in, the normaliser never raises anything but `MalformedRecord` (carrying the
payload), lists report each bad record among their errors and keep the others, and every record
that comes back is typed as it says and storable (see `conforms`). The example-based tests of
each shape are in test_sm_normalise.py.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import math
import re
import types
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any, Union, get_args, get_origin, get_type_hints

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from integrations.smartmoving.errors import MalformedRecord
from integrations.smartmoving.normalise import (
    parse_branch,
    parse_customers,
    parse_job_times,
    parse_list,
    parse_material,
    parse_move_size,
    parse_office_user,
    parse_opportunity_detail,
    parse_opportunity_summary,
    parse_referral_source,
    parse_service_type,
    parse_tariff,
    parse_webhook_event,
)
from integrations.smartmoving.premium import parse_inventory, parse_premium_job
from integrations.smartmoving.records import JobType, OpportunityStatus
from tests.fuzz import FUZZ_EXAMPLES, FUZZ_SEED

PROPERTIES = settings(max_examples=20 * FUZZ_EXAMPLES, deadline=None, derandomize=FUZZ_SEED is None,
                      suppress_health_check=[HealthCheck.too_slow])
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

# --- the documented shapes ------------------------------------------------------------------

ids = st.uuids().map(str)
texts = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=30)
days = st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31))
#: yyyyMMdd integers (details), yyyyMMdd strings (listing), ISO dates (tolerated).
service_dates = days.flatmap(lambda d: st.sampled_from(
    [int(d.strftime("%Y%m%d")), d.strftime("%Y%m%d"), d.isoformat(), f"{d.isoformat()}T00:00:00"]))
#: ISO date-times with "Z", an offset or none, and .NET's 7-digit fractions.
moments = st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2099, 12, 31), timezones=st.none() | st.timezones())
iso_times = st.tuples(moments, st.sampled_from(["plain", "Z", "7 digits"])).map(
    lambda m: m[0].isoformat() + ("Z" if m[1] == "Z" and m[0].tzinfo is None else "")
    + ("1" if m[1] == "7 digits" and m[0].microsecond and m[0].tzinfo is None else ""))
statuses = st.sampled_from([int(s) for s in OpportunityStatus])
job_types = st.sampled_from([int(t) for t in JobType]) | st.integers(101, 140)
amounts = st.integers(0, 10**6) | st.floats(0, 10**6)
coordinates = st.floats(-180, 180)


def record(required: dict[str, st.SearchStrategy[Any]], **optional: st.SearchStrategy[Any]) -> st.SearchStrategy[dict]:
    """A JSON object with the `required` keys and any of the `optional` ones (each maybe null)."""
    return st.fixed_dictionaries(required, optional={k: st.none() | v for k, v in optional.items()})


def named(**optional: st.SearchStrategy[Any]) -> st.SearchStrategy[dict]:
    return record({"id": ids, "name": texts}, **optional)


branches = named(phoneNumber=texts, isPrimary=st.booleans(), dispatchLocation=record(
    {}, fullAddress=texts, street=texts, city=texts, state=texts, zip=texts, lat=coordinates, lng=coordinates))
service_types = record({"id": job_types, "name": texts})
move_sizes = named(description=texts, volume=st.integers(0, 10**5), weight=amounts)
office_users = named(title=texts, email=texts, primaryBranch=record({"id": ids, "name": texts}),
                     role=record({"id": ids, "name": texts}))
materials = named(description=texts, rate=amounts, cost=amounts, volume=amounts, weight=amounts)
listing_jobs = record({"id": ids, "serviceDate": service_dates, "type": job_types}, jobNumber=texts)
opportunity_summaries = record({"id": ids, "status": statuses},
                               quoteNumber=st.integers(1, 10**7).map(str), jobs=st.lists(listing_jobs, max_size=3))
customers = record({"id": ids, "name": texts}, phoneNumber=texts, emailAddress=texts,
                   opportunities=st.lists(opportunity_summaries, max_size=3))
detail_jobs = record({"id": ids, "jobDate": service_dates, "type": job_types, "confirmed": st.booleans()},
                     jobNumber=texts, jobAddresses=st.lists(texts, max_size=4),
                     estimatedCharges=st.lists(record({"name": texts, "totalCost": amounts}), max_size=3))
opportunity_details = record(
    {"id": ids, "quoteNumber": st.integers(1, 10**7), "status": statuses},
    serviceDate=service_dates, branch=record({"name": texts}, phoneNumber=texts),
    customer=record({"id": ids}, name=texts, emailAddress=texts, phoneNumber=texts, phoneType=st.integers(0, 3)),
    moveSize=record({"name": texts}, description=texts, volume=st.integers(0, 10**5)),
    estimatedTotal=record({"finalTotal": amounts}, subtotal=amounts, tax=amounts),
    jobs=st.lists(detail_jobs, max_size=3), volume=amounts, weight=amounts,
    payments=st.lists(record({"amount": amounts}, amountRefunded=amounts, isOutstanding=st.booleans(),
                             paidAtUtc=iso_times, refundsJobPaymentId=ids), max_size=3))
counts = st.integers(0, 10**4)
stops = record({"id": ids, "isOrigin": st.booleans(), "isDestination": st.booleans(), "order": counts},
               addressFullAddress=texts, addressUnit=texts, propertyName=texts,
               propertyType=st.sampled_from([1, 2, 3, 7, 10, 101]), stairs=counts, hasElevator=st.booleans(),
               parkingDescription=texts, notes=texts)
premium_jobs = record({"id": ids}, arrivalWindow=texts | st.sampled_from(["8:00 AM - 10:00 AM", "8-10am"]),
                      startTimeUtc=iso_times, endTimeUtc=iso_times, stops=st.lists(stops, max_size=3),
                      estimatedMaterials=st.lists(named(materialsQuantity=counts, materialsRate=amounts,
                                                        packingQuantity=counts), max_size=3))
inventory_entries = named(quantity=counts, volume=amounts, weight=amounts, notes=texts)
inventories = record({"id": ids}, boxes=st.lists(inventory_entries, max_size=3),
                     rooms=st.lists(named(items=st.lists(inventory_entries, max_size=3)), max_size=3))
job_times = record({"id": ids}, startTimeUtc=iso_times, endTimeUtc=iso_times, completedAtUtc=iso_times,
                   confirmedAtUtc=iso_times, closedAtUtc=iso_times)
webhooks = record({"event-type": st.sampled_from(["opportunity-created", "opportunity-changed",
                                                  "opportunity-status-changed", "job-closed", "payment-made"])},
                  **{"opportunity-id": ids, "opportunity-status": statuses})

#: Each record parser with the payloads it is given.
PARSERS: list[tuple[Callable[[Any], Any], st.SearchStrategy[dict]]] = [
    (parse_branch, branches), (parse_service_type, service_types), (parse_move_size, move_sizes),
    (parse_office_user, office_users), (parse_tariff, named()), (parse_referral_source, named()),
    (parse_material, materials), (parse_opportunity_summary, opportunity_summaries),
    (parse_opportunity_detail, opportunity_details), (parse_job_times, job_times), (parse_webhook_event, webhooks),
    (parse_premium_job, premium_jobs), (parse_inventory, inventories),
]
PARSER_IDS = [parser.__name__ for parser, _ in PARSERS]

# --- corruption ---------------------------------------------------------------------------

#: Any JSON value Python's parser can produce (NaN and Infinity included), odd text and numbers.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=12)
    | st.sampled_from(["", " ", "\x00", "a\x00b", "\ud800", "99999999", "00000000", "2024-02-30", "NaN", "1e999"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6)


def _places(document: Any) -> Iterator[tuple[Any, Any]]:
    """(container, key) of every value nested in `document`."""
    items = document.items() if isinstance(document, dict) else enumerate(document)
    for key, value in list(items):
        yield document, key
        if isinstance(value, (dict, list)):
            yield from _places(value)


@st.composite
def corrupted(draw: st.DrawFn, payloads: st.SearchStrategy[dict]) -> dict:
    """A payload with one to three of its values removed or replaced by any JSON value."""
    payload = copy.deepcopy(draw(payloads))
    for _ in range(draw(st.integers(1, 3))):
        places = list(_places(payload))
        if not places:
            break
        container, key = draw(st.sampled_from(places))
        if isinstance(container, dict) and draw(st.booleans()):
            del container[key]
        else:
            container[key] = draw(json_values)
    return payload


# --- what comes out -------------------------------------------------------------------------

def conforms(value: Any, hint: Any) -> bool:
    """`value` is of the type `hint`, and storable: text without NUL characters or unpaired
    surrogates, finite numbers, 32-bit integers, UTC date-times, records whose fields conform."""
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        return any(conforms(value, option) for option in get_args(hint))
    if origin is tuple:
        return isinstance(value, tuple) and all(conforms(item, get_args(hint)[0]) for item in value)
    if origin is dict:
        return isinstance(value, dict)
    if hint is type(None):
        return value is None
    if hint is str:
        return isinstance(value, str) and not UNSTORABLE.search(value)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool) and -(2**31) <= value < 2**31
    if hint is float:
        return isinstance(value, float) and math.isfinite(value)
    if hint is Decimal:
        return isinstance(value, Decimal) and value.is_finite()
    if hint is dt.datetime:
        return isinstance(value, dt.datetime) and value.utcoffset() == dt.timedelta(0)
    if hint is dt.date:
        return type(value) is dt.date
    if dataclasses.is_dataclass(hint):
        return isinstance(value, hint) and all(
            conforms(getattr(value, name), field_hint) for name, field_hint in get_type_hints(hint).items())
    return isinstance(value, hint)


def assert_typed(parsed: Any) -> None:
    assert conforms(parsed, type(parsed)), parsed


def parsed_or_reported(parser: Callable[[Any], Any], payload: Any) -> Any | None:
    """The record, typed; or None when it was reported malformed (with the payload and a reason)."""
    try:
        parsed = parser(payload)
    except MalformedRecord as exc:
        assert exc.raw is payload and exc.reason
        return None
    assert_typed(parsed)
    return parsed


# --- properties -----------------------------------------------------------------------------

@pytest.mark.parametrize(("parser", "payloads"), PARSERS, ids=PARSER_IDS)
@PROPERTIES
@given(data=st.data())
def test_documented_payloads_come_back_typed(parser: Callable[[Any], Any], payloads: st.SearchStrategy[dict],
                                             data: st.DataObject) -> None:
    assert parsed_or_reported(parser, data.draw(payloads)) is not None


@pytest.mark.parametrize(("parser", "payloads"), PARSERS, ids=PARSER_IDS)
@PROPERTIES
@given(data=st.data())
def test_corrupted_payloads_come_back_typed_or_reported(parser: Callable[[Any], Any],
                                                        payloads: st.SearchStrategy[dict], data: st.DataObject) -> None:
    parsed_or_reported(parser, data.draw(corrupted(payloads) | json_values))


@pytest.mark.parametrize(("parser", "payloads"), [(parse_opportunity_detail, opportunity_details),
                                                  (parse_webhook_event, webhooks)], ids=["detail", "webhook"])
@PROPERTIES
@given(data=st.data())
def test_a_payload_kept_as_received_with_unstorable_text_anywhere_is_reported(
        parser: Callable[[Any], Any], payloads: st.SearchStrategy[dict], data: st.DataObject) -> None:
    """Details and webhooks are stored as received: a NUL or a lone surrogate even in a field the
    sync does not read would fail that write."""
    payload = data.draw(payloads)
    container, key = data.draw(st.sampled_from(list(_places(payload))))
    container[key] = data.draw(st.sampled_from(["\x00", "Ada\x00", "\udc80"]))
    assert parsed_or_reported(parser, payload) is None


@pytest.mark.parametrize(("parser", "payloads"), PARSERS, ids=PARSER_IDS)
@PROPERTIES
@given(data=st.data())
def test_a_page_reports_each_bad_record_and_keeps_the_others(parser: Callable[[Any], Any],
                                                            payloads: st.SearchStrategy[dict],
                                                            data: st.DataObject) -> None:
    raws = data.draw(st.lists(payloads | corrupted(payloads) | json_values, max_size=6))
    page = data.draw(st.sampled_from([raws, {"pageNumber": 1, "lastPage": True, "pageResults": raws}]))
    listing = parse_list(page, parser)
    good = [raw for raw in raws if parsed_or_reported(parser, raw) is not None]
    assert listing.items == tuple(parser(raw) for raw in good)
    assert [error.raw for error in listing.errors] == [raw for raw in raws if not any(raw is g for g in good)]
    for item in listing.items:
        assert_typed(item)


@PROPERTIES
@given(raws=st.lists(customers | corrupted(customers) | json_values, max_size=5))
def test_the_customers_listing_reports_bad_customers_and_bad_opportunities_apart(raws: list[Any]) -> None:
    listing = parse_customers(raws)
    for customer in listing.items:
        assert_typed(customer)
    listed = {id(c.raw) for c in listing.items}
    opportunities = [o for raw in raws if id(raw) in listed for o in raw.get("opportunities") or []]
    for error in listing.errors:  # a bad customer, or a bad opportunity of a listed customer
        assert any(error.raw is raw for raw in raws) or any(error.raw is o for o in opportunities)
    assert len(listed) + sum(1 for e in listing.errors if any(e.raw is raw for raw in raws)) == len(raws)
