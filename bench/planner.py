"""Planner benchmark: a company with 3 branches and a week of about 600 jobs; prints the planner
read model's SQL query count and time, the week for the 3 branches opened in real Chromium (from
navigation until every job block is drawn and visible), and the suggested crews' time for a day of
100 jobs (the CP-SAT solve alone and the whole read + solve), with the machine's load.

    python -m bench.planner          # BENCH_DATABASE_URL, default PostgreSQL ccrm_bench_planner
    BENCH_PAGE_RUNS=5 BENCH_RUNS=20 python -m bench.planner

Each run adds companies named "Planner bench <time>" (the database is created when missing).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bench.board import CHROMIUM, PASSWORD
from bench.seeding import record_sql
from db.enums import CrewRole, DataSource, LocationLinkKind, Role
from db.migrate import upgrade_to_head
from db.models import Company, CrewAssignment, Journey, Location, Truck, User, UserLocation, UserSkill
from db.session import dispose_engine, get_engine, init_engine
from domain.access.passwords import hash_password
from domain.access.rbac import Principal, load_principal
from domain.availability.skills import LICENCE_DZ
from domain.planner.suggest import suggest_crews
from domain.planner.views import View, load_planner
from domain.timewindow import today_in
from domain.unit_of_work import read_session, unit_of_work
from tests.db_support import ensure_database
from tests.e2e.live_server import CHROMIUM_ARGS, start_live_server

TZ = "America/Toronto"
BRANCHES, TRUCKS, JOBS_A_DAY = 3, 8, 29
#: The solver's day: 100 jobs to place, with enough trucks and people for most of them.
SOLVER_JOBS, SOLVER_TRUCKS, SOLVER_PEOPLE = 100, 30, 80


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


async def _seed_week(session: AsyncSession, password_hash: str, name: str) -> tuple[int, list[int], date, int]:
    """(dispatcher id, branch ids, Monday, job count): 3 branches, 8 trucks and 16 people each,
    29 jobs a day for the 7 days of this week; nine in ten with a truck and a crew of two."""
    company = Company(name=name)
    session.add(company)
    await session.flush()
    monday = today_in(TZ) - timedelta(days=today_in(TZ).weekday())
    tz = ZoneInfo(TZ)
    branches, jobs = [], 0
    dispatcher = User(company_id=company.id, email=f"dispatcher@{company.id}.planner.bench", full_name="Dispatcher",
                      password_hash=password_hash, role=Role.DISPATCHER)
    for b in range(BRANCHES):
        location = Location(company_id=company.id, name=f"Branch {b + 1}", timezone=TZ)
        session.add(location)
        await session.flush()
        branches.append(location.id)
        dispatcher.location_links.append(UserLocation(location_id=location.id, kind=LocationLinkKind.ASSIGNED))
        trucks = [Truck(company_id=company.id, location_id=location.id, number=f"P{b}-{t:02d}", size="20 ft")
                  for t in range(TRUCKS)]
        crew = [User(company_id=company.id, email=f"c{b}-{i}@{company.id}.planner.bench", full_name=f"Crew {b}-{i}",
                     password_hash=password_hash, role=Role.DRIVER if i % 2 == 0 else Role.MOVER,
                     location_links=[UserLocation(location_id=location.id, kind=LocationLinkKind.ASSIGNED)])
                for i in range(2 * TRUCKS)]
        session.add_all([*trucks, *crew])
        await session.flush()
        for d in range(7):
            day = monday + timedelta(days=d)
            for n in range(JOBS_A_DAY):
                lane, slot = n % TRUCKS, n // TRUCKS
                start = datetime.combine(day, datetime.min.time(), tz) + timedelta(hours=7 + 3 * slot)
                journey = Journey(company_id=company.id, location_id=location.id, journey_date=day,
                                  scheduled_start=start.astimezone(UTC),
                                  scheduled_end=(start + timedelta(hours=3)).astimezone(UTC),
                                  data_source=DataSource.MANUAL, customer_name=f"Customer {b}-{d}-{n}",
                                  move_size="1 Bedroom")
                if n % 10:
                    journey.truck_id = trucks[lane].id
                    journey.crew = [CrewAssignment(user_id=crew[2 * lane].id, journey_date=day, role=CrewRole.DRIVER),
                                    CrewAssignment(user_id=crew[2 * lane + 1].id, journey_date=day,
                                                   role=CrewRole.MOVER)]
                session.add(journey)
                jobs += 1
    session.add(dispatcher)
    await session.flush()
    return dispatcher.id, branches, monday, jobs


async def _seed_solver_day(session: AsyncSession, password_hash: str, name: str) -> tuple[int, int, date]:
    """(dispatcher id, branch id, day): 100 open jobs of 2–4 hours from 07:00 to 19:00, mixed sizes."""
    company = Company(name=name)
    session.add(company)
    await session.flush()
    location = Location(company_id=company.id, name="Solver Branch", timezone=TZ)
    session.add(location)
    await session.flush()
    day = today_in(TZ) + timedelta(days=1)
    session.add_all(Truck(company_id=company.id, location_id=location.id, number=f"S-{t:02d}",
                          size=("16 ft", "20 ft", "26 ft")[t % 3]) for t in range(SOLVER_TRUCKS))
    people = [User(company_id=company.id, email=f"s{i}@{company.id}.planner.bench", full_name=f"Solver Crew {i}",
                   password_hash=password_hash, role=Role.DRIVER if i % 3 == 0 else Role.MOVER,
                   location_links=[UserLocation(location_id=location.id, kind=LocationLinkKind.ASSIGNED)])
              for i in range(SOLVER_PEOPLE)]
    dispatcher = User(company_id=company.id, email=f"dispatcher@{company.id}.solver.bench", full_name="Dispatcher",
                      password_hash=password_hash, role=Role.DISPATCHER,
                      location_links=[UserLocation(location_id=location.id, kind=LocationLinkKind.ASSIGNED)])
    session.add_all([*people, dispatcher])
    await session.flush()
    session.add_all(UserSkill(user_id=p.id, skill=LICENCE_DZ) for i, p in enumerate(people) if i % 6 == 0)
    tz = ZoneInfo(TZ)
    sizes = ("Studio", "1 Bedroom", "2 Bedroom", "3 Bedroom")
    for n in range(SOLVER_JOBS):
        start = datetime.combine(day, datetime.min.time(), tz) + timedelta(hours=7, minutes=15 * ((n * 37) % 40))
        session.add(Journey(company_id=company.id, location_id=location.id, journey_date=day,
                            scheduled_start=start.astimezone(UTC),
                            scheduled_end=(start + timedelta(hours=2 + n % 3)).astimezone(UTC),
                            data_source=DataSource.MANUAL, customer_name=f"Solver {n}", move_size=sizes[n % 4]))
    await session.flush()
    return dispatcher.id, location.id, day


async def _principal(user_id: int) -> Principal:
    async with read_session() as session:
        principal = await load_principal(session, user_id)
    assert principal is not None
    return principal


_ALL_BLOCKS_VISIBLE = """blocks => [...document.querySelectorAll('.pl-job')]
    .filter(block => block.checkVisibility()).length >= blocks"""


async def _page_timings(base: str, email: str, address: str, blocks: int, runs: int) -> list[float]:
    from playwright.async_api import async_playwright

    timings = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = await (await browser.new_context(viewport={"width": 1600, "height": 1000})).new_page()
        await page.goto(f"{base}/login")
        await page.get_by_test_id("email").fill(email)
        await page.get_by_test_id("password").fill(PASSWORD)
        await page.get_by_test_id("sign-in").click()
        await page.wait_for_url(lambda url: "/login" not in url)
        for _ in range(runs):
            started = time.perf_counter()
            await page.goto(f"{base}{address}")
            await page.wait_for_function(_ALL_BLOCKS_VISIBLE, arg=blocks, timeout=60_000)
            timings.append((time.perf_counter() - started) * 1000)
        await browser.close()
    return timings


async def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/ccrm_bench_planner")
    runs, page_runs = int(os.environ.get("BENCH_RUNS", "10")), int(os.environ.get("BENCH_PAGE_RUNS", "5"))
    load_before = _uptime()
    ensure_database(url)
    await asyncio.to_thread(upgrade_to_head, url)
    init_engine(url)
    password_hash = await asyncio.to_thread(hash_password, PASSWORD)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    async with unit_of_work() as session:
        dispatcher_id, branches, monday, jobs = await _seed_week(session, password_hash, f"Planner bench {stamp}")
    async with unit_of_work() as session:
        solver_dispatcher, solver_branch, solver_day = await _seed_solver_day(
            session, password_hash, f"Planner bench {stamp} solver")
    dispatcher = await _principal(dispatcher_id)
    week = await load_planner(dispatcher, View.WEEK, monday, branches)  # warm-up
    with record_sql(get_engine()) as statements:
        week = await load_planner(dispatcher, View.WEEK, monday, branches)
    read_ms = []
    for _ in range(runs):
        started = time.perf_counter()
        await load_planner(dispatcher, View.WEEK, monday, branches)
        read_ms.append((time.perf_counter() - started) * 1000)
    blocks = sum(1 for j in week.jobs if j.truck_id) + sum(len(j.crew) for j in week.jobs)
    solver = await _principal(solver_dispatcher)
    solves, totals, placed, status = [], [], 0, ""
    for _ in range(3):
        started = time.perf_counter()
        found = await suggest_crews(solver, solver_branch, solver_day)
        totals.append(time.perf_counter() - started)
        solves.append(found.seconds)
        placed, status = len(found.proposals), found.status
    email = (await _principal(dispatcher_id)).email
    await dispose_engine()
    page_ms: list[float] = []
    if await asyncio.to_thread(Path(CHROMIUM).exists):
        server = start_live_server(url, env={"SEED_DEMO_DATA": "false", "LOG_LEVEL": "WARNING"})
        try:
            await asyncio.to_thread(server.wait_ready)
            address = f"/planner?view=week&day={monday}&branches={','.join(map(str, branches))}"
            page_ms = await _page_timings(server.url, email, address, blocks, page_runs)
        finally:
            server.stop()
    print(f"load before: {load_before}")
    print(f"planner week: {BRANCHES} branches × 7 days, {len(week.jobs)} jobs ({jobs} seeded), "
          f"{len(week.trucks)} truck rows, {len(week.people)} person rows, {blocks} job blocks")
    print(f"  read model: {len(statements)} SQL queries, median {statistics.median(read_ms):.0f} ms of {runs} runs")
    if page_ms:
        print(f"  in Chromium, navigation until all {blocks} blocks are visible: median "
              f"{statistics.median(page_ms):.0f} ms, max {max(page_ms):.0f} ms of {page_runs} loads "
              f"(target 2000 ms)")
    else:
        print("  in Chromium: skipped (no /usr/bin/chromium)")
    print(f"suggested crews: {SOLVER_JOBS} open jobs, {SOLVER_TRUCKS} trucks, {SOLVER_PEOPLE} people: "
          f"{placed} placed ({status}); solve median {statistics.median(solves):.2f} s, read + solve median "
          f"{statistics.median(totals):.2f} s, max {max(totals):.2f} s of 3 (target 2 s)")
    print(f"load after: {_uptime()}")


if __name__ == "__main__":
    asyncio.run(main())
