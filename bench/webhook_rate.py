"""Benchmark of the SmartMoving webhook receiver: the app served for real (`python app.py`, demo
mode, its own simulator) hammered over HTTP by concurrent deliveries.

    python -m bench.webhook_rate [--database-url URL] [--opportunities N] [--repeats N] [--concurrency N]
                                 [--json PATH]

The database used is `<database of URL>_webhook` (emptied; the app migrates and seeds it). Every
delivery is valid (the demo secret header, SmartMoving's thin payload): N of the demo simulator's
opportunities of today and tomorrow × EVENT_TYPES distinct bodies, each sent `repeats` times, in
a shuffled order, by `concurrency` clients at once. Measured: accepted (202) deliveries per
second and their latency; then, once the app's worker has refreshed everything, that each
distinct body is recorded exactly once (duplicates dropped or re-armed, never a second row), that
every recorded delivery got processed, and how far the refreshes coalesced (WEBHOOK runs, and
SmartMoving calls per recorded delivery: 2 without coalescing).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import Engine

from bench.report import Figure, at_most, percentile, reported, table, write_json
from db.enums import SyncKind, WebhookStatus
from db.models import Company, SyncRun, WebhookEvent
from db.seed import DEMO_COMPANY
from db.session import sync_url
from domain.sync.demo import DEMO_SIMULATOR_SEED, DEMO_WEBHOOK_SECRET
from domain.timewindow import today_in
from integrations.smartmoving.simulator.server import SimulatorState, WebhookEmitter
from tests.e2e.live_server import ROOT, blank_database, free_port, running_live_server, sibling_database

SECTION = "webhooks"
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/ccrm_bench"
EVENT_TYPES = ("opportunity-created", "opportunity-changed", "opportunity-status-changed", "job-closed",
               "payment-made")
OPPORTUNITIES = 200
REPEATS = 2
CONCURRENCY = 16
HEADER = "x-smartmoving-auth"
#: How long the app's worker may take to refresh everything after the last delivery.
DRAIN_SECONDS = 300.0


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    seconds: float
    event_id: int | None
    duplicate: bool


def run(database_url: str, *, opportunities: int = OPPORTUNITIES, repeats: int = REPEATS,
        concurrency: int = CONCURRENCY) -> list[Figure]:
    """The figures of one bench on `<database>_webhook` (PostgreSQL)."""
    url = blank_database(sibling_database(database_url, "webhook"))
    env = {"SIMULATOR_PORT": str(free_port()), "LOG_LEVEL": "WARNING"}
    engine = create_engine(sync_url(url))
    try:
        with running_live_server(url, env=env) as server:
            company_id, timezone = _demo_company(engine)
            bodies = _bodies(timezone, opportunities)
            deliveries = [body for body in bodies for _ in range(repeats)]
            random.Random(8).shuffle(deliveries)
            started = time.perf_counter()
            answers = asyncio.run(_deliver(f"{server.url}/api/smartmoving/webhooks/{company_id}", deliveries,
                                           concurrency))
            elapsed = time.perf_counter() - started
            _wait_drained(engine)
            return _figures(engine, bodies, answers, elapsed, concurrency)
    finally:
        engine.dispose()


def _demo_company(engine: Engine) -> tuple[int, str]:
    with engine.connect() as conn:
        row = conn.execute(select(Company.id, Company.timezone).where(Company.name == DEMO_COMPANY)).one()
    return row.id, row.timezone


def _bodies(timezone: str, opportunities: int) -> list[bytes]:
    """Distinct deliveries about opportunities the app's own (demo-seeded) simulator knows."""
    today = today_in(timezone)
    known = SimulatorState(seed=DEMO_SIMULATOR_SEED).opportunities_between(today, today + timedelta(days=1))
    if len(known) < opportunities:
        raise SystemExit(f"the simulator has {len(known)} opportunities today and tomorrow, not {opportunities}")
    return [json.dumps(WebhookEmitter.payload(kind, opp.id, opp.status)).encode()
            for opp in known[:opportunities] for kind in EVENT_TYPES]


async def _deliver(url: str, deliveries: list[bytes], concurrency: int) -> list[Answer]:
    answers: list[Answer] = []
    queue = iter(deliveries)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(headers={HEADER: DEMO_WEBHOOK_SECRET, "content-type": "application/json"},
                                 limits=limits, timeout=30) as http:

        async def client() -> None:
            for body in queue:
                started = time.perf_counter()
                response = await http.post(url, content=body)
                seconds = time.perf_counter() - started
                data = (response.json().get("data") or {}) if response.status_code == 202 else {}
                answers.append(Answer(response.status_code, seconds, data.get("event_id"), bool(data.get("duplicate"))))

        await asyncio.gather(*(client() for _ in range(concurrency)))
    return answers


def _wait_drained(engine: Engine) -> None:
    """Until no recorded delivery waits for its refresh (the worker debounces, then refreshes)."""
    deadline = time.monotonic() + DRAIN_SECONDS
    while True:
        with engine.connect() as conn:
            queued = conn.scalar(select(func.count()).select_from(WebhookEvent)
                                 .where(WebhookEvent.status == WebhookStatus.QUEUED))
        if not queued:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"{queued} deliveries still queued after {DRAIN_SECONDS:.0f} s")
        time.sleep(0.5)


def _figures(engine: Engine, bodies: list[bytes], answers: list[Answer], elapsed: float,
             concurrency: int) -> list[Figure]:
    with engine.connect() as conn:
        statuses = Counter(dict(conn.execute(select(WebhookEvent.status, func.count()).group_by(WebhookEvent.status))
                                .all()))
        runs = conn.execute(select(func.count(), func.coalesce(func.sum(SyncRun.api_calls), 0))
                            .where(SyncRun.kind == SyncKind.WEBHOOK)).one()
    recorded = sum(statuses.values())
    accepted = [a for a in answers if a.status == 202]
    stored = [a for a in accepted if not a.duplicate]
    latencies = [a.seconds * 1000 for a in accepted]
    # Each distinct body has one row: its accepted answers name one event id between them, never two.
    ids = {a.event_id for a in stored}
    return [
        reported(SECTION, "deliveries sent", len(answers), "requests"),
        reported(SECTION, "distinct deliveries (bodies) among them", len(bodies), "bodies"),
        reported(SECTION, "clients sending at once", concurrency, "clients"),
        reported(SECTION, "accepted (202) per second", len(accepted) / elapsed, "deliveries/s"),
        at_most(SECTION, "answers other than 202", len(answers) - len(accepted), "answers", 0),
        reported(SECTION, "latency p50", percentile(latencies, 0.5), "ms"),
        reported(SECTION, "latency p95", percentile(latencies, 0.95), "ms"),
        reported(SECTION, "answered as duplicates", len(accepted) - len(stored), "answers"),
        at_most(SECTION, "distinct deliveries not recorded exactly once",
                abs(recorded - len(bodies)) + abs(len(ids) - len(bodies)), "deliveries", 0),
        at_most(SECTION, "recorded deliveries not processed after the refreshes",
                recorded - statuses[WebhookStatus.PROCESSED], "deliveries", 0),
        reported(SECTION, "refresh runs (WEBHOOK sync runs)", runs[0], "runs"),
        reported(SECTION, "SmartMoving calls per recorded delivery (2 = no coalescing)",
                 runs[1] / max(len(stored), 1), "calls"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL, help="its database gets the suffix _webhook")
    parser.add_argument("--opportunities", type=int, default=OPPORTUNITIES)
    parser.add_argument("--repeats", type=int, default=REPEATS, help="times each distinct body is sent")
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY, help="clients sending at once")
    parser.add_argument("--json", type=Path, default=ROOT / "var" / "bench" / "webhook_rate.json")
    args = parser.parse_args()
    figures = run(args.database_url, opportunities=args.opportunities, repeats=args.repeats,
                  concurrency=args.concurrency)
    print("SmartMoving webhook receiver of the app (python app.py, demo mode) over HTTP")
    print(table(figures))
    write_json(figures, args.json, opportunities=args.opportunities, repeats=args.repeats,
               concurrency=args.concurrency)
    print(f"written to {args.json}")


if __name__ == "__main__":
    main()
