"""Bench: from a SmartMoving webhook to the changed card on an open board (issue 13).

    python -m bench.webhook_board [--database-url URL] [--changes N]

Starts the app (`python app.py`, demo mode, its in-process SmartMoving simulator on a free port,
scheduler off) on `<database of URL>` (emptied first), syncs the demo company once, and opens the
dispatch board of a synced journey's branch and day in headless Chromium, signed in as the
admin. Then, N times: changes that job's start time in SmartMoving through the simulator's
scripting API (a details-only change: the customers listing does not show it), posts the
`opportunity-changed` webhook SmartMoving would send, and measures until the card on the open
board shows the new start. Prints each time, p50 and max, and the machine's load.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path
from tempfile import mkdtemp
from typing import Any

import httpx
from playwright.async_api import async_playwright
from sqlalchemy import create_engine, select

from db.enums import DataSource
from db.models import Company, Journey, Location
from db.seed import DEMO_COMPANY, DEMO_PASSWORD
from db.session import sync_url
from domain.journeys.labels import clock
from domain.sync.demo import DEMO_API_KEY, DEMO_WEBHOOK_SECRET
from integrations.smartmoving.simulator.script import SimulatorScript
from tests.e2e.live_server import CHROMIUM_ARGS, blank_database, free_port, start_live_server

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/ccrm_bench_webhook_board"
SYNC_TIMEOUT_SECONDS = 300
VISIBLE_TIMEOUT_SECONDS = 30.0
SHIFT = dt.timedelta(minutes=15)


def _read(url: str, statement: Any) -> Any:
    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as conn:
            return conn.execute(statement).one()
    finally:
        engine.dispose()


def _synced_journey(url: str, company_id: int) -> dict[str, Any]:
    """The first synced journey with a start time: its card, branch and SmartMoving ids."""
    row = _read(url, select(Journey.id, Journey.location_id, Journey.journey_date, Journey.scheduled_start,
                            Journey.external_id, Journey.external_opportunity_id, Location.timezone)
                .join(Location, Location.id == Journey.location_id)
                .where(Journey.company_id == company_id, Journey.data_source == DataSource.SMARTMOVING,
                       Journey.external_opportunity_id.is_not(None), Journey.scheduled_start.is_not(None))
                .order_by(Journey.journey_date, Journey.id).limit(1))
    return dict(row._asdict())


async def _sync_once(http: httpx.AsyncClient, company_id: int) -> None:
    token = (await http.post("/api/auth/login", json={"email": "superadmin@demo.ccrm",
                                                      "password": DEMO_PASSWORD})).json()["data"]["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    run_id = (await http.post(f"/api/companies/{company_id}/sync", headers=headers)).json()["data"]["run_id"]
    async with asyncio.timeout(SYNC_TIMEOUT_SECONDS):
        while True:
            runs = (await http.get(f"/api/companies/{company_id}/sync", headers=headers)).json()["data"]
            run = next((r for r in runs if r["id"] == run_id), None)
            if run is not None and run["status"] not in ("RUNNING",):
                print(f"  first sync: {run['status']}, {run['created']} journeys", file=sys.stderr, flush=True)
                return
            await asyncio.sleep(1)


async def run(database_url: str, changes: int) -> list[float]:
    url = blank_database(database_url)
    sim_port = free_port()
    server = start_live_server(url, env={"LOG_LEVEL": "WARNING", "SIMULATOR_PORT": str(sim_port),
                                    "SMARTMOVING_RATE_PER_MINUTE": "100000"},
                               workdir=Path(mkdtemp(prefix="ccrm-bench-webhook-board-")))
    timings: list[float] = []
    try:
        await asyncio.to_thread(server.wait_ready)
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
            company_id = int(_read(url, select(Company.id).where(Company.name == DEMO_COMPANY))[0])
            await _sync_once(http, company_id)
            journey = _synced_journey(url, company_id)
            async with async_playwright() as playwright, \
                    SimulatorScript(f"http://127.0.0.1:{sim_port}", DEMO_API_KEY) as script:
                browser = await playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                page = await (await browser.new_context(base_url=server.url)).new_page()
                await page.goto("/login")
                await page.get_by_test_id("email").fill("admin@demo.ccrm")
                await page.get_by_test_id("password").fill(DEMO_PASSWORD)
                await page.get_by_test_id("sign-in").click()
                await page.wait_for_url(lambda u: "/login" not in u)
                await page.goto(f"/board?location={journey['location_id']}&day={journey['journey_date']}")
                card = page.get_by_test_id(f"journey-card-{journey['id']}")
                await card.wait_for()
                start = journey["scheduled_start"].replace(tzinfo=dt.UTC)
                for n in range(1, changes + 1):
                    new_start = start + SHIFT * n
                    await script.change_job(journey["external_opportunity_id"], journey["external_id"],
                                            start=new_start)
                    label = clock(new_start, journey["timezone"])
                    began = time.perf_counter()
                    delivery = {"event-type": "opportunity-changed",
                                "opportunity-id": journey["external_opportunity_id"]}
                    response = await http.post(f"/api/smartmoving/webhooks/{company_id}", json=delivery,
                                               headers={"x-smartmoving-auth": DEMO_WEBHOOK_SECRET})
                    response.raise_for_status()
                    await card.filter(has_text=label).wait_for(timeout=VISIBLE_TIMEOUT_SECONDS * 1000)
                    timings.append((time.perf_counter() - began) * 1000)
                    print(f"  change {n}: {timings[-1]:.0f} ms", file=sys.stderr, flush=True)
                await browser.close()
    finally:
        server.stop()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL,
                        help="a PostgreSQL database for the bench alone: it is emptied first")
    parser.add_argument("--changes", type=int, default=5, help="webhook changes measured (1-50)")
    args = parser.parse_args()
    if not 1 <= args.changes <= 50:
        parser.error("--changes must be 1..50")
    timings = asyncio.run(run(args.database_url, args.changes))
    load = os.getloadavg()
    print(f"webhook → changed card on an open board, {len(timings)} changes: "
          f"p50 {statistics.median(timings):.0f} ms, max {max(timings):.0f} ms "
          f"(load average {load[0]:.2f} on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
