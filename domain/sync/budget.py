"""The monthly call budget of an integration.

SmartMoving counts every call (429s included) against a monthly quota: BASIC 20,000, PREMIUM
125,000. Calls used this month = the sum of `SyncRun.api_calls` since the 1st (UTC), plus the calls
of the write-back rows last tried since then (`WriteBack.api_calls`, domain/writeback). An
optional run (the every-N-minutes jobs sync) is skipped when the rest of the month would not be
covered at the current rate: used + (calls per jobs run × jobs runs left at the configured
frequency) + (the mandatory catalogue syncs left, every SMARTMOVING_CATALOGUE_HOURS, at their
recent cost) > quota. Mandatory and manual runs go while any budget remains. (The call plan,
`call_plan`, is what keeps a month inside the quota; this rule is the brake when reality costs
more than the plan assumed.)

"Calls per run" of the jobs sync is the mean of the scheduled jobs runs of the last 24 hours
(a day holds the expensive first run after midnight, when tomorrow's jobs are new, and the
cheap ones after it; a manual initial load is left out). The full and catalogue syncs use the
mean of their last RECENT_RUNS runs. Before there is any history, modest defaults apply.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from config import get_settings
from db.enums import SyncKind, SyncRunStatus
from db.models import CompanyIntegration, SyncRun, WriteBack
from domain.sync.call_plan import QUOTAS

#: Calls per run assumed before an integration has run that kind of sync.
DEFAULT_CALLS_PER_RUN: dict[SyncKind, int] = {SyncKind.JOBS: 5, SyncKind.FULL_JOBS: 200,
                                              SyncKind.CATALOGUE: 15, SyncKind.WEBHOOK: 2}
RECENT_RUNS = 10
JOBS_RATE_WINDOW = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Budget:
    quota: int
    used: int
    jobs_run_cost: float
    jobs_runs_left: int
    mandatory_need: int

    @property
    def remaining(self) -> int:
        return max(self.quota - self.used, 0)

    @property
    def exhausted(self) -> bool:
        return self.used >= self.quota

    @property
    def optional_need(self) -> int:
        return math.ceil(self.jobs_run_cost * self.jobs_runs_left)

    @property
    def covers_optional_runs(self) -> bool:
        return self.used + self.optional_need + self.mandatory_need <= self.quota

    def skip_reason(self) -> str:
        return (f"call budget: {self.used:,} of {self.quota:,} calls used this month; at ~{self.jobs_run_cost:.0f} "
                f"calls per run, the {self.jobs_runs_left:,} scheduled runs left (~{self.optional_need:,} calls) "
                f"plus the mandatory full and catalogue syncs (~{self.mandatory_need:,}) would exceed the quota")

    def as_dict(self) -> dict[str, int | float | bool]:
        return {"quota": self.quota, "used": self.used, "remaining": self.remaining,
                "jobs_run_cost": round(self.jobs_run_cost, 1), "jobs_runs_left": self.jobs_runs_left,
                "optional_need": self.optional_need, "mandatory_need": self.mandatory_need,
                "covers_optional_runs": self.covers_optional_runs}


def month_start(now: datetime) -> datetime:
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def next_month_start(now: datetime) -> datetime:
    return (month_start(now) + timedelta(days=32)).replace(day=1)


async def calls_this_month(session: AsyncSession, integration_id: int, now: datetime) -> int:
    since = month_start(now)
    syncs = await session.scalar(
        select(func.coalesce(func.sum(SyncRun.api_calls), 0))
        .where(SyncRun.integration_id == integration_id, SyncRun.started_at >= since))
    writes = await session.scalar(
        select(func.coalesce(func.sum(WriteBack.api_calls), 0))
        .where(WriteBack.integration_id == integration_id, WriteBack.last_attempt_at >= since))
    return int(syncs or 0) + int(writes or 0)


async def _cost_per_run(session: AsyncSession, integration_id: int, kind: SyncKind, now: datetime) -> float:
    finished = (SyncRun.integration_id == integration_id) & (SyncRun.kind == kind) \
        & SyncRun.status.in_((SyncRunStatus.SUCCEEDED, SyncRunStatus.FAILED))
    if kind is SyncKind.JOBS:
        finished &= (SyncRun.trigger == "schedule") & (SyncRun.started_at >= now - JOBS_RATE_WINDOW)
    recent = select(SyncRun.api_calls).where(finished).order_by(SyncRun.started_at.desc()).limit(
        None if kind is SyncKind.JOBS else RECENT_RUNS).subquery()
    mean = await session.scalar(select(func.avg(recent.c.api_calls)))
    return float(mean) if mean is not None else float(DEFAULT_CALLS_PER_RUN[kind])


async def budget_of(session: AsyncSession, integration: CompanyIntegration, now: datetime) -> Budget:
    settings = get_settings()
    left = next_month_start(now) - now
    hours_left = left.total_seconds() / 3600
    jobs_runs_left = int(left.total_seconds() // (60 * max(integration.sync_frequency_minutes, 1)))
    catalogue_runs_left = math.ceil(hours_left / settings.smartmoving_catalogue_hours)
    mandatory = catalogue_runs_left * await _cost_per_run(session, integration.id, SyncKind.CATALOGUE, now)
    return Budget(
        quota=QUOTAS[integration.plan],
        used=await calls_this_month(session, integration.id, now),
        jobs_run_cost=await _cost_per_run(session, integration.id, SyncKind.JOBS, now),
        jobs_runs_left=jobs_runs_left,
        mandatory_need=math.ceil(mandatory),
    )
