"""Benchmark of the SmartMoving sync through faults, at full length: the sync runs over real
HTTP through the fault-injecting proxy (`integrations.smartmoving.simulator.proxy`) to the
simulator in its own process, once per scenario on an emptied database, with the client's live
settings (retries for 120 s, Retry-After honoured, 20 s timeout).

    python -m bench.faults [--database-url URL] [--jobs N] [--rate CALLS_PER_MINUTE] [--scenario NAME ...]
                           [--json PATH]

Scenarios (the figures of issue 20): a 60 s storm of 429s on half the calls (Retry-After 2),
10 % connection resets, 5 % truncated bodies, 10 s hangs on 10 % of calls. Per scenario: the
run's outcome, the calls it spent (429s included; the proxy's count beside it), its duration,
the records it counted failed, and the journeys compared with the simulator's truth
(`tests.sync.helpers.truth_mismatches`): 0 mismatches and no run left RUNNING is the target.
The suite runs the same scenarios scaled down (tests/sync/test_sync_fault_scenarios.py), plus
SIGKILL mid-run, a killed webhook flood and racing triggers.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update

from bench.report import Figure, at_most, reported, table, write_json
from bench.sync_day import API_KEY, DEFAULT_URL, SEED, TIMEZONE, setup_integration, timed_run
from db.enums import SyncKind, SyncRunStatus
from db.models import CompanyIntegration, SyncRun
from db.session import dispose_engine, init_engine
from domain.timewindow import today_in
from domain.unit_of_work import read_session, unit_of_work
from integrations.smartmoving.simulator.proxy import FaultProxy, ProxyFaults
from integrations.smartmoving.simulator.script import SimulatorScript
from tests.db_support import empty_tables, ensure_database, reset_schema
from tests.e2e.live_server import ROOT, sibling_database
from tests.smartmoving.conftest import simulator_process
from tests.sync.helpers import synced_journeys, truth_mismatches

SECTION = "faults"
JOBS = 200
RATE_PER_MINUTE = 600


def _storm(faults: ProxyFaults) -> None:
    faults.retry_after = 2
    faults.storm(60.0, rate=0.5)


def _resets(faults: ProxyFaults) -> None:
    faults.reset_rate = 0.10


def _truncated(faults: ProxyFaults) -> None:
    faults.truncate_rate = 0.05


def _hangs(faults: ProxyFaults) -> None:
    faults.hang_rate, faults.hang_seconds = 0.10, 10.0


SCENARIOS: dict[str, tuple[str, Callable[[ProxyFaults], None]]] = {
    "storm": ("60 s of 429s on 50 % of calls", _storm),
    "resets": ("10 % connection resets", _resets),
    "truncated": ("5 % truncated bodies", _truncated),
    "hangs": ("10 s hangs on 10 % of calls", _hangs),
}


def run(database_url: str, *, jobs: int = JOBS, rate: int = RATE_PER_MINUTE,
        scenarios: list[str] | None = None) -> list[Figure]:
    return asyncio.run(_bench(sibling_database(database_url, "faults"), jobs, rate, scenarios or list(SCENARIOS)))


async def _bench(url: str, jobs: int, rate: int, scenarios: list[str]) -> list[Figure]:
    ensure_database(url)
    await asyncio.to_thread(reset_schema, url)
    init_engine(url)
    today = today_in(TIMEZONE)
    simulator = ["--seed", str(SEED), "--jobs-on", f"{today.isoformat()}={jobs}", "--log-level", "warning"]
    figures: list[Figure] = []
    try:
        with simulator_process(simulator, API_KEY) as base_url:
            for name in scenarios:
                figures += await _scenario(url, base_url, name, rate)
    finally:
        await dispose_engine()
    return figures


async def _scenario(url: str, base_url: str, name: str, rate: int) -> list[Figure]:
    label, inject = SCENARIOS[name]
    await asyncio.to_thread(empty_tables, url)
    proxy = FaultProxy(base_url, ProxyFaults(seed=20))
    async with proxy.running() as proxied:
        integration_id = await setup_integration(proxied)
        async with unit_of_work() as session:
            await session.execute(update(CompanyIntegration).where(CompanyIntegration.id == integration_id)
                                  .values(sync_window_days=1))
        inject(proxy.faults)
        timed = await timed_run(integration_id, SyncKind.JOBS, {"rate_per_minute": rate})
    today = today_in(TIMEZONE)
    async with SimulatorScript(base_url, API_KEY) as script:
        mismatches = truth_mismatches(await script.truth(today, today), await synced_journeys(), today, today)
    async with read_session() as session:
        running = int(await session.scalar(select(func.count()).select_from(SyncRun).where(
            SyncRun.status == SyncRunStatus.RUNNING)) or 0)
    sync = timed.run
    faults = ", ".join(f"{k} {v}" for k, v in sorted(proxy.counts.items()))
    print(f"{label}: {sync.status.value.lower()} in {timed.seconds:.1f} s, {sync.api_calls} calls ({faults}); "
          f"{sync.created} journeys, {sync.failed} failed, {len(mismatches)} mismatches", flush=True)
    prefix = f"{name} ({label})"
    return [
        at_most(SECTION, f"{prefix}: run failed", int(sync.status is not SyncRunStatus.SUCCEEDED), "runs", 0),
        reported(SECTION, f"{prefix}: duration", timed.seconds, "s"),
        reported(SECTION, f"{prefix}: API calls (429s included)", sync.api_calls, "calls"),
        at_most(SECTION, f"{prefix}: calls counted minus calls the proxy saw",
                abs(sync.api_calls - sum(proxy.counts.values())), "calls", 0),
        reported(SECTION, f"{prefix}: journeys created", sync.created, "journeys"),
        at_most(SECTION, f"{prefix}: records failed", sync.failed, "records", 0),
        at_most(SECTION, f"{prefix}: mismatches with SmartMoving's truth", len(mismatches), "jobs", 0),
        at_most(SECTION, f"{prefix}: runs left RUNNING", running, "runs", 0),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL, help="its database gets the suffix _faults")
    parser.add_argument("--jobs", type=int, default=JOBS, help="jobs on today")
    parser.add_argument("--rate", type=int, default=RATE_PER_MINUTE, help="client calls per minute (live: 120)")
    parser.add_argument("--scenario", action="append", choices=list(SCENARIOS), help="repeatable; default all")
    parser.add_argument("--json", type=Path, default=ROOT / "var" / "bench" / "faults.json")
    args = parser.parse_args()
    figures = run(args.database_url, jobs=args.jobs, rate=args.rate, scenarios=args.scenario)
    print(f"SmartMoving sync through faults: {args.jobs} jobs, client rate {args.rate}/min")
    print(table(figures))
    context: dict[str, Any] = {"jobs": args.jobs, "rate_per_minute": args.rate}
    write_json(figures, args.json, **context)
    print(f"written to {args.json}")


if __name__ == "__main__":
    main()
