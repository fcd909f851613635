"""Benchmark of the SmartMoving jobs sync on one busy day: 2,000 jobs from the simulator, synced
over real HTTP by the real client into a fresh database, then the same sync again with nothing
changed, then a full refresh (every opportunity fetched again, still nothing changed).

    python -m bench.sync_day [--database-url URL] [--jobs N] [--rate CALLS_PER_MINUTE] [--delay SECONDS]
                             [--json PATH]

The database used is `<database of URL>_syncday` (emptied and migrated first). The simulator
runs in its own process (as SmartMoving is another machine), seed 2026, with every job on
today (company-local) and none on the other days of the 14-day window, in its usual mix of
statuses and job types (leads and quotes become no journey; cancelled and lost ones become
CANCELLED journeys, so that dispatch sees them). The client is unthrottled by
default to measure the sync itself; the live API allows 120 calls a minute, so the
"at 120/min" figure is the floor a live sync of that day cannot beat; `--delay` adds latency to
every simulator answer, as a remote API has.

"Wrote nothing" is checked in PostgreSQL, not taken from the run's counters: every row of every
table whose version (`xmin`) is newer than the start of the re-sync counts, and so does any row gone.
The run's own bookkeeping (BOOKKEEPING_TABLES) is reported apart.

Convergence: then 200 changes are scripted through the simulator's scripting API over HTTP —
150 the customers listing shows (cancel, lose, un-book, delete, reschedule inside and outside the
14-day window; 25 each), then one regular cycle; 50 only the details show (start time, addresses,
value), then one full cycle — and after each cycle the journeys are compared with SmartMoving's
truth (`tests.sync.helpers.truth_mismatches`): 0 mismatches is the target; the calls each cycle
spent are reported.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from bench.report import Figure, at_least, at_most, reported, table, write_json
from db.enums import IntegrationPlan, SyncKind
from db.models import Base, Company, CompanyIntegration, SyncRun
from db.session import dispose_engine, init_engine
from domain.sync.call_plan import Workload, plan_for
from domain.sync.runs import open_run
from domain.sync.secrets import encrypt_secret
from domain.sync.service import run_sync
from domain.timewindow import today_in
from domain.unit_of_work import read_session, unit_of_work
from integrations.smartmoving.simulator.script import SimulatorScript
from tests.db_support import ensure_database, is_postgres, reset_schema
from tests.e2e.live_server import ROOT, sibling_database
from tests.smartmoving.conftest import simulator_process
from tests.sync.helpers import synced_journeys, truth_mismatches

SECTION = "sync"
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/ccrm_bench"
JOBS = 2_000
TARGET_JOBS_PER_SECOND = 200
TIMEZONE = "America/Toronto"
SEED = 2026
API_KEY = "bench-key"
UNTHROTTLED = 1_000_000
LIVE_RATE_PER_MINUTE = 120
#: What every run writes about itself: its SyncRun, the integration's status and last sync, its audit entry.
BOOKKEEPING_TABLES = ("sync_runs", "company_integrations", "audit_entries")


@dataclass(frozen=True, slots=True)
class TimedRun:
    run: SyncRun
    seconds: float
    #: CPU time of this process (the app's side: client, mapping, SQLAlchemy) during the run.
    cpu_seconds: float


def run(database_url: str, *, jobs: int = JOBS, rate: int = UNTHROTTLED, delay: float = 0.0) -> list[Figure]:
    """The figures of one bench on `<database>_syncday` (PostgreSQL: the write check needs it).
    It runs its own event loop and initialises the process-wide engine, disposed at the end."""
    return asyncio.run(_bench(sibling_database(database_url, "syncday"), jobs, rate, delay))


async def _bench(url: str, jobs: int, rate: int, delay: float) -> list[Figure]:
    if not is_postgres(url):
        raise SystemExit("the sync bench needs PostgreSQL (it checks row versions)")
    ensure_database(url)
    await asyncio.to_thread(reset_schema, url)
    init_engine(url)
    simulator = ["--seed", str(SEED), "--jobs-on", f"{today_in(TIMEZONE).isoformat()}={jobs}",
                 "--delay", str(delay), "--log-level", "warning"]
    options = {"rate_per_minute": rate}
    try:
        with simulator_process(simulator, API_KEY) as base_url:
            integration_id = await setup_integration(base_url)
            catalogue = await timed_run(integration_id, SyncKind.CATALOGUE, options)
            first = await timed_run(integration_id, SyncKind.JOBS, options)
            since = await _next_transaction()
            again = await timed_run(integration_id, SyncKind.JOBS, options)
            written = await _rows_written_since(since)
            full = await timed_run(integration_id, SyncKind.FULL_JOBS, options)
            converging = await _converge(base_url, integration_id, options)
    finally:
        await dispose_engine()
    return _figures(jobs, catalogue, first, again, written, full) + converging + _call_plan_figures()


#: The company the call plan must fit (issue 13): 230 jobs a day over a 14-day window.
PLAN_JOBS_PER_DAY, PLAN_WINDOW_DAYS = 230, 14


def _call_plan_figures() -> list[Figure]:
    """What the call plan spends for the issue's company on each tier (arithmetic, no run)."""
    figures: list[Figure] = []
    for tier in (IntegrationPlan.BASIC, IntegrationPlan.PREMIUM):
        plan = plan_for(tier, Workload(PLAN_JOBS_PER_DAY, PLAN_WINDOW_DAYS))
        name = f"call plan, {tier.value.lower()}, {PLAN_JOBS_PER_DAY} jobs/day x {PLAN_WINDOW_DAYS} days"
        figures += [
            reported(SECTION, f"{name}: calls a day", plan.per_day, "calls"),
            at_most(SECTION, f"{name}: calls a month (31 days)", plan.per_month, "calls", plan.quota),
            reported(SECTION, f"{name}: today and tomorrow listed every", plan.cadence.near_every_minutes, "min"),
            reported(SECTION, f"{name}: whole window listed every", plan.cadence.window_every_hours, "h"),
            reported(SECTION, f"{name}: near details re-read every", plan.cadence.refresh_every_hours or 0,
                     "h (0: never)"),
        ]
    return figures


#: Scripted changes per kind: listing-visible ones (a regular cycle) and details-only ones (a full cycle).
LISTED_CHANGES = ("cancel", "lose", "unbook", "delete", "reschedule_in", "reschedule_out")
DETAIL_CHANGES = ("start", "addresses", "value")
PER_LISTED_CHANGE = 25
DETAIL_CHANGE_COUNT = 50
WINDOW_DAYS = 14


async def _converge(base_url: str, integration_id: int, options: dict[str, Any]) -> list[Figure]:
    today = today_in(TIMEZONE)
    last = today + dt.timedelta(days=WINDOW_DAYS - 1)
    async with SimulatorScript(base_url, API_KEY) as script:
        rows = await script.truth(today, last)
        jobs_of: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            jobs_of[row["opportunity_id"]].append(row)
        booked = [o for o, jobs in jobs_of.items() if jobs[0]["status"] == 4 and all(j["start"] for j in jobs)]
        listed_count = PER_LISTED_CHANGE * len(LISTED_CHANGES)
        if len(booked) < listed_count + DETAIL_CHANGE_COUNT:
            raise SystemExit(f"{len(booked)} booked opportunities: too few for the convergence changes")
        changes = {"cancel": script.cancel, "lose": script.lose, "unbook": script.unbook, "delete": script.delete}
        for n, opportunity_id in enumerate(booked[:listed_count]):
            kind = LISTED_CHANGES[n // PER_LISTED_CHANGE]
            if kind in changes:
                await changes[kind](opportunity_id)
            else:
                await script.reschedule(opportunity_id, today + dt.timedelta(days=3 if kind == "reschedule_in" else 20))
        regular = await timed_run(integration_id, SyncKind.JOBS, options)
        after_regular = truth_mismatches(await script.truth(today, last), await synced_journeys(), today, last)
        for n, opportunity_id in enumerate(booked[listed_count:listed_count + DETAIL_CHANGE_COUNT]):
            kind = DETAIL_CHANGES[n % len(DETAIL_CHANGES)]
            job = jobs_of[opportunity_id][0]
            if kind == "start":
                await script.change_job(opportunity_id, job["job_id"],
                                        start=dt.datetime.fromisoformat(job["start"]) + dt.timedelta(hours=3))
            elif kind == "addresses":
                await script.change_job(opportunity_id, job["job_id"], addresses=[f"{n} Changed St", f"{n} Moved Ave"])
            else:
                await script.set_value(opportunity_id, 1302.5 + n)
        full = await timed_run(integration_id, SyncKind.FULL_JOBS, options)
        after_full = truth_mismatches(await script.truth(today, last), await synced_journeys(), today, last)
    return [
        reported(SECTION, "convergence: listing-visible changes scripted", listed_count, "changes"),
        reported(SECTION, "convergence: regular cycle: duration", regular.seconds, "s"),
        reported(SECTION, "convergence: regular cycle: API calls", regular.run.api_calls, "calls"),
        reported(SECTION, "convergence: regular cycle: journeys updated", regular.run.updated, "journeys"),
        at_most(SECTION, "convergence: mismatches after the regular cycle", len(after_regular), "jobs", 0),
        reported(SECTION, "convergence: details-only changes scripted", DETAIL_CHANGE_COUNT, "changes"),
        reported(SECTION, "convergence: full cycle: API calls", full.run.api_calls, "calls"),
        at_most(SECTION, "convergence: mismatches after the full cycle", len(after_full), "jobs", 0),
    ]


def _figures(jobs: int, catalogue: TimedRun, first: TimedRun, again: TimedRun, written: dict[str, int],
             full: TimedRun) -> list[Figure]:
    data_rows = sum(n for name, n in written.items() if name not in BOOKKEEPING_TABLES)
    f = first.run
    return [
        reported(SECTION, "jobs on the day (listing)", jobs, "jobs"),
        reported(SECTION, "catalogue sync (once, before)", catalogue.seconds, "s"),
        reported(SECTION, "first sync: duration", first.seconds, "s"),
        at_least(SECTION, "first sync: jobs of the day per second", jobs / first.seconds, "jobs/s",
                 TARGET_JOBS_PER_SECOND),
        reported(SECTION, "first sync: journeys created", f.created, "journeys"),
        reported(SECTION, "first sync: jobs not booked nor cancelled (leads, quotes: no journey)",
                 (f.details or {}).get("ignored", 0), "jobs"),
        reported(SECTION, "first sync: journeys created per second", f.created / first.seconds, "journeys/s"),
        reported(SECTION, "first sync: CPU of the app process per 1,000 jobs", first.cpu_seconds / jobs * 1000, "s"),
        reported(SECTION, "first sync: failed records", f.failed, "records"),
        reported(SECTION, "first sync: API calls", f.api_calls, "calls"),
        reported(SECTION, f"first sync at the live API's {LIVE_RATE_PER_MINUTE}/min: at least",
                 f.api_calls / LIVE_RATE_PER_MINUTE, "min"),
        reported(SECTION, "re-sync (no change): duration", again.seconds * 1000, "ms"),
        reported(SECTION, "re-sync (no change): API calls", again.run.api_calls, "calls"),
        at_most(SECTION, "re-sync (no change): journeys created + updated", again.run.created + again.run.updated,
                "journeys", 0),
        at_most(SECTION, "re-sync (no change): rows written, bookkeeping aside (PostgreSQL xmin)", data_rows,
                "rows", 0),
        *(reported(SECTION, f"re-sync (no change): bookkeeping rows written in {name}", written.get(name, 0), "rows")
          for name in BOOKKEEPING_TABLES),
        reported(SECTION, "full refresh (no change): duration", full.seconds, "s"),
        reported(SECTION, "full refresh (no change): API calls", full.run.api_calls, "calls"),
        at_most(SECTION, "full refresh (no change): journeys created + updated", full.run.created + full.run.updated,
                "journeys", 0),
    ]


async def setup_integration(base_url: str) -> int:
    async with unit_of_work() as session:
        company = Company(name="Bench Moving Co", timezone=TIMEZONE)
        session.add(company)
        await session.flush()
        integration = CompanyIntegration(company_id=company.id, base_url=base_url, plan=IntegrationPlan.PREMIUM,
                                         api_key_encrypted=encrypt_secret(API_KEY))
        session.add(integration)
        await session.flush()
        return integration.id


async def timed_run(integration_id: int, kind: SyncKind, options: dict[str, Any]) -> TimedRun:
    info = await open_run(integration_id, kind, "bench")
    started, cpu_started = time.perf_counter(), time.process_time()
    await run_sync(info, **options)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    async with read_session() as session:
        return TimedRun(await session.get_one(SyncRun, info.run_id), elapsed, cpu)


async def _next_transaction() -> tuple[int, dict[str, int]]:
    """The next transaction id to be assigned (32-bit, as `xmin` holds it) and each table's row count."""
    async with read_session() as session:
        xmax = await session.scalar(text("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint"))
        return int(xmax) % 2**32, await _row_counts(session)


async def _rows_written_since(since: tuple[int, dict[str, int]]) -> dict[str, int]:
    """Per table (only those written), the rows inserted or updated after `since` (a newer xmin)
    plus the rows fewer than there were."""
    xid, counts_before = since
    written: dict[str, int] = {}
    async with read_session() as session:
        counts_after = await _row_counts(session)
        for table_ in Base.metadata.sorted_tables:
            newer = int(await session.scalar(select(func.count()).select_from(table_).where(
                text("xmin::text::bigint >= :xid").bindparams(xid=xid))) or 0)
            gone = max(counts_before[table_.name] - counts_after[table_.name], 0)
            if newer + gone:
                written[table_.name] = newer + gone
    return written


async def _row_counts(session: Any) -> dict[str, int]:
    return {t.name: int(await session.scalar(select(func.count()).select_from(t)) or 0)
            for t in Base.metadata.sorted_tables}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL, help="its database gets the suffix _syncday")
    parser.add_argument("--jobs", type=int, default=JOBS, help="jobs on the day")
    parser.add_argument("--rate", type=int, default=UNTHROTTLED, help="client calls per minute")
    parser.add_argument("--delay", type=float, default=0.0, help="simulator answer delay in seconds")
    parser.add_argument("--json", type=Path, default=ROOT / "var" / "bench" / "sync_day.json")
    args = parser.parse_args()
    figures = run(args.database_url, jobs=args.jobs, rate=args.rate, delay=args.delay)
    rate = "unthrottled" if args.rate >= UNTHROTTLED else f"{args.rate}/min"
    print(f"SmartMoving sync of one day: {args.jobs} jobs, simulator seed {SEED}, client rate {rate}, "
          f"answer delay {args.delay * 1000:.0f} ms")
    print(table(figures))
    write_json(figures, args.json, jobs=args.jobs, rate_per_minute=args.rate, delay_seconds=args.delay)
    print(f"written to {args.json}")


if __name__ == "__main__":
    main()
