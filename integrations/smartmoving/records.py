"""Plain, immutable records the app reads from SmartMoving.

Sequences are tuples so records stay hashable; `raw` (the JSON as received, kept so the app
can store it) is left out of equality and hashing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import IntEnum
from typing import Any, Generic, TypeVar

from integrations.smartmoving.errors import MalformedRecord

T = TypeVar("T")


class OpportunityStatus(IntEnum):
    NEW_LEAD = 0
    LEAD_IN_PROGRESS = 1
    OPPORTUNITY = 3
    BOOKED = 4
    COMPLETED = 10
    CLOSED = 11
    CANCELLED = 20
    LOST = 30
    BAD_LEAD = 50


class JobType(IntEnum):
    """Standard job types; companies may add custom ones (101-140), kept as plain ints."""

    MOVING = 1
    PACKING = 3
    MOVING_AND_PACKING = 4
    LOAD_ONLY = 5
    UNLOAD_ONLY = 6
    COMMERCIAL = 7
    STORAGE_IN = 8
    STORAGE_OUT = 9
    INNER_HOUSE = 10
    JUNK_REMOVAL = 11
    LABOR_ONLY = 12


class PropertyType(IntEnum):
    """Kinds of property at a stop; companies may add custom ones (101-120), kept as plain ints."""

    APARTMENT = 1
    HOUSE = 2
    COMMERCIAL = 3
    STORAGE = 4
    WAREHOUSE = 5
    ASSISTED_LIVING = 6
    HIGH_RISE = 7
    TOWN_HOUSE = 8
    OTHER = 10


@dataclass(frozen=True, slots=True)
class Listing(Generic[T]):
    """The records of a list endpoint plus the ones that could not be parsed."""

    items: tuple[T, ...]
    errors: tuple[MalformedRecord, ...] = ()


@dataclass(frozen=True, slots=True)
class Branch:
    id: str
    name: str
    phone: str | None
    is_primary: bool
    address: str | None
    full_address: str | None
    city: str | None
    state: str | None
    zip: str | None
    lat: float | None
    lng: float | None


@dataclass(frozen=True, slots=True)
class ServiceType:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class MoveSize:
    id: str
    name: str
    description: str | None
    volume: float | None
    weight: float | None


@dataclass(frozen=True, slots=True)
class OfficeUser:
    id: str
    name: str
    title: str | None
    email: str | None
    primary_branch_id: str | None
    primary_branch_name: str | None
    role_name: str | None


@dataclass(frozen=True, slots=True)
class Tariff:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Material:
    id: str
    name: str
    description: str | None
    rate: Decimal | None
    cost: Decimal | None
    volume: float | None
    weight: float | None


@dataclass(frozen=True, slots=True)
class ReferralSource:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class JobSummary:
    id: str
    job_number: str | None
    service_date: dt.date
    type: JobType | int


@dataclass(frozen=True, slots=True)
class OpportunitySummary:
    id: str
    quote_number: str | None
    status: OpportunityStatus | int
    jobs: tuple[JobSummary, ...]


@dataclass(frozen=True, slots=True)
class CustomerListing:
    """A customer of the `/api/customers` listing with its opportunities in the date range."""

    id: str
    name: str | None
    phone: str | None
    email: str | None
    opportunities: tuple[OpportunitySummary, ...]
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class JobDetail:
    id: str
    job_number: str | None
    job_date: dt.date
    type: JobType | int
    confirmed: bool
    addresses: tuple[str, ...]
    """Origin first, destination last, stops in between."""
    estimated_charges_total: Decimal | None
    """None when the charges were not returned or are empty (`[]`)."""

    @property
    def origin(self) -> str | None:
        return self.addresses[0] if self.addresses else None

    @property
    def destination(self) -> str | None:
        return self.addresses[-1] if len(self.addresses) > 1 else None


@dataclass(frozen=True, slots=True)
class Payment:
    """One payment of an opportunity (`IncludePayments=true`)."""

    amount: Decimal
    amount_refunded: Decimal
    #: Requested, not received yet.
    outstanding: bool
    #: The entry refunds another payment (whose `amount_refunded` already says how much).
    is_refund: bool
    paid_at_utc: dt.datetime | None


@dataclass(frozen=True, slots=True)
class OpportunityDetail:
    id: str
    quote_number: str | None
    status: OpportunityStatus | int
    service_date: dt.date | None
    branch_name: str | None
    branch_phone: str | None
    customer_id: str | None
    customer_name: str | None
    customer_phone: str | None
    customer_email: str | None
    move_size_name: str | None
    estimated_total: Decimal | None
    jobs: tuple[JobDetail, ...]
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    #: Empty unless asked for (`IncludePayments`) and some were taken.
    payments: tuple[Payment, ...] = ()
    #: The opportunity's estimated volume (cu ft) and weight (lb); 0 means "not estimated".
    volume: float | None = None
    weight: float | None = None


@dataclass(frozen=True, slots=True)
class JobTimes:
    """Times of one job from `/api/opportunities/{id}/jobs`; all aware UTC datetimes."""

    job_id: str
    start_time_utc: dt.datetime | None
    end_time_utc: dt.datetime | None
    completed_at_utc: dt.datetime | None
    confirmed_at_utc: dt.datetime | None
    closed_at_utc: dt.datetime | None


@dataclass(frozen=True, slots=True)
class JobStop:
    """One address of a Premium job with what the crew needs to get in."""

    order: int
    is_origin: bool
    is_destination: bool
    address: str | None
    unit: str | None
    property_name: str | None
    property_type: PropertyType | int | None
    #: Flights of stairs; None when not given.
    stairs: int | None
    has_elevator: bool | None
    parking: str | None
    notes: str | None


@dataclass(frozen=True, slots=True)
class JobMaterial:
    """A material planned for a job: quantities only (its rates are money, left out)."""

    name: str
    quantity: int
    packing_quantity: int
    unpacking_quantity: int


@dataclass(frozen=True, slots=True)
class PremiumJob:
    """`/api/premium/opportunities/{o}/jobs/{j}` with stops and estimated materials. The view's
    charges and material rates are money the crew must not see: they are not read at all."""

    id: str
    #: As SmartMoving's office typed it ("8:00 AM - 10:00 AM"); see `parse_arrival_window`.
    arrival_window: str | None
    times: JobTimes
    stops: tuple[JobStop, ...]
    materials: tuple[JobMaterial, ...]


@dataclass(frozen=True, slots=True)
class InventorySummary:
    """`/api/premium/opportunities/{id}/inventory`, counted: rooms, items and boxes (quantities
    summed), total volume (cu ft) and weight (lb) when any entry gives one."""

    rooms: int
    items: int
    boxes: int
    volume: float | None
    weight: float | None


@dataclass(frozen=True, slots=True)
class OpportunityDocument:
    """One entry of `/api/premium/opportunities/{id}/documents`: the opportunity's own documents
    (`job_id` None) and its jobs'."""

    id: str
    title: str
    job_id: str | None = None


@dataclass(frozen=True, slots=True)
class InventoryLine:
    """One line of an opportunity's inventory for the crew to load and check: a room's item or a
    box kind. Normalised: the room and name are never empty (fallback words), whitespace is
    collapsed, the count is at least 1 (absent or null counts as one item)."""

    #: SmartMoving's id of the room item or box (None when the payload has none).
    external_id: str | None
    room: str
    name: str
    quantity: int


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """A thin webhook delivery: ids only, the receiver fetches the opportunity."""

    event_type: str
    opportunity_id: str | None
    opportunity_status: OpportunityStatus | int | None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
