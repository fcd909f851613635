"""SmartMoving records → Journey column values (pure functions, no database, no HTTP).

What the sync owns on a journey is exactly `SYNC_COLUMNS` (plus the CANCELLED status rule and
the bookkeeping columns); crew, truck, steps, notes, progress and every other status belong to
dispatch and crews and are never written by the sync.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from db.enums import JourneyStatus
from db.seed import display_name
from db.workflow_defaults import initial_steps
from domain.sync.job_fields import PREMIUM_KEY, job_schedule, money_section
from integrations.smartmoving import (
    CustomerListing,
    JobDetail,
    JobSummary,
    JobTimes,
    JobType,
    OpportunityDetail,
    OpportunityStatus,
    OpportunitySummary,
)

#: Opportunities whose jobs become journeys.
BOOKED_STATUSES = frozenset({OpportunityStatus.BOOKED, OpportunityStatus.COMPLETED, OpportunityStatus.CLOSED})
#: Opportunities cancelled in SmartMoving: their journeys show CANCELLED (created so, when the
#: job lies in the window and was never seen booked, so that dispatch sees the cancellation).
CANCELLING_STATUSES = frozenset({OpportunityStatus.CANCELLED, OpportunityStatus.LOST})

#: Why the sync cancelled a journey (`Journey.sync_reason`; None while SmartMoving has it booked).
REASON_CANCELLED = "cancelled in SmartMoving"
REASON_LOST = "lost in SmartMoving"
REASON_UNBOOKED = "no longer booked in SmartMoving"
REASON_GONE = "no longer in SmartMoving"
REASON_JOB_REMOVED = "no longer in SmartMoving (the job was removed from its opportunity)"
#: `external_hash` of a journey whose job is gone from SmartMoving: it is not looked for again.
GONE_HASH = "gone"

#: Columns whose value comes from SmartMoving (compared to decide "unchanged").
SYNC_COLUMNS: tuple[str, ...] = (
    "location_id", "journey_date", "external_data", "external_hash", "external_opportunity_id", "job_number",
    "customer_name", "customer_phone", "customer_email", "origin_address", "destination_address", "service_type",
    "move_size", "estimated_value", "confirmed", "scheduled_start", "scheduled_end", "sync_reason",
)
#: The columns of a journey's plan: a change of one of them on an assigned journey is never silent.
PLAN_COLUMNS: tuple[str, ...] = ("location_id", "journey_date", "scheduled_start", "scheduled_end",
                                 "origin_address", "destination_address")
#: Of those, the ones that decide whether the truck and crew can still do it.
SCHEDULE_CHANGE_COLUMNS: tuple[str, ...] = ("journey_date", "scheduled_start", "scheduled_end")
#: The schedule is kept as it is when the new start is unknown (no job times were fetched).
SCHEDULE_COLUMNS = frozenset({"scheduled_start", "scheduled_end"})

_MAX_VALUE = Decimal("9999999999.99")
_CENTS = Decimal("0.01")


class MappingError(ValueError):
    """A record that cannot become a journey; `reason` is stored with the run's failures."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class ListingEntry:
    """One job as the customers listing shows it."""

    customer: CustomerListing
    opportunity: OpportunitySummary
    job: JobSummary


@dataclass(frozen=True, slots=True)
class Catalogue:
    """What mapping needs from the company's synced catalogue."""

    service_types: dict[int, str]
    #: `branch_key(SmartMoving branch name)` → location id.
    locations_by_branch: dict[str, int]
    #: location id → its timezone (arrival windows are local times of the branch).
    timezones: dict[int, str] = field(default_factory=dict)

    def location_for(self, branch_name: str | None) -> int:
        location_id = self.locations_by_branch.get(branch_key(branch_name or ""))
        if location_id is None:
            raise MappingError(f"unknown branch {branch_name!r}: not in the synced catalogue")
        return location_id

    def service_type_name(self, job_type: int) -> str:
        if job_type in self.service_types:
            return self.service_types[job_type]
        if job_type in JobType._value2member_map_:
            return JobType(job_type).name.replace("_", " ").title()
        return f"Job type {job_type}"


def branch_key(name: str) -> str:
    """Branch names match whatever their decoration: "CALGARY 🇨🇦 - Let's Get Moving" ~ "Calgary"."""
    return display_name(name).casefold()


def fingerprint(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, default=str, separators=(",", ":")).encode()).hexdigest()


def listing_hash(entry: ListingEntry) -> str:
    """What the listing says about a job; details are refetched only when it changes."""
    c, o, j = entry.customer, entry.opportunity, entry.job
    return fingerprint(c.id, c.name, c.phone, c.email, o.id, o.quote_number, int(o.status),
                       j.id, j.job_number, j.service_date.isoformat(), int(j.type))


def detail_hash(detail: OpportunityDetail, job: JobDetail) -> str:
    """The listing hash computed from the details (webhook refreshes have no listing entry)."""
    return fingerprint(detail.customer_id, detail.customer_name, detail.customer_phone, detail.customer_email,
                       detail.id, detail.quote_number, int(detail.status), job.id, job.job_number,
                       job.job_date.isoformat(), int(job.type))


def is_cancelled(status: int) -> bool:
    return status in CANCELLING_STATUSES


def is_booked(status: int) -> bool:
    return status in BOOKED_STATUSES


def cancel_reason(status: int) -> str | None:
    """Why a job of an opportunity in this status is not live; None when it is booked."""
    if status in BOOKED_STATUSES:
        return None
    if status == OpportunityStatus.CANCELLED:
        return REASON_CANCELLED
    if status == OpportunityStatus.LOST:
        return REASON_LOST
    name = OpportunityStatus(status).name.replace("_", " ").title() if status in OpportunityStatus._value2member_map_ \
        else str(int(status))
    return f"{REASON_UNBOOKED} (status {name})"


def journey_values(detail: OpportunityDetail, job: JobDetail, times: JobTimes | None, catalogue: Catalogue,
                   entry_hash: str, premium: dict[str, Any] | None = None) -> dict[str, Any]:
    """The sync-owned columns of the journey of `job`, plus `status`: SCHEDULED while the
    opportunity is booked, else CANCELLED with its `sync_reason`. `premium` is the job's
    premium section (`domain.sync.premium`), when there is one."""
    location_id = catalogue.location_for(detail.branch_name)
    schedule = job_schedule(times, premium, job.job_date, catalogue.timezones.get(location_id, "UTC"))
    start, end = schedule.start, schedule.end
    reason = cancel_reason(detail.status)
    return {
        "location_id": location_id,
        "journey_date": job.job_date,
        "external_data": _external_data(detail, job, times) | {
            "schedule": schedule.as_json(), "money": money_section(detail),
            **({PREMIUM_KEY: premium} if premium is not None else {})},
        "external_hash": entry_hash,
        "external_opportunity_id": clip(detail.id, 100),
        "job_number": clip(job.job_number, 40),
        "customer_name": clip(detail.customer_name, 200) or "",
        "customer_phone": clip(detail.customer_phone, 40),
        "customer_email": clip(detail.customer_email, 254),
        "origin_address": clip(job.origin, 400),
        "destination_address": clip(job.destination, 400),
        "service_type": clip(catalogue.service_type_name(int(job.type)), 120),
        "move_size": clip(detail.move_size_name, 120),
        "estimated_value": _estimated_value(detail, job),
        "confirmed": job.confirmed,
        "scheduled_start": start,
        "scheduled_end": end,
        "sync_reason": reason,
        "status": JourneyStatus.SCHEDULED if reason is None else JourneyStatus.CANCELLED,
    }


def gone_values(stored: dict[str, Any], reason: str = REASON_GONE) -> dict[str, Any]:
    """The values of a stored journey whose job SmartMoving no longer has: as stored, cancelled."""
    return {**{column: stored.get(column) for column in SYNC_COLUMNS}, "external_hash": GONE_HASH,
            "sync_reason": reason, "status": JourneyStatus.CANCELLED}


def differs(new: dict[str, Any], old: dict[str, Any]) -> bool:
    """Whether writing `new` would change the stored journey `old` (both as column dicts)."""
    keep = SCHEDULE_COLUMNS if new["scheduled_start"] is None else frozenset()
    for column in SYNC_COLUMNS:
        if column in keep:
            continue
        if _comparable(new[column]) != _comparable(old.get(column)):
            return True
    return new["status"] is JourneyStatus.CANCELLED and old.get("status") is not JourneyStatus.CANCELLED


def plan_changes(new: dict[str, Any], old: dict[str, Any]) -> dict[str, list[Any]]:
    """The plan columns `new` changes on `old`, as {column: [old, new]} (JSON-ready); the
    schedule counts only when the new one is known."""
    keep = SCHEDULE_COLUMNS if new.get("scheduled_start") is None else frozenset()
    return {column: [_jsonable(old.get(column)), _jsonable(new.get(column))] for column in PLAN_COLUMNS
            if column not in keep and _comparable(new.get(column)) != _comparable(old.get(column))}


def _jsonable(value: Any) -> Any:
    value = _comparable(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def new_steps(journey_id: int, now: dt.datetime) -> list[dict[str, Any]]:
    """The six steps of a new journey, as rows for a bulk insert."""
    return [{"journey_id": journey_id, **values} for values in initial_steps(now)]


def clip(value: str | None, limit: int) -> str | None:
    """A text trimmed to its column's length; empty becomes None."""
    if value is None:
        return None
    return str(value).strip()[:limit] or None


def _estimated_value(detail: OpportunityDetail, job: JobDetail) -> Decimal | None:
    """The job's part of SmartMoving's estimate, `estimatedTotal.finalTotal` (taxes included):
    all of it for a one-job opportunity; for several jobs, split in proportion to the jobs'
    charges when every job has some, else evenly. Without a total, the job's own charges.
    None when SmartMoving has no estimate: empty charges (`[]`) are "none", never 0.00."""
    total = detail.estimated_total
    if total is None:
        value = job.estimated_charges_total
    elif len(detail.jobs) <= 1:
        value = total
    else:
        value = _share(total, job, detail.jobs)
    if value is None:
        return None
    if not value.is_finite() or abs(value) > _MAX_VALUE:
        raise MappingError(f"estimated value out of range: {value}")
    return value.quantize(_CENTS)


def _share(total: Decimal, job: JobDetail, jobs: tuple[JobDetail, ...]) -> Decimal:
    """The job's share of the opportunity's total; the shares add up to the total exactly
    (the last job takes the rounding)."""
    charges = [j.estimated_charges_total for j in jobs]
    weights = [c for c in charges if c is not None and c > 0]
    parts = [c / sum(weights) for c in weights] if len(weights) == len(jobs) \
        else [Decimal(1) / len(jobs)] * len(jobs)
    shares = [(total * part).quantize(_CENTS) for part in parts]
    shares[-1] = total.quantize(_CENTS) - sum(shares[:-1], Decimal(0))
    index = next(i for i, j in enumerate(jobs) if j.id == job.id)
    return shares[index]


def _external_data(detail: OpportunityDetail, job: JobDetail, times: JobTimes | None) -> dict[str, Any]:
    def iso(value: dt.datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "opportunity_id": detail.id,
        "quote_number": detail.quote_number,
        "opportunity_status": int(detail.status),
        "customer_id": detail.customer_id,
        "branch": detail.branch_name,
        "job_type": int(job.type),
        "addresses": list(job.addresses),
        "times": None if times is None else {
            "start": iso(times.start_time_utc), "end": iso(times.end_time_utc),
            "completed": iso(times.completed_at_utc), "confirmed": iso(times.confirmed_at_utc),
            "closed": iso(times.closed_at_utc),
        },
        "opportunity": detail.raw,
    }


def _comparable(value: Any) -> Any:
    """Stored values as the database returns them: SQLite drops offsets (UTC is meant)."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    if isinstance(value, Decimal):
        return value.quantize(_CENTS)
    return value
