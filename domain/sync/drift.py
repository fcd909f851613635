"""The drift report: does the board equal SmartMoving?

Every window run (the scheduled listing of the whole window, and Reconcile now) reconciles: it
knows which jobs SmartMoving has booked in the window (the customers listing), and after writing it counts, in
the same transaction, the live journeys of that window. The comparison is kept on the run
(`SyncRun.details["reconciliation"]`): per day and branch, SmartMoving's booked jobs, the live
journeys and how many match, and every mismatch (capped, with the exact count):

- MISSING: booked in SmartMoving, no live journey that day (a failed fetch, a journey cancelled on
  the board, a job the sync could not place);
- STALE: a live journey that SmartMoving has not booked that day.

A converged run has no mismatch; the report shows the last one, when it was made, and the last
full reconciliation. "Reconcile now" starts a full run.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import DataSource, JourneyStatus, SyncKind, SyncRunStatus
from db.models import Company, CompanyIntegration, Journey, Location, SyncRun
from domain.access.rbac import Permission, Principal
from domain.errors import NotFound
from domain.unit_of_work import read_session

#: Mismatches kept per run (the count is always exact).
MAX_MISMATCHES = 200
MISSING, STALE = "MISSING", "STALE"
#: Runs that list SmartMoving's jobs (the window runs among them reconcile it).
LISTING_KINDS = (SyncKind.JOBS, SyncKind.FULL_JOBS)
#: Listing runs searched for the last window run (near runs come between, a few an hour).
RECENT_LISTINGS = 40


@dataclass(slots=True)
class BookedJobs:
    """What a listing run saw: SmartMoving's booked jobs of the window (job id → service date)."""

    first: date
    last: date
    jobs: dict[str, date] = field(default_factory=dict)


async def reconcile(session: AsyncSession, company_id: int, booked: BookedJobs,
                    failures: list[dict[str, str]]) -> dict[str, Any]:
    """Compare the window's live journeys (as the run's transaction sees them) with `booked`."""
    rows = (await session.execute(
        select(Journey.id, Journey.external_id, Journey.journey_date, Journey.location_id, Journey.job_number,
               Journey.customer_name, Journey.external_opportunity_id)
        .where(Journey.company_id == company_id, Journey.data_source == DataSource.SMARTMOVING,
               Journey.status != JourneyStatus.CANCELLED,
               Journey.journey_date >= booked.first, Journey.journey_date <= booked.last))).all()
    on_board = {row.external_id: row for row in rows if row.external_id}
    placed = {job_id: location_id for job_id, location_id in (await session.execute(
        select(Journey.external_id, Journey.location_id).where(
            Journey.company_id == company_id, Journey.external_id.in_(list(booked.jobs))))).all()} \
        if booked.jobs else {}
    why_failed = {failure["ref"].removeprefix("job:"): failure["reason"] for failure in failures}
    counts: Counter[tuple[date, int | None, str]] = Counter()
    mismatches: list[dict[str, Any]] = []
    for job_id, day in booked.jobs.items():
        live = on_board.get(job_id)
        matched = live is not None and live.journey_date == day
        counts[(day, placed.get(job_id), "booked")] += 1
        if matched:
            counts[(day, placed.get(job_id), "matched")] += 1
        else:
            mismatches.append({"kind": MISSING, "job": job_id, "date": day.isoformat(),
                               "location_id": placed.get(job_id),
                               "reason": why_failed.get(job_id) or _missing_reason(live, job_id in placed)})
    for job_id, row in on_board.items():
        counts[(row.journey_date, row.location_id, "on_board")] += 1
        if booked.jobs.get(job_id) != row.journey_date:
            mismatches.append({"kind": STALE, "job": job_id, "date": row.journey_date.isoformat(),
                               "location_id": row.location_id, "journey_id": row.id,
                               "customer": row.customer_name, "job_number": row.job_number,
                               "reason": "SmartMoving has not booked it on this day" if row.external_opportunity_id
                               else "no SmartMoving opportunity: it did not come from a sync"})
    cells = sorted({(day, location) for day, location, _ in counts}, key=lambda c: (c[0], c[1] or 0))
    return {
        "first": booked.first.isoformat(), "last": booked.last.isoformat(),
        "days": [{"date": day.isoformat(), "location_id": location,
                  "booked": counts[(day, location, "booked")], "on_board": counts[(day, location, "on_board")],
                  "matched": counts[(day, location, "matched")]} for day, location in cells],
        "mismatch_count": len(mismatches), "mismatches": mismatches[:MAX_MISMATCHES],
    }


def _missing_reason(live: Any, placed: bool) -> str:
    if live is not None:
        return "on another day on the board"
    if placed:
        return "cancelled on the board"
    return "not on the board"


@dataclass(frozen=True, slots=True)
class DriftRow:
    day: date
    branch: str
    booked: int
    on_board: int
    matched: int


@dataclass(frozen=True, slots=True)
class Mismatch:
    kind: str
    day: date
    branch: str
    job: str
    journey_id: int | None
    customer: str
    reason: str


@dataclass(frozen=True, slots=True)
class DriftReport:
    """The last reconciliation of a company (None when no listing run succeeded yet)."""

    company_id: int
    timezone: str
    reconciled_at: datetime | None
    run_id: int | None
    last_full_at: datetime | None
    first: date | None
    last: date | None
    rows: tuple[DriftRow, ...]
    mismatches: tuple[Mismatch, ...]
    mismatch_count: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "company_id": self.company_id, "timezone": self.timezone, "run_id": self.run_id,
            "reconciled_at": self.reconciled_at, "last_full_reconciliation_at": self.last_full_at,
            "window": {"first": self.first, "last": self.last} if self.first else None,
            "mismatch_count": self.mismatch_count,
            "days": [{"date": r.day, "branch": r.branch, "smartmoving_booked": r.booked, "on_board": r.on_board,
                      "matched": r.matched} for r in self.rows],
            "mismatches": [{"kind": m.kind, "date": m.day, "branch": m.branch, "job": m.job,
                            "journey_id": m.journey_id, "customer": m.customer, "reason": m.reason}
                           for m in self.mismatches],
        }


async def drift_report(principal: Principal, company_id: int) -> DriftReport:
    """The company's last reconciliation, in the words of its branches."""
    principal.require(Permission.VIEW_SMARTMOVING_DATA)
    principal.require_company_access(company_id)
    async with read_session() as session:
        company = await session.get(Company, company_id)
        if company is None:
            raise NotFound(f"company {company_id} not found")
        integration_id = await session.scalar(
            select(CompanyIntegration.id).where(CompanyIntegration.company_id == company_id))
        succeeded = (select(SyncRun).where(SyncRun.integration_id == integration_id,
                                           SyncRun.status == SyncRunStatus.SUCCEEDED)
                     .order_by(SyncRun.finished_at.desc(), SyncRun.id.desc()))
        # the near runs in between list two days only: the last run that reconciled the window
        run = next((r for r in await session.scalars(succeeded.where(SyncRun.kind.in_(LISTING_KINDS))
                                                     .limit(RECENT_LISTINGS))
                    if (r.details or {}).get("reconciliation")), None)
        full = await session.scalar(succeeded.where(SyncRun.kind == SyncKind.FULL_JOBS).limit(1))
        names = dict((await session.execute(
            select(Location.id, Location.name).where(Location.company_id == company_id))).tuples().all())
    recon = ((run.details or {}).get("reconciliation") if run else None) or {}

    def branch(location_id: int | None) -> str:
        return names.get(location_id, "a branch not known yet") if location_id else "a branch not known yet"

    rows = tuple(DriftRow(date.fromisoformat(d["date"]), branch(d["location_id"]), d["booked"], d["on_board"],
                          d["matched"]) for d in recon.get("days", ()))
    mismatches = tuple(Mismatch(m["kind"], date.fromisoformat(m["date"]), branch(m.get("location_id")), m["job"],
                                m.get("journey_id"), m.get("customer") or "", m["reason"])
                       for m in recon.get("mismatches", ()))
    return DriftReport(
        company_id=company_id, timezone=company.timezone,
        reconciled_at=run.finished_at if recon and run else None, run_id=run.id if recon and run else None,
        last_full_at=full.finished_at if full else None,
        first=date.fromisoformat(recon["first"]) if recon else None,
        last=date.fromisoformat(recon["last"]) if recon else None,
        rows=rows, mismatches=mismatches, mismatch_count=recon.get("mismatch_count", 0))
