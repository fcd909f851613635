"""Journey fields derived from SmartMoving's job details beyond the plain columns, kept in
`Journey.external_data` (pure functions, no database, no HTTP):

- `schedule`: when the job starts. A fixed `startTimeUtc` when SmartMoving has one, else the
  start of the Premium arrival window ("8:00 AM - 10:00 AM", local to the branch), so the journey
  still has a time; `basis` says which, so cards can say "Arrival 08:00–10:00".
- `money`: the opportunity's total, what was paid and the balance due (financial roles only:
  read models select this key only for principals with `can_view_financial_data`).
- `premium`: the crew-safe premium section (`domain.sync.premium`), stored as fetched.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from domain.timewindow import zone
from integrations.smartmoving import JobTimes, OpportunityDetail
from integrations.smartmoving.premium import parse_arrival_window

PREMIUM_KEY = "premium"
SCHEDULE_KEY = "schedule"
MONEY_KEY = "money"
#: `schedule.basis`: a fixed start, or the start of the arrival window.
START_TIME = "start_time"
ARRIVAL_WINDOW = "arrival_window"

_CENTS = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class JobSchedule:
    start: dt.datetime | None
    end: dt.datetime | None
    basis: str | None
    window_start: dt.datetime | None
    window_end: dt.datetime | None

    def as_json(self) -> dict[str, Any]:
        return {"basis": self.basis, "window_start": _iso(self.window_start), "window_end": _iso(self.window_end)}


def job_schedule(times: JobTimes | None, premium: dict[str, Any] | None, day: dt.date,
                 timezone: str) -> JobSchedule:
    """Start and end of the job. `times` None (not fetched) leaves both unknown, and the stored
    schedule is kept; an end not after the start is dropped."""
    window_start, window_end = arrival_window(premium, day, timezone)
    if times is None:
        return JobSchedule(None, None, None, window_start, window_end)
    if times.start_time_utc is not None:
        start, basis = times.start_time_utc, START_TIME
    elif window_start is not None:
        start, basis = window_start, ARRIVAL_WINDOW
    else:
        return JobSchedule(None, None, None, window_start, window_end)
    end = times.end_time_utc
    return JobSchedule(start, end if end is not None and end > start else None, basis, window_start, window_end)


def arrival_window(premium: dict[str, Any] | None, day: dt.date,
                   timezone: str) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The premium section's arrival window on `day` in the branch's zone, as UTC instants
    (an end before the start is the next day's)."""
    window = parse_arrival_window((premium or {}).get("arrival_window"))
    if window is None:
        return None, None
    tz = zone(timezone)
    start = dt.datetime.combine(day, window.start, tz)
    if window.end is None:
        return start.astimezone(dt.UTC), None
    end = dt.datetime.combine(day, window.end, tz)
    if end <= start:
        end += dt.timedelta(days=1)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def money_section(detail: OpportunityDetail) -> dict[str, Any]:
    """Total (`estimatedTotal.finalTotal`), paid (received payments net of refunds) and balance
    due of the whole opportunity, as decimal strings; the balance is None without a total."""
    paid = sum((p.amount - p.amount_refunded for p in detail.payments if not p.outstanding and not p.is_refund),
               Decimal(0)).quantize(_CENTS)
    total = detail.estimated_total
    return {"total": None if total is None else str(total.quantize(_CENTS)), "paid": str(paid),
            "balance_due": None if total is None else str((total - paid).quantize(_CENTS)),
            "payments": len(detail.payments)}


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()
