"""Benchmark of the SmartMoving jobs sync: today + tomorrow from the simulator over real HTTP
into a fresh database, then the same sync again (nothing changed) and a full refresh.

    python -m bench.sync [--database-url URL] [--rate CALLS_PER_MINUTE] [--delay SECONDS]

Prints jobs synced per second, API calls per synced day, and the second (idempotent) run's
figures. `--rate` paces the client (default: unthrottled, to measure the sync itself; the live
API allows 120/min, so the printed "at 120/min" line is the floor there); `--delay` adds
latency to every simulator answer.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

from sqlalchemy import func, select

from db.enums import IntegrationPlan, SyncKind
from db.models import Company, CompanyIntegration, Journey, SyncRun
from db.session import dispose_engine, init_engine
from domain.secrets import encrypt_secret
from domain.sync.jobs import WINDOW_DAYS
from domain.sync.runs import open_run
from domain.sync.service import run_sync
from domain.unit_of_work import read_session, unit_of_work
from integrations.smartmoving.simulator import SimulatorState, create_simulator_app
from tests.db_support import ensure_database, reset_schema
from tests.smartmoving.conftest import serve

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/ccrm_bench_sync"
API_KEY = "bench-key"
LIVE_RATE_PER_MINUTE = 120


async def _setup(base_url: str) -> int:
    async with unit_of_work() as session:
        company = Company(name="Bench Moving Co", timezone="America/Toronto")
        session.add(company)
        await session.flush()
        integration = CompanyIntegration(company_id=company.id, base_url=base_url, plan=IntegrationPlan.PREMIUM,
                                         api_key_encrypted=encrypt_secret(API_KEY))
        session.add(integration)
        await session.flush()
        return integration.id


async def _timed_run(integration_id: int, kind: SyncKind, options: dict[str, Any]) -> tuple[SyncRun, float]:
    info = await open_run(integration_id, kind, "bench")
    started = time.perf_counter()
    await run_sync(info, **options)
    elapsed = time.perf_counter() - started
    async with read_session() as session:
        return await session.get_one(SyncRun, info.run_id), elapsed


def _line(label: str, run: SyncRun, seconds: float) -> str:
    return (f"{label:<22} {seconds:7.2f} s  created {run.created:4d}  updated {run.updated:4d}  "
            f"unchanged {run.unchanged:4d}  failed {run.failed}  API calls {run.api_calls:4d}  [{run.status.value}]")


async def bench(database_url: str, rate: int, delay: float) -> None:
    ensure_database(database_url)
    await asyncio.to_thread(reset_schema, database_url)
    init_engine(database_url)
    state = SimulatorState(seed=2026, api_key=API_KEY)
    state.delay_seconds = delay
    options = {"rate_per_minute": rate}
    try:
        with serve(create_simulator_app(state)) as url:
            integration_id = await _setup(url)
            first, first_s = await _timed_run(integration_id, SyncKind.JOBS, options)
            catalogue_calls = first.details.get("catalogue") and sum(
                n for path, n in state.calls.items() if not path.startswith(("/api/customers", "/api/opportunities")))
            second, second_s = await _timed_run(integration_id, SyncKind.JOBS, options)
            full, full_s = await _timed_run(integration_id, SyncKind.FULL_JOBS, options)
        async with read_session() as session:
            journeys = await session.scalar(select(func.count()).select_from(Journey))
    finally:
        await dispose_engine()
    job_calls = first.api_calls - (catalogue_calls or 0)
    print(f"SmartMoving jobs sync — {WINDOW_DAYS} days (today + tomorrow), simulator seed 2026, "
          f"client rate {rate}/min, answer delay {delay * 1000:.0f} ms, {database_url.split('@')[-1]}")
    print(_line("first run", first, first_s))
    print(_line("second run (no change)", second, second_s))
    print(_line("full refresh", full, full_s))
    print(f"journeys in the database: {journeys}")
    print(f"jobs synced per second (first run, catalogue included): {first.created / first_s:.0f}")
    print(f"API calls per synced day: first run {job_calls / WINDOW_DAYS:.0f} (+{catalogue_calls} catalogue calls once), "
          f"unchanged run {second.api_calls / WINDOW_DAYS:.1f}, full refresh {full.api_calls / WINDOW_DAYS:.0f}")
    print(f"second run: {second.created} created, {second.updated} updated, {second.api_calls} API calls, "
          f"{second_s * 1000:.0f} ms")
    print(f"at the live API's {LIVE_RATE_PER_MINUTE}/min the first run needs at least "
          f"{first.api_calls / LIVE_RATE_PER_MINUTE:.1f} min, an unchanged run "
          f"{second.api_calls / LIVE_RATE_PER_MINUTE * 60:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--rate", type=int, default=1_000_000, help="client calls per minute")
    parser.add_argument("--delay", type=float, default=0.0, help="simulator answer delay in seconds")
    args = parser.parse_args()
    asyncio.run(bench(args.database_url, args.rate, args.delay))


if __name__ == "__main__":
    main()
