"""Live-update bench: commit through instance A → visible on clients of instance B.

    python -m bench.live [--clients 1,10,50] [--changes 10] [--database-url postgresql+psycopg://...]

Starts two app instances (`python app.py`, loopback only) on one PostgreSQL database of their own
(default `ccrm_bench_live`, emptied first, demo data), signs in once with headless Chromium, then
for each N opens N pages of a journey's live status page on a freshly started instance B the way a
browser does (HTTP GET of the page, then a socket.io client with the page's client id and the
session cookie) and measures:

- latency: from sending `PUT /api/journeys/<id>/notes` to instance A until the new notes arrive in
  an `update` message on each client of B (through A's NOTIFY, B's LISTEN, B's re-read);
- memory: instance B's anonymous RSS (RssAnon in /proc/<pid>/status) with the N pages open and
  updated, minus its RSS before they opened, over N (B restarts for every N so that memory freed
  by earlier runs does not hide it; a warm-up fills caches first). Python's heap moves by a MiB or
  two on its own, so only the larger N give a meaningful figure per client;
- the same with N clients on A itself (no relay) and with one real Chromium page on B, for scale.

Selector contract the watched page follows (and the board's cards will): the card is
`data-testid="journey-card-<id>"`, progress `journey-progress-<id>`, notes `journey-notes-<id>`.
Everything is bounded (timeouts, a global deadline); the bench stops its servers and exits.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import mkdtemp

import httpx
import socketio
from playwright.async_api import Browser, Page, async_playwright

from db.seed import DEMO_PASSWORD
from tests.e2e.live_server import (
    CHROMIUM_ARGS,
    DemoJourney,
    LiveServer,
    blank_database,
    demo_journey,
    start_live_server,
)

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/ccrm_bench_live"
MAX_CLIENTS = 200
#: The whole bench gives up after this long.
DEADLINE_SECONDS = 900
#: A change not seen by every client within this long counts as lost.
VISIBLE_TIMEOUT_SECONDS = 10.0
#: NiceGUI deletes a left page after reconnect_timeout (3 s): wait a bit longer than that.
SETTLE_SECONDS = 4.0
PAUSE_BETWEEN_CHANGES = 0.25
WARM_UP_CLIENTS = 3
RSS_SAMPLES = 5
VIEWER = "manager@demo.ccrm"


def rss_kib(pid: int) -> int:
    """The process's anonymous resident memory (its heap: what clients cost; shared libraries
    and mapped files, which do not grow with clients, are left out)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1])
    raise RuntimeError(f"no RssAnon for process {pid}")


@dataclass
class PageClient:
    """One open page: its socket.io connection and when each marker first reached it."""

    sio: socketio.AsyncClient
    seen: dict[str, float] = field(default_factory=dict)


async def open_page(page: PageClient, markers: list[str], news: asyncio.Event, http: httpx.AsyncClient,
                    base_url: str, path: str, cookie: str, must_show: str) -> None:
    """Open `path` the way a browser does: GET the page (it must contain `must_show`), then connect
    `page.sio` as the page's socket; every `update` message that first contains one of `markers`
    records when in `page.seen` and sets `news`."""
    response = await http.get(path, headers={"Cookie": cookie})
    response.raise_for_status()
    client_id = re.search(r"'client_id': '([0-9a-f-]+)'", response.text)
    next_id = re.search(r"'next_message_id': (\d+)", response.text)
    if client_id is None or next_id is None or must_show not in response.text:
        raise RuntimeError(f"{path} did not render (is the viewer signed in?)")

    @page.sio.on("update")
    def on_update(message: dict) -> None:
        text = json.dumps(message)
        for marker in markers:
            if marker not in page.seen and marker in text:
                page.seen[marker] = time.perf_counter()
                news.set()

    query = (f"client_id={client_id.group(1)}&tab_id={uuid.uuid4()}&document_id={uuid.uuid4()}"
             f"&implicit_handshake=true&next_message_id={next_id.group(1)}")
    await page.sio.connect(f"{base_url}/?{query}", headers={"Cookie": cookie}, transports=["websocket"],
                           socketio_path="/_nicegui_ws/socket.io", wait_timeout=10)


class Viewers:
    """N pages of the journey status page on one server, driven like browsers."""

    def __init__(self, server: LiveServer, cookie: str, journey_id: int) -> None:
        self.server, self.cookie, self.journey_id = server, cookie, journey_id
        self.pages: list[PageClient] = []
        self.markers: list[str] = []
        #: Set whenever a page sees a marker first; `wait_seen` wakes on it.
        self.news = asyncio.Event()

    async def open(self, count: int) -> None:
        async with httpx.AsyncClient(base_url=self.server.url, headers={"Cookie": self.cookie}, timeout=30) as http:
            for _ in range(count):
                self.pages.append(await self._open_one(http))

    async def _open_one(self, http: httpx.AsyncClient) -> PageClient:
        page = PageClient(socketio.AsyncClient(reconnection=False))
        await open_page(page, self.markers, self.news, http, self.server.url, f"/journeys/{self.journey_id}/status",
                        self.cookie, f"journey-card-{self.journey_id}")
        return page

    async def wait_seen(self, marker: str) -> list[float]:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(VISIBLE_TIMEOUT_SECONDS):
                while not all(marker in p.seen for p in self.pages):
                    self.news.clear()
                    await self.news.wait()
        return [p.seen[marker] for p in self.pages if marker in p.seen]

    async def close(self) -> None:
        await asyncio.gather(*(p.sio.disconnect() for p in self.pages))
        self.pages.clear()


@dataclass
class Row:
    path: str
    clients: int
    latencies_ms: list[float]
    api_ms: list[float]
    lost: int
    rss_before_kib: int | None = None
    rss_after_kib: int | None = None
    subscribers_added: int | None = None

    def cells(self) -> list[str]:
        lat = sorted(self.latencies_ms)
        per_client = (
            f"{(self.rss_after_kib - self.rss_before_kib) / self.clients:.0f}"
            if self.rss_before_kib is not None and self.rss_after_kib is not None else "-"
        )
        return [
            self.path, str(self.clients), str(len(lat)), str(self.lost),
            f"{statistics.median(self.api_ms):.1f}" if self.api_ms else "-",
            f"{_percentile(lat, 50):.1f}" if lat else "-",
            f"{_percentile(lat, 95):.1f}" if lat else "-",
            f"{lat[-1]:.1f}" if lat else "-",
            f"{self.rss_before_kib / 1024:.1f}" if self.rss_before_kib else "-",
            f"{self.rss_after_kib / 1024:.1f}" if self.rss_after_kib else "-",
            per_client,
            str(self.subscribers_added) if self.subscribers_added is not None else "-",
        ]


def _percentile(sorted_values: list[float], pct: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(pct / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


async def put_notes(http: httpx.AsyncClient, server: LiveServer, journey: DemoJourney, notes: str) -> float:
    """Save notes through `server`'s API; returns the request's round trip in ms."""
    started = time.perf_counter()
    response = await http.put(f"{server.url}/api/journeys/{journey.journey_id}/notes", json={"notes": notes},
                              headers={"Authorization": f"Bearer {journey.dispatcher_token}"})
    response.raise_for_status()
    return (time.perf_counter() - started) * 1000


async def signed_in(browser: Browser, server: LiveServer, email: str = VIEWER) -> Page:
    """A new Chromium context signed in as `email` (the viewer by default) on `server`."""
    context = await browser.new_context(base_url=server.url)
    page = await context.new_page()
    await page.goto("/login")
    await page.get_by_test_id("email").fill(email)
    await page.get_by_test_id("password").fill(DEMO_PASSWORD)
    await page.get_by_test_id("sign-in").click()
    await page.wait_for_url(lambda url: "/login" not in url)
    return page


async def sign_in_cookie(browser: Browser, server: LiveServer) -> str:
    """Sign the viewer in on `server` with a real browser; returns its Cookie header."""
    page = await signed_in(browser, server)
    cookies = await page.context.cookies()
    await page.context.close()
    return "; ".join(f"{c['name']}={c['value']}" for c in cookies)


async def make_changes(row: Row, viewers: Viewers, writer: LiveServer, journey: DemoJourney, changes: int) -> None:
    """Save new notes through `writer` `changes` times; record when each client saw each."""
    async with httpx.AsyncClient(timeout=30) as http:
        for i in range(changes):
            marker = f"bench {uuid.uuid4().hex[:12]} #{i}"
            viewers.markers.append(marker)
            started = time.perf_counter()
            row.api_ms.append(await put_notes(http, writer, journey, marker))
            seen = await viewers.wait_seen(marker)
            row.latencies_ms += [(at - started) * 1000 for at in seen]
            row.lost += len(viewers.pages) - len(seen)
            await asyncio.sleep(PAUSE_BETWEEN_CHANGES)


async def settled_rss_kib(pid: int) -> int:
    """The median of a few samples a moment apart (the heap breathes with garbage collection)."""
    samples = []
    for _ in range(RSS_SAMPLES):
        samples.append(rss_kib(pid))
        await asyncio.sleep(0.2)
    return int(statistics.median(samples))


async def measure_sockets(path: str, writer: LiveServer, viewer_server: LiveServer, cookie: str,
                          journey: DemoJourney, clients: int, changes: int) -> Row:
    # Warm up: the first pages and updates fill caches that would otherwise count as client cost.
    warm = Viewers(viewer_server, cookie, journey.journey_id)
    await warm.open(WARM_UP_CLIENTS)
    await make_changes(Row("warm-up", WARM_UP_CLIENTS, [], [], 0), warm, writer, journey, 2)
    await warm.close()
    await asyncio.sleep(SETTLE_SECONDS)
    subscribers_before = viewer_server.health()["live"]["subscribers"]
    rss_before = await settled_rss_kib(viewer_server.pid)

    viewers = Viewers(viewer_server, cookie, journey.journey_id)
    await viewers.open(clients)
    subscribers_added = viewer_server.health()["live"]["subscribers"] - subscribers_before
    row = Row(path, clients, [], [], 0, rss_before, None, subscribers_added)
    await make_changes(row, viewers, writer, journey, changes)
    row.rss_after_kib = await settled_rss_kib(viewer_server.pid)  # N pages open, each updated `changes` times
    await viewers.close()
    return row


async def measure_chromium(browser: Browser, writer: LiveServer, viewer_server: LiveServer,
                           journey: DemoJourney, changes: int) -> Row:
    """One real Chromium page on the viewer server (what a person sees)."""
    page = await signed_in(browser, viewer_server)
    await page.goto(f"/journeys/{journey.journey_id}/status")
    async with httpx.AsyncClient(timeout=30) as http:
        seen, api_ms, lost = await chromium_changes(
            page, journey.journey_id, lambda marker: put_notes(http, writer, journey, marker), changes,
            "bench chromium")
    return Row("A → B, Chromium", 1, seen, api_ms, lost)


async def chromium_changes(page: Page, journey_id: int, write: Callable[[str], Awaitable[float]], changes: int,
                           prefix: str) -> tuple[list[float], list[float], int]:
    """On a live page showing the journey's notes, `changes` times: new notes through
    `write(notes)` (which returns the request's ms), timed until the page shows them in Chromium's
    DOM; then the page's context is closed. (ms until shown, the requests' ms, updates lost)."""
    await page.wait_for_function("window.did_handshake === true")
    notes = page.get_by_test_id(f"journey-notes-{journey_id}")
    seen: list[float] = []
    writes: list[float] = []
    lost = 0
    for i in range(changes):
        marker = f"{prefix} {uuid.uuid4().hex[:12]} #{i}"
        started = time.perf_counter()
        writes.append(await write(marker))
        try:
            await notes.filter(has_text=marker).wait_for(timeout=VISIBLE_TIMEOUT_SECONDS * 1000)
            seen.append((time.perf_counter() - started) * 1000)
        except Exception:  # a timeout is a lost update, counted
            lost += 1
        await asyncio.sleep(PAUSE_BETWEEN_CHANGES)
    await page.context.close()
    return seen, writes, lost


def print_table(rows: list[Row]) -> None:
    header = ["path", "clients", "samples", "lost", "api p50 ms", "p50 ms", "p95 ms", "max ms",
              "anon RSS before MiB", "after MiB", "KiB/client", "subs added"]
    table = [header] + [row.cells() for row in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    for n, r in enumerate(table):
        print("  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))))
        if n == 0:
            print("  ".join("-" * w for w in widths))
    print("\nlatency: from sending the change to instance A until the new text reached each client's page "
          "(socket.io 'update' message; Chromium: rendered in the DOM).")


async def run(database_url: str, client_counts: list[int], changes: int) -> list[Row]:
    url = blank_database(database_url)
    workdir = Path(mkdtemp(prefix="ccrm-bench-live-"))
    quiet = {"LOG_LEVEL": "WARNING"}
    servers: list[LiveServer] = []
    rows: list[Row] = []

    def boot(name: str) -> LiveServer:
        server = start_live_server(url, env=quiet, workdir=workdir / name)
        servers.append(server)
        return server.wait_ready()

    try:
        a = await asyncio.to_thread(boot, "a")
        journey = demo_journey(url)
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            for n in client_counts:
                b = await asyncio.to_thread(boot, f"b{n}")
                cookie = await sign_in_cookie(browser, b)
                rows.append(await measure_sockets("A → B (relay)", a, b, cookie, journey, n, changes))
                print(f"  done: {n} clients on B", file=sys.stderr, flush=True)
                if n == client_counts[-1]:
                    rows.append(await measure_chromium(browser, a, b, journey, changes))
                b.stop()
            local_n = min(10, max(client_counts))
            cookie_a = await sign_in_cookie(browser, a)
            rows.append(await measure_sockets("A → A (local)", a, a, cookie_a, journey, local_n, changes))
            await browser.close()
    finally:
        for server in servers:
            server.stop()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", default="1,10,50", help=f"comma-separated client counts (max {MAX_CLIENTS})")
    parser.add_argument("--changes", type=int, default=10, help="changes per client count (1-100)")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL,
                        help="a PostgreSQL database for the bench alone: it is emptied first")
    args = parser.parse_args()
    counts = [int(c) for c in args.clients.split(",") if c.strip()]
    if not counts or any(c < 1 or c > MAX_CLIENTS for c in counts) or not 1 <= args.changes <= 100:
        parser.error(f"client counts must be 1..{MAX_CLIENTS} and --changes 1..100")
    print(f"live bench: clients {counts}, {args.changes} changes each, database {args.database_url}",
          file=sys.stderr, flush=True)
    rows = asyncio.run(asyncio.wait_for(run(args.database_url, counts, args.changes), DEADLINE_SECONDS))
    print_table(rows)


if __name__ == "__main__":
    main()
