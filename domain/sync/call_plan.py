"""The call plan: how a company's SmartMoving sync spends its monthly quota, and how fresh that
keeps the board. Pure arithmetic; `schedule` turns the chosen plan into scheduler jobs.

SmartMoving has no "modified since" filter (NOTES.md), so freshness is bought with calls:

- the customers listing (one call per 200 customers) shows a job's status, date, and that it
  exists — a change there is noticed by listing the day again;
- a job's details (`/opportunities/{id}` + `/opportunities/{id}/jobs`: two calls per
  opportunity) are the only way to see its times, addresses and value. A new or changed
  opportunity is always fetched; an unchanged one only by the rolling refresh below.

So a plan has four parts:
1. the NEAR listing (today and tomorrow, the days crews drive to) every `near_every_minutes`
   during the working hours;
2. the WINDOW listing (every day of the window) every `window_every_hours`;
3. the rolling refresh: every near job's details re-read once per `refresh_every_hours`, a
   slice on each near run (None: no budget for it — details-only changes then need webhooks);
4. the catalogue every `catalogue_every_hours`.

The plan for a tier is the freshest candidate whose month (31 days, the longest) fits
`RESERVE` of the quota: the rest is kept for retries, 429s (they count) and manual syncs.
A Premium integration also gets webhooks, which refresh a changed opportunity within a minute.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from db.enums import IntegrationPlan

QUOTAS: dict[IntegrationPlan, int] = {IntegrationPlan.BASIC: 20_000, IntegrationPlan.PREMIUM: 125_000}
#: Days whose jobs crews drive to next: listed often, their details kept fresh.
NEAR_DAYS = 2
#: Customers per listing page (the server's cap).
PAGE_SIZE = 200
#: Calls a detail fetch costs: the opportunity and its jobs' times.
DETAIL_CALLS = 2
#: A plan must fit the longest month.
DAYS_PER_MONTH = 31
#: Share of the quota a plan may spend; the rest absorbs retries, 429s and manual syncs.
RESERVE = 0.95
#: Calls of one catalogue sync (branches, service types, move sizes, users, tariffs...).
CATALOGUE_CALLS = 8
#: The near listing runs in these local hours (start inclusive, end exclusive).
WORKING_HOURS = (6, 22)
#: Rolling refresh periods tried, freshest first (hours).
REFRESH_PERIODS = (2, 3, 4, 6, 8, 12, 24, 48)


@dataclass(frozen=True, slots=True)
class Workload:
    """What the company's SmartMoving holds, as the plan assumes it."""

    jobs_per_day: float
    window_days: int
    #: Share of the window's jobs whose listing entry changes per day (status, date, new job).
    change_rate: float = 0.015
    #: Jobs per opportunity (a move with a packing day is one opportunity, two jobs); 1.0 is
    #: the costly case: one detail fetch per job.
    jobs_per_opportunity: float = 1.0
    #: Share of opportunities that change per day on a Premium account (webhook refreshes).
    webhook_rate: float = 0.05

    def pages(self, days: int) -> int:
        return max(1, math.ceil(self.jobs_per_day * days / PAGE_SIZE))

    def opportunities(self, days: float) -> float:
        return self.jobs_per_day * days / self.jobs_per_opportunity


@dataclass(frozen=True, slots=True)
class Cadence:
    near_every_minutes: int
    window_every_hours: int
    catalogue_every_hours: int
    #: Hours in which every near job's details are re-read once (None: no rolling refresh).
    refresh_every_hours: int | None = None

    @property
    def near_runs_per_day(self) -> float:
        start, end = WORKING_HOURS
        return (end - start) * 60 / self.near_every_minutes


#: Listing cadences tried, freshest first; the rolling refresh takes what they leave.
CANDIDATES = (
    Cadence(30, 3, 12), Cadence(30, 6, 24), Cadence(30, 12, 24), Cadence(60, 12, 24),
    Cadence(60, 24, 168), Cadence(120, 24, 168), Cadence(240, 24, 168),
)


@dataclass(frozen=True, slots=True)
class CallPlan:
    plan: IntegrationPlan
    workload: Workload
    cadence: Cadence

    @property
    def quota(self) -> int:
        return QUOTAS[self.plan]

    @property
    def webhooks(self) -> bool:
        return self.plan is IntegrationPlan.PREMIUM

    def calls_per_day(self) -> dict[str, float]:
        """The day's calls by purpose."""
        w, c = self.workload, self.cadence
        calls = {
            "near_listing": c.near_runs_per_day * w.pages(NEAR_DAYS),
            "window_listing": 24 / c.window_every_hours * w.pages(w.window_days),
            "new_jobs": w.opportunities(1) * DETAIL_CALLS,
            "changed_jobs": w.change_rate * w.opportunities(w.window_days) * DETAIL_CALLS,
            "rolling_refresh": (24 / c.refresh_every_hours * w.opportunities(NEAR_DAYS) * DETAIL_CALLS
                                if c.refresh_every_hours else 0.0),
            "catalogue": 24 / c.catalogue_every_hours * CATALOGUE_CALLS,
        }
        if self.webhooks:
            calls["webhook_refreshes"] = w.webhook_rate * w.opportunities(w.window_days) * DETAIL_CALLS
        return calls

    @property
    def per_day(self) -> int:
        return math.ceil(sum(self.calls_per_day().values()))

    @property
    def per_month(self) -> int:
        return math.ceil(sum(self.calls_per_day().values()) * DAYS_PER_MONTH)

    @property
    def fits(self) -> bool:
        return self.per_month <= self.quota * RESERVE

    def freshness(self) -> list[str]:
        """The bounds this plan keeps, in words."""
        c = self.cadence
        start, end = WORKING_HOURS
        bounds = [
            f"Today's and tomorrow's jobs: status, date, new and removed jobs within {_every(c.near_every_minutes)} "
            f"({start:02d}:00–{end:02d}:00).",
            f"Later days of the {self.workload.window_days}-day window: within {_every(c.window_every_hours * 60)}.",
        ]
        if self.webhooks:
            bounds.append("Times, addresses and value: within a minute of SmartMoving's webhook.")
        if c.refresh_every_hours:
            bounds.append(f"Without a webhook, today's and tomorrow's times, addresses and value: within "
                          f"{_every(c.refresh_every_hours * 60)} (each job's details re-read in turn).")
        elif not self.webhooks:
            bounds.append("Times, addresses and value of an unchanged job: only when its listing changes — this "
                          "plan has no calls left to re-read details; Premium's webhooks would bring them.")
        return bounds

    def as_dict(self) -> dict[str, object]:
        return {
            "plan": self.plan.value, "quota": self.quota, "calls_per_day": self.per_day,
            "calls_per_month": self.per_month, "fits": self.fits,
            "jobs_per_day": round(self.workload.jobs_per_day, 1), "window_days": self.workload.window_days,
            "near_every_minutes": self.cadence.near_every_minutes,
            "window_every_hours": self.cadence.window_every_hours,
            "refresh_every_hours": self.cadence.refresh_every_hours,
            "catalogue_every_hours": self.cadence.catalogue_every_hours,
            "by_purpose": {k: round(v, 1) for k, v in self.calls_per_day().items()},
            "freshness": self.freshness(),
        }


def _every(minutes: int) -> str:
    if minutes < 60:
        return f"{minutes} minutes"
    hours = minutes // 60
    return "1 hour" if hours == 1 else f"{hours} hours"


def plan_for(plan: IntegrationPlan, workload: Workload, *, min_near_minutes: int = 30) -> CallPlan:
    """The freshest plan that fits the tier's quota: the first listing cadence that fits (never
    more often than the integration's own setting), then the shortest rolling refresh that still
    fits. The last candidate is returned even when nothing fits (`fits` says so)."""
    chosen = CallPlan(plan, workload, CANDIDATES[-1])
    first = CANDIDATES[0]
    tried = CANDIDATES if min_near_minutes >= first.near_every_minutes else (
        Cadence(min_near_minutes, first.window_every_hours, first.catalogue_every_hours), *CANDIDATES)
    for cadence in tried:
        if cadence.near_every_minutes < min_near_minutes:
            cadence = Cadence(min_near_minutes, cadence.window_every_hours, cadence.catalogue_every_hours)
        candidate = CallPlan(plan, workload, cadence)
        if candidate.fits:
            chosen = candidate
            break
    for hours in REFRESH_PERIODS:
        refreshed = CallPlan(plan, workload, Cadence(chosen.cadence.near_every_minutes,
                                                     chosen.cadence.window_every_hours,
                                                     chosen.cadence.catalogue_every_hours, hours))
        if refreshed.fits:
            return refreshed
    return chosen


@dataclass(frozen=True, slots=True)
class Scope:
    """What one listing run covers: the listed days from today (None: the whole window) and the
    slice of the near jobs whose details it re-reads although their listing did not change."""

    days: int | None = None
    #: (index, count): the near jobs whose position in id order is `index` modulo `count`.
    refresh: tuple[int, int] | None = None

    def as_dict(self) -> dict[str, object]:
        return {"days": self.days, "refresh": list(self.refresh) if self.refresh else None}


WINDOW = Scope()


def near_scope(cadence: Cadence, local_minutes: int, day_number: int) -> Scope:
    """The near run's scope at `local_minutes` past midnight of day `day_number` (any day count):
    consecutive runs take consecutive slices, so every near job is re-read once per
    `refresh_every_hours` of working hours (per day when that is 24 hours or more)."""
    if cadence.refresh_every_hours is None:
        return Scope(NEAR_DAYS)
    runs_per_day = max(1, math.floor(cadence.near_runs_per_day))
    slot = max(0, local_minutes - WORKING_HOURS[0] * 60) // cadence.near_every_minutes
    if cadence.refresh_every_hours >= 24:
        count = runs_per_day * cadence.refresh_every_hours // 24
    else:
        count = max(1, cadence.refresh_every_hours * 60 // cadence.near_every_minutes)
    return Scope(NEAR_DAYS, ((day_number * runs_per_day + min(slot, runs_per_day - 1)) % count, count))
