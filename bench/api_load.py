"""API load bench (issue 17): many concurrent API clients against one instance.

    python -m bench.api_load [--clients 200] [--writes 0.3] [--seconds 60] [--redis-url redis://...]

Serves the app once (`python app.py`, loopback, demo data) on a PostgreSQL database of its own
(default `ccrm_bench_load`, emptied first), then runs `--clients` clients at once for `--seconds`.
Each client is one HTTP connection with its own cookie jar and the dispatcher's bearer token, and
sends its next request as soon as the previous one is answered: a write (`PUT /api/journeys/<id>/notes`
on one of the dispatcher's journeys) with probability `--writes`, otherwise a read (the board's
`GET /api/journey/active`, or one journey). It prints the requests per second, the errors (any
answer but 2xx, and timeouts or refused connections) and the p50/p95/p99 latencies of reads,
writes and all, with the machine's load average; the figures go to `var/bench/api_load.json`.
With `--redis-url` the instance keeps its sessions in Redis (as several instances would).
Not part of the test suite: nothing here asserts a figure.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.report import Figure, percentile, reported, table, write_json
from tests.e2e.live_server import ROOT, blank_database, dispatcher_journeys, running_live_server

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/ccrm_bench_load"
#: A request not answered in this long counts as an error.
REQUEST_TIMEOUT_SECONDS = 30.0
#: The dispatcher's journeys the writes spread over.
WRITE_JOURNEYS = 20
REPORT_PATH = ROOT / "var" / "bench" / "api_load.json"


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"read": [], "write": []})
    errors: Counter[str] = field(default_factory=Counter)


async def one_client(base_url: str, token: str, journey_ids: list[int], writes: float, until: float,
                     rng: random.Random, results: Results) -> None:
    """One API client: requests back to back until `until` (monotonic), each timed."""
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=REQUEST_TIMEOUT_SECONDS) as client:
        while time.monotonic() < until:
            kind = "write" if rng.random() < writes else "read"
            journey_id = rng.choice(journey_ids)
            started = time.perf_counter()
            try:
                if kind == "write":
                    response = await client.put(f"/api/journeys/{journey_id}/notes",
                                                json={"notes": f"load {rng.getrandbits(32):08x}"})
                elif rng.random() < 0.5:
                    response = await client.get("/api/journey/active", params={"page_size": 20})
                else:
                    response = await client.get(f"/api/journey/{journey_id}")
            except httpx.HTTPError as exc:
                results.errors[f"{kind} {type(exc).__name__}"] += 1
                continue
            results.latencies[kind].append((time.perf_counter() - started) * 1000)
            if not response.is_success:
                results.errors[f"{kind} HTTP {response.status_code}"] += 1


async def run_load(base_url: str, token: str, journey_ids: list[int], *, clients: int, writes: float,
                   seconds: float) -> tuple[Results, float]:
    results = Results()
    started = time.monotonic()
    until = started + seconds
    await asyncio.gather(*(one_client(base_url, token, journey_ids, writes, until, random.Random(n), results)
                           for n in range(clients)))
    return results, time.monotonic() - started


def figures(results: Results, elapsed: float, clients: int) -> list[Figure]:
    every = results.latencies["read"] + results.latencies["write"]
    rows = [reported("load", "clients", clients, ""),
            reported("load", "requests", len(every), ""),
            reported("load", "throughput", len(every) / elapsed, "req/s"),
            reported("load", "errors", sum(results.errors.values()), "")]
    for name, samples in (("all", every), *results.latencies.items()):
        if samples:
            rows += [reported("load", f"{name} p{p}", percentile(samples, p / 100), "ms") for p in (50, 95, 99)]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--writes", type=float, default=0.3, help="share of writes (default 0.3)")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default="", help="sessions in Redis (default: files)")
    args = parser.parse_args()

    url = blank_database(args.database_url)
    env = {"LOG_LEVEL": "WARNING", "REDIS_URL": args.redis_url,
           "REDIS_KEY_PREFIX": f"ccrm-bench-{os.getpid()}:"}
    with running_live_server(url, env=env) as server:
        journey_ids, token = dispatcher_journeys(url, WRITE_JOURNEYS)
        print(f"{args.clients} clients, {args.writes:.0%} writes, {args.seconds:g} s against {server.url} "
              f"(sessions: {'redis' if args.redis_url else 'files'}) ...", flush=True)
        results, elapsed = asyncio.run(run_load(server.url, token, journey_ids, clients=args.clients,
                                                writes=args.writes, seconds=args.seconds))
        load = os.getloadavg()
    rows = figures(results, elapsed, args.clients)
    print(table(rows))
    for kind, count in results.errors.most_common():
        print(f"  error: {kind} × {count}")
    print(f"load average (1, 5, 15 min) at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
          f"on {os.cpu_count()} cores")
    write_json(rows, REPORT_PATH, clients=args.clients, writes=args.writes, seconds=args.seconds,
               sessions="redis" if args.redis_url else "files", errors=dict(results.errors),
               load_average=list(load))
    print(f"written to {Path(REPORT_PATH).relative_to(ROOT)}")


if __name__ == "__main__":
    main()
