"""Fan-out bench (issue 18): N open board and phone pages, one change, every page updated.

    python -m bench.fanout [--pages 1,50,150,300] [--changes 10] [--instances 1|2] [--no-sync]
                           [--board-share 0.5] [--database-url postgresql+psycopg://...]

Starts the app (`python app.py`, loopback only) on a PostgreSQL database of its own (default
`ccrm_bench_fanout`, emptied first, demo data); with `--instances 2`, two instances behind
deploy/nginx.conf's sticky proxy (tests/e2e/nginx_proxy.py), sessions in Redis so that one sign-in
serves both, live events relayed by LISTEN/NOTIFY. It signs in with headless Chromium (the
dispatcher for board pages, the driver for phone pages), then opens pages the way a browser does
(HTTP GET of the page, then a socket.io client with the page's client id and the session cookie;
through the proxy each page is its own browser, with its own `ccrm_route` cookie, so the pages
split between the instances), up to each N in turn (pages stay open from one N to the next):

- the board of a journey's branch and day (`/board?location=…&day=…`), as the dispatcher, and
- the journey on the phone of its driver (`/mobile/journey/<id>`), `--board-share` of them boards.

Per N, `--changes` times, new notes of that journey are saved through the API (`PUT
/api/journeys/<id>/notes`, the dispatcher's token), and it measures:

- change → screen: from sending the request until the new notes arrive in an `update` message on
  each page (p50, p95, max; a page not reached within VISIBLE_TIMEOUT_SECONDS counts as lost);
- the writing request's round trip (p95);
- the app's CPU per change: utime + stime of the app process(es) (/proc/<pid>/stat) over the
  changes (each until every page saw it, plus the pause after it), divided by the changes;
- the app's RSS (VmRSS; both instances summed) with the N pages open and updated.

At the first N one real Chromium board page is measured too (what a person sees), as a
cross-check of the socket.io clients. Then, unless `--no-sync`, with the largest N of pages open
(half of them boards of the branch with the most jobs, as the admin), a first sync of a 2,000-job
day from the SmartMoving simulator (its own process) runs in the app: it prints the API p95 during
the sync (a client reading `/api/journey/active` in a loop) and the time from the run's end
(its last commit) until every board page shows the sync's result (the customer names of a few
of that branch's synced jobs).

Everything is bounded (timeouts, a global deadline); the bench stops its servers and exits. The
machine may be shared: the load average is printed with the figures. The bench's own socket.io
clients share the machine's cores with the app.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import re
import statistics
import sys
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import mkdtemp
from typing import Any

import httpx
import socketio
from playwright.async_api import Browser, async_playwright
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from bench.live import PageClient, chromium_changes, make_changes, open_page, put_notes, signed_in
from bench.procstat import cpu_seconds, rss_mib
from bench.report import Figure, at_most, percentile, reported, table, write_json
from config import ROOT
from db.enums import IntegrationPlan, SyncKind
from db.models import Company, CompanyBranch, CompanyIntegration, CrewAssignment, Journey, SyncRun, User
from db.seed import DEMO_COMPANY
from db.session import sync_url
from domain.access.rbac import principal_of
from domain.access.tokens import issue_token
from tests.e2e.live_server import CHROMIUM_ARGS, Instances, LiveServer, blank_database, start_live_server
from tests.e2e.nginx_proxy import running_nginx
from domain.timewindow import today_in
from integrations.smartmoving.simulator.script import SimulatorScript
from tests.smartmoving.conftest import simulator_process

SECTION = "fanout"
DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/ccrm_bench_fanout"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/5"
MAX_PAGES = 400
DEADLINE_SECONDS = 1800
VISIBLE_TIMEOUT_SECONDS = 15.0
PAUSE_BETWEEN_CHANGES = 0.5
DISPATCHER, DRIVER, ADMIN, SUPER_ADMIN = (f"{r}@demo.ccrm" for r in ("dispatcher", "driver", "admin", "superadmin"))
#: The issue's targets at 300 pages on one instance, and during the sync.
TARGET_PAGES = 300
SCREEN_P95_MS, WRITE_P95_MS, RSS_MIB = 500.0, 150.0, 1536.0
SYNC_API_P95_MS, SYNC_CONVERGED_S = 300.0, 3.0
SYNC_JOBS, SYNC_SEED, SYNC_API_KEY = 2_000, 2026, "bench-fanout-key"
#: Synced customers whose cards every board page must show for the sync to count as seen.
SYNC_MARKERS = 5
SYNC_TIMEOUT_SECONDS = 300.0
OPEN_ATTEMPTS = 5
_PLAIN_NAME = re.compile(r"^[A-Za-z][A-Za-z ]+$")


@dataclass(frozen=True)
class Target:
    """The journey whose notes change, the pages that show it, and the tokens of the writers."""

    journey_id: int
    board_path: str
    phone_path: str
    customer: str
    dispatcher_token: str
    super_admin_token: str
    company_id: int
    company_timezone: str


def find_target(database_url: str) -> Target:
    """A journey at one of the dispatcher's branches with the driver on its crew and a plain name."""
    engine = create_engine(sync_url(database_url))
    try:
        with Session(engine) as session:
            users = {u.email: u for u in session.scalars(select(User).where(User.email.in_(
                (DISPATCHER, DRIVER, SUPER_ADMIN))))}
            locations = [link.location_id for link in users[DISPATCHER].location_links]
            rows = session.execute(
                select(Journey.id, Journey.location_id, Journey.journey_date, Journey.customer_name,
                       Journey.company_id, Company.timezone)
                .join(Company, Company.id == Journey.company_id)
                .join(CrewAssignment, CrewAssignment.journey_id == Journey.id)
                .where(CrewAssignment.user_id == users[DRIVER].id, Journey.location_id.in_(locations))
                .order_by(Journey.journey_date.desc(), Journey.id))
            for journey_id, location_id, day, customer, company_id, timezone in rows:
                if customer and _PLAIN_NAME.match(customer):
                    return Target(journey_id, f"/board?location={location_id}&day={day.isoformat()}",
                                  f"/mobile/journey/{journey_id}", customer,
                                  issue_token(principal_of(users[DISPATCHER]))[0],
                                  issue_token(principal_of(users[SUPER_ADMIN]))[0], company_id, timezone)
    finally:
        engine.dispose()
    raise SystemExit("no demo journey of the dispatcher's branches has the driver on its crew")


@dataclass
class Fleet:
    """The open pages, each a socket.io client, and the markers they wait for."""

    base_url: str
    pages: list[PageClient] = field(default_factory=list)
    boards: list[PageClient] = field(default_factory=list)
    markers: list[str] = field(default_factory=list)
    news: asyncio.Event = field(default_factory=asyncio.Event)
    #: Page loads answered 500 (not built within NiceGUI's response timeout) and asked for again.
    refused_opens: int = 0

    async def open(self, path: str, cookie: str, must_show: str, count: int, *, board: bool) -> None:
        """`count` more pages of `path`. A page NiceGUI did not build within its response timeout
        (a 500 after 3 s on a busy instance) is asked for again, at most OPEN_ATTEMPTS times, and counted."""
        async with httpx.AsyncClient(base_url=self.base_url, timeout=60) as http:
            for _ in range(count):
                page = PageClient(socketio.AsyncClient(reconnection=False))
                route = f"; ccrm_route=fanout-{uuid.uuid4().hex}"  # its own browser behind the proxy
                for attempt in range(1, OPEN_ATTEMPTS + 1):
                    try:
                        await open_page(page, self.markers, self.news, http, self.base_url, path, cookie + route,
                                        must_show)
                        break
                    except httpx.HTTPStatusError as exc:
                        if exc.response.status_code < 500 or attempt == OPEN_ATTEMPTS:
                            raise
                        self.refused_opens += 1
                        await asyncio.sleep(1.0)
                self.pages.append(page)
                if board:
                    self.boards.append(page)

    async def wait_all(self, markers: list[str], pages: list[PageClient], seconds: float) -> None:
        """Until each of `pages` has seen every marker, or `seconds` have passed."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                while not all(m in p.seen for p in pages for m in markers):
                    self.news.clear()
                    await self.news.wait()

    async def wait_seen(self, marker: str) -> list[float]:
        """When each page that saw `marker` within VISIBLE_TIMEOUT_SECONDS saw it (as bench.live's Viewers)."""
        await self.wait_all([marker], self.pages, VISIBLE_TIMEOUT_SECONDS)
        return [p.seen[marker] for p in self.pages if marker in p.seen]

    async def close(self) -> None:
        await asyncio.gather(*(p.sio.disconnect() for p in self.pages), return_exceptions=True)
        self.pages.clear()
        self.boards.clear()


@dataclass
class Apps:
    """The app process(es) and the URL the pages use (the proxy's with two instances)."""

    servers: list[LiveServer]
    url: str

    def cpu(self) -> float:
        return sum(cpu_seconds(s.pid) for s in self.servers)

    def rss(self) -> float:
        return sum(rss_mib(s.pid) for s in self.servers)


@dataclass
class Measured:
    pages: int
    #: Change → screen, per page and change (named as bench.live's rows, which `make_changes` fills).
    latencies_ms: list[float] = field(default_factory=list)
    #: The writing requests.
    api_ms: list[float] = field(default_factory=list)
    lost: int = 0
    #: Of those, on board pages (the rest on phones).
    lost_on_boards: int = 0
    cpu_per_change: float = 0.0
    rss_mib: float = 0.0


async def measure_changes(apps: Apps, fleet: Fleet, target: Target, changes: int) -> Measured:
    row = Measured(len(fleet.pages))
    cpu_before = apps.cpu()
    await make_changes(row, fleet, apps, target, changes)  # type: ignore[arg-type]  # alike in shape
    boards = set(map(id, fleet.boards))
    for page in fleet.pages:
        missed = sum(m not in page.seen for m in fleet.markers)
        if id(page) in boards:
            row.lost_on_boards += missed
    row.cpu_per_change = (apps.cpu() - cpu_before) / changes
    row.rss_mib = apps.rss()
    fleet.markers.clear()
    return row


async def measure_chromium(browser: Browser, apps: Apps, target: Target, changes: int) -> Measured:
    """One real Chromium board page: from the request until the notes show in its DOM."""
    page = await signed_in(browser, apps, DISPATCHER)
    await page.goto(target.board_path)
    async with httpx.AsyncClient(timeout=30) as http:
        seen, write_ms, lost = await chromium_changes(
            page, target.journey_id, lambda marker: put_notes(http, apps, target, marker), changes, "fanout chromium")
    return Measured(1, seen, write_ms, lost)


async def session_cookie(browser: Browser, apps: Apps, email: str) -> str:
    """`email` signed in with a real browser: its session cookie (the route cookie left out)."""
    page = await signed_in(browser, apps, email)
    cookies = await page.context.cookies()
    await page.context.close()
    return "; ".join(f"{c['name']}={c['value']}" for c in cookies if c["name"] != "ccrm_route")


def change_figures(label: str, row: Measured, *, targets: bool) -> list[Figure]:
    def maybe(name: str, value: float, unit: str, limit: float) -> Figure:
        return at_most(SECTION, name, value, unit, limit) if targets else reported(SECTION, name, value, unit)

    if not row.latencies_ms:
        return [reported(SECTION, f"{label}: pages never reached", row.lost, "updates")]
    return [
        reported(SECTION, f"{label}: change → screen p50", percentile(row.latencies_ms, 0.5), "ms"),
        maybe(f"{label}: change → screen p95", percentile(row.latencies_ms, 0.95), "ms", SCREEN_P95_MS),
        reported(SECTION, f"{label}: change → screen max", max(row.latencies_ms), "ms"),
        at_most(SECTION, f"{label}: updates lost (not seen within {VISIBLE_TIMEOUT_SECONDS:g} s)", row.lost,
                "updates", 0),
        reported(SECTION, f"{label}: of them on boards", row.lost_on_boards, "updates"),
        maybe(f"{label}: writing request p95", percentile(row.api_ms, 0.95), "ms", WRITE_P95_MS),
    ] + ([
        reported(SECTION, f"{label}: app CPU per change", row.cpu_per_change, "s"),
        maybe(f"{label}: app RSS", row.rss_mib, "MiB", RSS_MIB),
    ] if row.rss_mib else [])  # not measured beside the Chromium page


# --- the sync -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class SyncPlan:
    board_path: str
    markers: list[str]
    #: The branch's booked jobs of the day: the cards its board gains.
    jobs: int


def add_integration(database_url: str, simulator_url: str) -> None:
    """The demo company's SmartMoving integration, pointed at the simulator."""
    from domain.sync.secrets import encrypt_secret

    engine = create_engine(sync_url(database_url))
    try:
        with Session(engine) as session:
            company = session.scalars(select(Company).where(Company.name == DEMO_COMPANY)).one()
            key = encrypt_secret(SYNC_API_KEY)
            session.add(CompanyIntegration(company_id=company.id, base_url=simulator_url, active=True,
                                           plan=IntegrationPlan.PREMIUM, api_key_encrypted=key))
            session.commit()
    finally:
        engine.dispose()


def sync_board(database_url: str, truth: list[dict[str, Any]], day: dt.date) -> SyncPlan:
    """After the catalogue sync: the board of the branch with the most booked jobs that day, and a
    few of its customers (plain names, unique, not yet in the database) whose cards show the result."""
    from domain.sync.mapping import BOOKED_STATUSES

    booked = [r for r in truth if r["status"] in {s.value for s in BOOKED_STATUSES} and r["start"]
              and r["date"] == day.isoformat()]
    by_branch: dict[str, list[dict[str, Any]]] = {}
    for row in booked:
        by_branch.setdefault(row["branch"], []).append(row)
    engine = create_engine(sync_url(database_url))
    try:
        with Session(engine) as session:
            location_of = dict(session.execute(select(CompanyBranch.name, CompanyBranch.location_id)).all())
            existing = set(session.scalars(select(Journey.customer_name)))
    finally:
        engine.dispose()
    branch = max((b for b in by_branch if location_of.get(b)), key=lambda b: len(by_branch[b]))
    names = [r["customer_name"] for r in by_branch[branch]]
    markers = [n for n in names if _PLAIN_NAME.match(n or "") and names.count(n) == 1 and n not in existing]
    if not markers:
        raise SystemExit(f"no plain, unique customer name among the {len(names)} jobs of {branch}")
    return SyncPlan(f"/board?location={location_of[branch]}&day={day.isoformat()}", markers[:SYNC_MARKERS],
                    len(names))


def _epoch(moment: dt.datetime | None) -> float | None:
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).timestamp()


def run_state(database_url: str, run_id: int) -> tuple[str, float | None, float | None]:
    """A sync run's status, and when it started and finished (epoch seconds)."""
    engine = create_engine(sync_url(database_url))
    try:
        with Session(engine) as session:
            run = session.get_one(SyncRun, run_id)
            return run.status.value, _epoch(run.started_at), _epoch(run.finished_at)
    finally:
        engine.dispose()


async def trigger(http: httpx.AsyncClient, url: str, target: Target, kind: SyncKind) -> int:
    response = await http.post(f"{url}/api/smartmoving/sync/automated/trigger",
                               json={"company_id": target.company_id, "kind": kind.value},
                               headers={"Authorization": f"Bearer {target.super_admin_token}"})
    response.raise_for_status()
    return int(response.json()["data"]["runs"][0]["run_id"])


async def finished(database_url: str, run_id: int, *, reading: list[float] | None = None,
                   apps_url: str = "", token: str = "") -> tuple[float, float]:
    """Wait for the run to end (SYNC_TIMEOUT_SECONDS at most); meanwhile, with `reading`, time
    `GET /api/journey/active` calls one after another into it. The run's start and end (epoch)."""
    deadline = time.monotonic() + SYNC_TIMEOUT_SECONDS
    async with httpx.AsyncClient(timeout=30) as http:
        while time.monotonic() < deadline:
            status, started, ended = await asyncio.to_thread(run_state, database_url, run_id)
            if status != "RUNNING" and started is not None and ended is not None:
                if status != "SUCCEEDED":
                    raise SystemExit(f"sync run {run_id} ended {status}")
                return started, ended
            if reading is None:
                await asyncio.sleep(0.5)
                continue
            for _ in range(5):
                begun = time.perf_counter()
                response = await http.get(f"{apps_url}/api/journey/active",
                                          headers={"Authorization": f"Bearer {token}"})
                response.raise_for_status()
                reading.append((time.perf_counter() - begun) * 1000)
                await asyncio.sleep(0.05)
    raise SystemExit(f"sync run {run_id} did not end within {SYNC_TIMEOUT_SECONDS:.0f} s")


async def measure_sync(apps: Apps, database_url: str, browser: Browser, target: Target, pages: int,
                       board_share: float) -> list[Figure]:
    day = today_in(target.company_timezone)  # the simulator's jobs are all on this day (--jobs-on)
    options = ["--seed", str(SYNC_SEED), "--jobs-on", f"{day.isoformat()}={SYNC_JOBS}", "--log-level", "warning"]
    with simulator_process(options, SYNC_API_KEY) as simulator_url:
        async with SimulatorScript(simulator_url, SYNC_API_KEY) as script:
            truth = await script.truth(day, day)
        await asyncio.to_thread(add_integration, database_url, simulator_url)
        async with httpx.AsyncClient(timeout=60) as http:
            catalogue = await trigger(http, apps.url, target, SyncKind.CATALOGUE)
            await finished(database_url, catalogue)
            plan = await asyncio.to_thread(sync_board, database_url, truth, day)
            fleet = Fleet(apps.url)
            boards = max(1, round(pages * board_share))
            await fleet.open(plan.board_path, await session_cookie(browser, apps, ADMIN), "Dispatch board", boards,
                             board=True)
            await fleet.open(target.phone_path, await session_cookie(browser, apps, DRIVER), target.customer,
                             pages - boards, board=False)
            fleet.markers.extend(plan.markers)
            cpu_before = apps.cpu()
            run_id = await trigger(http, apps.url, target, SyncKind.JOBS)
            api_ms: list[float] = []
            started, ended = await finished(database_url, run_id, reading=api_ms, apps_url=apps.url,
                                            token=target.dispatcher_token)
            await fleet.wait_all(plan.markers, fleet.boards, VISIBLE_TIMEOUT_SECONDS * 2)
            cpu = apps.cpu() - cpu_before
            wall_now, perf_now = time.time(), time.perf_counter()
            last_seen = [max(p.seen[m] for m in plan.markers) for p in fleet.boards
                         if all(m in p.seen for m in plan.markers)]
            converged = [wall_now - (perf_now - at) - ended for at in last_seen]  # from the run's end
            closed = sum(not p.sio.connected for p in fleet.boards)
            rss, refused = apps.rss(), fleet.refused_opens
            await fleet.close()
    label = f"sync of {SYNC_JOBS} jobs, {pages} pages open ({boards} boards of a branch gaining {plan.jobs} cards)"
    figures = [
        reported(SECTION, f"{label}: run duration", ended - started, "s"),
        reported(SECTION, f"{label}: API reads during the run", len(api_ms), "requests"),
        at_most(SECTION, f"{label}: API p95 during the run", percentile(api_ms, 0.95) if api_ms else 0, "ms",
                SYNC_API_P95_MS),
        reported(SECTION, f"{label}: API max during the run", max(api_ms, default=0), "ms"),
        at_most(SECTION, f"{label}: board pages that never showed the result", boards - len(last_seen), "pages", 0),
        reported(SECTION, f"{label}: board pages whose socket had closed (a browser reconnects; the bench's "
                 "clients do not)", closed, "pages"),
        reported(SECTION, f"{label}: app CPU, run and convergence", cpu, "s"),
        reported(SECTION, f"{label}: app RSS", rss, "MiB"),
        reported(SECTION, f"{label}: page loads refused (not built within 3 s), asked again", refused, "loads"),
    ]
    if converged:
        figures += [
            reported(SECTION, f"{label}: run's end → board shows the result, p50", statistics.median(converged), "s"),
            at_most(SECTION, f"{label}: run's end → every board shows the result", max(converged), "s",
                    SYNC_CONVERGED_S),
        ]
    return figures


# --- servers ------------------------------------------------------------------------------------

@contextlib.asynccontextmanager
async def serving(database_url: str, instances: int, redis_url: str) -> AsyncIterator[Apps]:
    url = blank_database(database_url)
    workdir = Path(mkdtemp(prefix="ccrm-bench-fanout-"))
    (workdir / "nginx").mkdir()
    env = {"LOG_LEVEL": "WARNING", "SIMULATOR_ENABLED": "false", "SMARTMOVING_RATE_PER_MINUTE": "1000000"}
    prefix = f"ccrm-bench-fanout-{uuid.uuid4().hex[:8]}:"
    if instances == 2:  # one sign-in for both instances: sessions in Redis, under a prefix of this run
        env |= {"REDIS_URL": redis_url, "REDIS_KEY_PREFIX": prefix}
    servers = [start_live_server(url, env=env, workdir=workdir / f"app{n}") for n in range(instances)]
    try:
        for server in servers:
            await asyncio.to_thread(server.wait_ready)
        if instances == 1:
            yield Apps(servers, servers[0].url)
        else:
            with running_nginx(Instances(servers[0], servers[1], url), workdir / "nginx") as proxy:
                yield Apps(servers, proxy.url)
    finally:
        for server in servers:
            server.stop()
        if instances == 2:
            await asyncio.to_thread(forget_sessions, redis_url, prefix)


def forget_sessions(redis_url: str, prefix: str) -> None:
    """The sessions this run left in Redis."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        for key in client.scan_iter(match=f"{prefix}*"):
            client.delete(key)
    finally:
        client.close()


async def run(args: argparse.Namespace, counts: list[int]) -> list[Figure]:
    figures: list[Figure] = []
    async with serving(args.database_url, args.instances, args.redis_url) as apps:
        target = await asyncio.to_thread(find_target, args.database_url)
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            cookies = {DISPATCHER: await session_cookie(browser, apps, DISPATCHER),
                       DRIVER: await session_cookie(browser, apps, DRIVER)}
            fleet = Fleet(apps.url)
            for n in counts:
                boards = max(1, round(n * args.board_share)) - len(fleet.boards)
                phones = n - len(fleet.pages) - boards
                await fleet.open(target.board_path, cookies[DISPATCHER], "Dispatch board", boards, board=True)
                await fleet.open(target.phone_path, cookies[DRIVER], target.customer, phones, board=False)
                row = await measure_changes(apps, fleet, target, args.changes)
                label = f"{args.instances} instance(s), {n} pages ({len(fleet.boards)} boards)"
                figures += change_figures(label, row, targets=n >= TARGET_PAGES and args.instances == 1)
                figures.append(reported(SECTION, f"{label}: page loads refused so far (not built within 3 s), "
                                        "asked again", fleet.refused_opens, "loads"))
                print(f"  done: {n} pages", file=sys.stderr, flush=True)
                if n == counts[0]:
                    chromium = await measure_chromium(browser, apps, target, min(args.changes, 5))
                    figures += change_figures(f"{args.instances} instance(s), {n} pages + 1 Chromium board: "
                                              "the Chromium page", chromium, targets=False)
            await fleet.close()
            if not args.no_sync:
                await asyncio.sleep(5)  # the closed pages' clients are deleted (reconnect timeout)
                figures += await measure_sync(apps, args.database_url, browser, target, counts[-1], args.board_share)
            await browser.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", default="1,50,150,300",
                        help=f"comma-separated page counts, rising (max {MAX_PAGES})")
    parser.add_argument("--changes", type=int, default=10, help="changes per page count (1-100)")
    parser.add_argument("--instances", type=int, choices=(1, 2), default=1)
    parser.add_argument("--board-share", type=float, default=0.5, help="the share of pages that are boards")
    parser.add_argument("--no-sync", action="store_true", help="skip the 2,000-job sync")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL,
                        help="a PostgreSQL database for the bench alone: it is emptied first")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help="sessions of --instances 2")
    parser.add_argument("--output", type=Path, help="JSON file (default var/bench/fanout-<instances>.json)")
    args = parser.parse_args()
    counts = [int(c) for c in args.pages.split(",") if c.strip()]
    if not counts or counts != sorted(counts) or counts[0] < 1 or counts[-1] > MAX_PAGES:
        parser.error(f"page counts must rise within 1..{MAX_PAGES}")
    if not 1 <= args.changes <= 100 or not 0 < args.board_share <= 1:
        parser.error("--changes 1..100, --board-share in (0, 1]")
    os.environ.setdefault("DEMO_MODE", "true")  # the bench signs tokens with the demo secret, as the app does
    load_before = os.getloadavg()
    print(f"fanout bench: pages {counts}, {args.changes} changes each, {args.instances} instance(s), "
          f"database {args.database_url}", file=sys.stderr, flush=True)
    figures = asyncio.run(asyncio.wait_for(run(args, counts), DEADLINE_SECONDS))
    load_after = os.getloadavg()
    print(table(figures))
    print(f"\nload average (1, 5, 15 min): before {' '.join(f'{a:.1f}' for a in load_before)}, "
          f"after {' '.join(f'{a:.1f}' for a in load_after)}")
    output = args.output or ROOT / "var" / "bench" / f"fanout-{args.instances}.json"
    write_json(figures, output, pages=counts, changes=args.changes, instances=args.instances,
               load_average={"before": load_before, "after": load_after})
    print(f"written to {output}")


if __name__ == "__main__":
    main()
