"""Board benchmark: seeds locations with N jobs on one day and prints, per N, the SQL queries the
board read model issues, the time to build the board data, and the time to load the page in
real Chromium (the app served as a subprocess, signed in as the location's dispatcher).

    python -m bench.board                 # SQLite temp file
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench_board python -m bench.board
    BENCH_JOBS=5,100 BENCH_RUNS=20 python -m bench.board

PostgreSQL databases are created when missing; each run adds companies named "Bench <time> <N>".
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy.engine import make_url

from bench.seeding import BusyLocation, record_sql, seed_busy_location
from db.migrate import upgrade_to_head
from db.session import dispose_engine, get_engine, init_engine
from domain.access.passwords import hash_password
from domain.access.rbac import load_principal
from domain.board.views import load_board
from domain.unit_of_work import read_session, unit_of_work
from tests.db_support import ensure_database
from tests.e2e.live_server import CHROMIUM_ARGS, start_live_server

PASSWORD = "Bench-Pass-2026"
CHROMIUM = "/usr/bin/chromium"


@dataclass(frozen=True, slots=True)
class Result:
    jobs: int
    queries: int
    board_ms: float
    page_ms: float | None


def _database_url() -> str:
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        return url
    return f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp(prefix='ccrm-bench-')) / 'bench.db'}"


async def _time_board(busy: BusyLocation, runs: int) -> tuple[int, float]:
    async with read_session() as session:
        principal = await load_principal(session, busy.dispatcher_id)
    assert principal is not None
    await load_board(principal, busy.location_id, busy.day)  # warm-up
    with record_sql(get_engine()) as statements:
        board = await load_board(principal, busy.location_id, busy.day)
    assert len(board.cards) == len({c.id for c in board.cards})
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        await load_board(principal, busy.location_id, busy.day)
        timings.append((time.perf_counter() - started) * 1000)
    return len(statements), statistics.median(timings)


#: True once `cards` job cards are rendered and visible (not merely attached).
_ALL_CARDS_VISIBLE = """cards => [...document.querySelectorAll("[data-testid^='journey-card-']")]
    .filter(card => card.checkVisibility()).length >= cards"""


async def board_page_timings(base: str, email: str, password: str, location_id: int, day: date, cards: int,
                             runs: int) -> list[float]:
    """Ms from navigation to the board of `location_id` on `day` until all its `cards` job cards
    are visible, per run, in real Chromium, signed in as `email`."""
    from playwright.async_api import async_playwright

    timings = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = await (await browser.new_context()).new_page()
        await page.goto(f"{base}/login")
        await page.get_by_test_id("email").fill(email)
        await page.get_by_test_id("password").fill(password)
        await page.get_by_test_id("sign-in").click()
        await page.wait_for_url("**/board**")
        for _ in range(runs):
            started = time.perf_counter()
            await page.goto(f"{base}/board?location={location_id}&day={day}")
            await page.wait_for_function(_ALL_CARDS_VISIBLE, arg=cards)
            timings.append((time.perf_counter() - started) * 1000)
        await browser.close()
    return timings


async def _time_pages(base: str, locations: list[tuple[BusyLocation, int]], runs: int) -> dict[int, float]:
    """Median page time per location."""
    return {
        jobs: statistics.median(await board_page_timings(base, busy.dispatcher_email, PASSWORD, busy.location_id,
                                                         busy.day, jobs, runs))
        for busy, jobs in locations
    }


async def main() -> None:
    url = _database_url()
    job_counts = [int(n) for n in os.environ.get("BENCH_JOBS", "5,100").split(",")]
    runs = int(os.environ.get("BENCH_RUNS", "20"))
    page_runs = int(os.environ.get("BENCH_PAGE_RUNS", "5"))
    ensure_database(url)
    await asyncio.to_thread(upgrade_to_head, url)
    init_engine(url)
    password_hash = await asyncio.to_thread(hash_password, PASSWORD)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    seeded: list[tuple[BusyLocation, int]] = []
    for jobs in job_counts:
        async with unit_of_work() as session:
            seeded.append((await seed_busy_location(session, jobs, password_hash, f"Bench {stamp} {jobs}"), jobs))
    board = {jobs: await _time_board(busy, runs) for busy, jobs in seeded}
    await dispose_engine()
    pages: dict[int, float] = {}
    if await asyncio.to_thread(Path(CHROMIUM).exists) and os.environ.get("BENCH_PAGES", "1") != "0":
        server = start_live_server(url, env={"SEED_DEMO_DATA": "false", "LOG_LEVEL": "WARNING"})
        try:
            await asyncio.to_thread(server.wait_ready)
            pages = await _time_pages(server.url, seeded, page_runs)
        finally:
            server.stop()
    results = [Result(jobs, *board[jobs], pages.get(jobs)) for _, jobs in seeded]
    print(f"database: {make_url(url).get_backend_name()}   read-model runs: {runs}   page loads: {page_runs}")
    print(f"{'jobs':>6} | {'SQL queries':>11} | {'board data (median ms)':>22} | "
          f"{'page load in Chromium (median ms)':>33}")
    print(f"{'-' * 6}-+-{'-' * 11}-+-{'-' * 22}-+-{'-' * 33}")
    for r in results:
        page = f"{r.page_ms:.0f}" if r.page_ms is not None else "skipped"
        print(f"{r.jobs:>6} | {r.queries:>11} | {r.board_ms:>22.1f} | {page:>33}")


if __name__ == "__main__":
    asyncio.run(main())
