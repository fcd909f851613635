"""Pure functions turning SmartMoving JSON into records.

They tolerate every known spec-vs-live difference (see NOTES.md): list payloads as a bare
array or a page envelope, calendar dates as "yyyyMMdd" strings, yyyyMMdd integers or ISO
strings, quote numbers as strings or integers, and ISO date-times with or without "Z",
offsets or 7-digit fractions. A record that cannot be parsed raises `MalformedRecord`; list
parsing collects those instead, so one bad record never loses the others.

What comes out is typed as its record says, and storable: text without NUL characters or unpaired
surrogates (PostgreSQL and UTF-8 cannot hold them), finite numbers, 32-bit enumerations, UTC
date-times. Anything else makes its record malformed, never an error further on in the sync.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import IntEnum
from typing import Any, TypeVar

from integrations.storable import UNSTORABLE_TEXT, json_leaves, unstorable

from integrations.smartmoving.errors import MalformedRecord
from integrations.smartmoving.records import (
    Branch,
    CustomerListing,
    JobDetail,
    JobSummary,
    JobTimes,
    JobType,
    Listing,
    Material,
    MoveSize,
    OfficeUser,
    OpportunityDetail,
    OpportunityStatus,
    OpportunitySummary,
    Payment,
    ReferralSource,
    ServiceType,
    Tariff,
    WebhookEvent,
)

T = TypeVar("T")
E = TypeVar("E", bound=IntEnum)
Raw = dict[str, Any]

#: Characters no text column can store: NUL (PostgreSQL) and unpaired surrogates (UTF-8).
#: Enumerations are 32-bit integers in SmartMoving's API (and in the database).
_INT32_MAX = 2**31 - 1


# --- scalars -------------------------------------------------------------------------------


def parse_date(value: Any) -> dt.date:
    """A calendar date from 20240831, "20240831", "2024-08-31" or an ISO date-time."""
    if isinstance(value, bool):
        raise ValueError(f"not a date: {value!r}")
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(f"not a date: {value!r}")
    text = value.strip()
    if len(text) == 8 and text.isdigit():
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError(f"not a date: {value!r}") from None


def parse_optional_date(value: Any) -> dt.date | None:
    return None if value in (None, "", 0) else parse_date(value)


def parse_datetime(value: Any) -> dt.datetime | None:
    """An aware UTC datetime from an ISO string; None or "" give None; naive means UTC."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"not a date-time: {value!r}")
    text = value.strip()
    if text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = dt.datetime.fromisoformat(text)
        return parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed.astimezone(dt.UTC)
    except (ValueError, OverflowError):  # OverflowError: an offset past the first or last day
        raise ValueError(f"not a date-time: {value!r}") from None


def parse_quote_number(value: Any) -> str | None:
    """Quote numbers are strings in listings and integers in details: always a string here."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError(f"not a quote number: {value!r}")
    return _text(str(value).strip())


def parse_enum(enum: type[E], value: Any) -> E | int:
    """An enum member from an integer or digit string; unknown integers stay plain ints."""
    number = _integer(value, enum.__name__)
    try:
        return enum(number)
    except ValueError:
        return number


def _integer(value: Any, what: str) -> int:
    """A 32-bit integer from an integer or a digit string."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError(f"{what} is not an integer: {value!r}")
    number = int(value)
    if not -_INT32_MAX - 1 <= number <= _INT32_MAX:
        raise ValueError(f"{what} out of range: {number}")
    return number


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"not a number: {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return number


def _float(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"not a finite number: {value!r}")
    return number


def _text(value: Any) -> str | None:
    """Text as received (an integer is taken as its digits, as a zip code may be); None stays None."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise ValueError(f"not text: {value!r}")
    if UNSTORABLE_TEXT.search(value):
        raise ValueError(f"text with a NUL character or an unpaired surrogate: {value[:40]!r}")
    return value


def _storable(document: Any) -> None:
    """A payload kept as received (stored as JSON) holds only storable text and finite numbers."""
    for value in json_leaves(document):
        if problem := unstorable(value):
            raise ValueError(f"{problem}: {value!r:.60}")


def _id(raw: Raw) -> str:
    value = raw.get("id")
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"missing id: {value!r}")
    _text(value)
    return value


def _name(raw: Raw) -> str:
    return _text(raw.get("name")) or ""


def _object(value: Any) -> Raw:
    """A nested object that may be null."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"expected an object: {value!r}")
    return value


def _array(value: Any) -> list[Any]:
    """A nested array that may be null."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"expected an array: {value!r}")
    return value


# --- lists ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a list endpoint.

    `last_page` is None for a bare array: the caller decides whether more may follow.
    """

    items: tuple[Any, ...]
    last_page: bool | None


def unwrap_page(payload: Any) -> Page:
    """Accept the live page envelope and the spec's bare array."""
    if isinstance(payload, list):
        return Page(tuple(payload), None)
    if isinstance(payload, dict) and "pageResults" in payload:
        results = payload["pageResults"] or []
        if isinstance(results, list):
            return Page(tuple(results), payload.get("lastPage") is not False or not results)
    raise MalformedRecord("expected a page envelope or an array", payload)


def record_parser(fn: Callable[[Raw], T]) -> Callable[[Any], T]:
    """Turn any parsing failure of one record into `MalformedRecord(reason, raw)`."""

    @functools.wraps(fn)
    def parse(raw: Any) -> T:
        if not isinstance(raw, dict):
            raise MalformedRecord(f"{fn.__name__}: expected an object", raw)
        try:
            return fn(raw)
        except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
            raise MalformedRecord(f"{fn.__name__}: {exc}", raw) from exc

    return parse


def parse_many(raws: Iterable[Any], parser: Callable[[Any], T]) -> Listing[T]:
    """Parse every record, collecting the malformed ones instead of failing."""
    items: list[T] = []
    errors: list[MalformedRecord] = []
    for raw in raws:
        try:
            items.append(parser(raw))
        except MalformedRecord as exc:
            errors.append(exc)
    return Listing(tuple(items), tuple(errors))


def parse_list(payload: Any, parser: Callable[[Any], T]) -> Listing[T]:
    """Parse a whole list response (envelope or bare array)."""
    return parse_many(unwrap_page(payload).items, parser)


# --- reference data ------------------------------------------------------------------------


@record_parser
def parse_branch(raw: Raw) -> Branch:
    location = _object(raw.get("dispatchLocation"))
    return Branch(
        id=_id(raw),
        name=_name(raw),
        phone=_text(raw.get("phoneNumber")),
        is_primary=bool(raw.get("isPrimary")),
        address=_text(location.get("street")),
        full_address=_text(location.get("fullAddress")),
        city=_text(location.get("city")),
        state=_text(location.get("state")),
        zip=_text(location.get("zip")),
        lat=_float(location.get("lat")),
        lng=_float(location.get("lng")),
    )


@record_parser
def parse_service_type(raw: Raw) -> ServiceType:
    return ServiceType(id=_integer(raw["id"], "service type id"), name=_name(raw))


@record_parser
def parse_move_size(raw: Raw) -> MoveSize:
    return MoveSize(
        id=_id(raw),
        name=_name(raw),
        description=_text(raw.get("description")),
        volume=_float(raw.get("volume")),
        weight=_float(raw.get("weight")),
    )


@record_parser
def parse_office_user(raw: Raw) -> OfficeUser:
    branch = _object(raw.get("primaryBranch"))
    return OfficeUser(
        id=_id(raw),
        name=_name(raw),
        title=_text(raw.get("title")),
        email=_text(raw.get("email")),
        primary_branch_id=_text(branch.get("id")),
        primary_branch_name=_text(branch.get("name")),
        role_name=_text(_object(raw.get("role")).get("name")),
    )


@record_parser
def parse_tariff(raw: Raw) -> Tariff:
    return Tariff(id=_id(raw), name=_name(raw))


@record_parser
def parse_material(raw: Raw) -> Material:
    return Material(
        id=_id(raw),
        name=_name(raw),
        description=_text(raw.get("description")),
        rate=_decimal(raw.get("rate")),
        cost=_decimal(raw.get("cost")),
        volume=_float(raw.get("volume")),
        weight=_float(raw.get("weight")),
    )


@record_parser
def parse_referral_source(raw: Raw) -> ReferralSource:
    return ReferralSource(id=_id(raw), name=_name(raw))


# --- jobs of a day -------------------------------------------------------------------------


def _job_summary(raw: Raw) -> JobSummary:
    raw = _object(raw)
    return JobSummary(
        id=_id(raw),
        job_number=_text(raw.get("jobNumber")),
        service_date=parse_date(raw.get("serviceDate", raw.get("jobDate"))),
        type=parse_enum(JobType, raw["type"]),
    )


@record_parser
def parse_opportunity_summary(raw: Raw) -> OpportunitySummary:
    return OpportunitySummary(
        id=_id(raw),
        quote_number=parse_quote_number(raw.get("quoteNumber")),
        status=parse_enum(OpportunityStatus, raw["status"]),
        jobs=tuple(_job_summary(job) for job in _array(raw.get("jobs"))),
    )


def parse_customers(raws: Iterable[Any]) -> Listing[CustomerListing]:
    """Customers of the date listing; a bad opportunity is isolated from its customer."""
    nested: list[MalformedRecord] = []

    @record_parser
    def parse_customer(raw: Raw) -> CustomerListing:
        # the customer itself first: the errors of its opportunities count only if it is listed
        customer_id, name = _id(raw), _text(raw.get("name"))
        phone, email = _text(raw.get("phoneNumber")), _text(raw.get("emailAddress"))
        opportunities = parse_many(_array(raw.get("opportunities")), parse_opportunity_summary)
        nested.extend(opportunities.errors)
        return CustomerListing(id=customer_id, name=name, phone=phone, email=email,
                               opportunities=opportunities.items, raw=raw)

    listing = parse_many(raws, parse_customer)
    return Listing(listing.items, listing.errors + tuple(nested))


# --- one opportunity -----------------------------------------------------------------------


def _charges_total(charges: Any) -> Decimal | None:
    """Sum of the charges' totalCost; None when the charges were not included or are empty
    (live accounts answer `estimatedCharges: []` for jobs whose estimate is on the opportunity:
    that is "no charges given", not 0.00)."""
    if charges is None or charges == []:
        return None
    return sum((_decimal(_object(c).get("totalCost")) or Decimal(0) for c in _array(charges)),
               Decimal(0))


def _job_detail(raw: Any) -> JobDetail:
    raw = _object(raw)
    return JobDetail(
        id=_id(raw),
        job_number=_text(raw.get("jobNumber")),
        job_date=parse_date(raw.get("jobDate", raw.get("serviceDate"))),
        type=parse_enum(JobType, raw["type"]),
        confirmed=bool(raw.get("confirmed")),
        addresses=tuple(a for a in map(_text, _array(raw.get("jobAddresses"))) if a),
        estimated_charges_total=_charges_total(raw.get("estimatedCharges")),
    )


@record_parser
def parse_opportunity_detail(raw: Raw) -> OpportunityDetail:
    _storable(raw)  # kept with the journey
    branch = _object(raw.get("branch"))
    customer = _object(raw.get("customer"))
    return OpportunityDetail(
        id=_id(raw),
        quote_number=parse_quote_number(raw.get("quoteNumber")),
        status=parse_enum(OpportunityStatus, raw["status"]),
        service_date=parse_optional_date(raw.get("serviceDate")),
        branch_name=_text(branch.get("name")),
        branch_phone=_text(branch.get("phoneNumber")),
        customer_id=_text(customer.get("id")),
        customer_name=_text(customer.get("name")),
        customer_phone=_text(customer.get("phoneNumber")),
        customer_email=_text(customer.get("emailAddress")),
        move_size_name=_text(_object(raw.get("moveSize")).get("name")),
        estimated_total=_decimal(_object(raw.get("estimatedTotal")).get("finalTotal")),
        jobs=tuple(_job_detail(job) for job in _array(raw.get("jobs"))),
        raw=raw,
        payments=tuple(_payment(p) for p in _array(raw.get("payments"))),
        volume=_float(raw.get("volume")),
        weight=_float(raw.get("weight")),
    )


def _payment(raw: Any) -> Payment:
    raw = _object(raw)
    return Payment(
        amount=_decimal(raw.get("amount")) or Decimal(0),
        amount_refunded=_decimal(raw.get("amountRefunded")) or Decimal(0),
        outstanding=bool(raw.get("isOutstanding")),
        is_refund=raw.get("refundsJobPaymentId") is not None,
        paid_at_utc=parse_datetime(raw.get("paidAtUtc")),
    )


@record_parser
def parse_job_times(raw: Raw) -> JobTimes:
    return JobTimes(
        job_id=_id(raw),
        start_time_utc=parse_datetime(raw.get("startTimeUtc")),
        end_time_utc=parse_datetime(raw.get("endTimeUtc")),
        completed_at_utc=parse_datetime(raw.get("completedAtUtc")),
        confirmed_at_utc=parse_datetime(raw.get("confirmedAtUtc")),
        closed_at_utc=parse_datetime(raw.get("closedAtUtc")),
    )


# --- webhooks ------------------------------------------------------------------------------


@record_parser
def parse_webhook_event(raw: Raw) -> WebhookEvent:
    """A webhook body like {"event-type": ..., "opportunity-id": ..., "opportunity-status": 4}."""
    _storable(raw)  # kept as the delivery's payload
    event_type = raw["event-type"]
    if not isinstance(event_type, str) or not event_type:
        raise ValueError(f"missing event-type: {event_type!r}")
    status = raw.get("opportunity-status")
    return WebhookEvent(
        event_type=event_type,
        opportunity_id=_text(raw.get("opportunity-id")),
        opportunity_status=None if status is None else parse_enum(OpportunityStatus, status),
        raw=raw,
    )
