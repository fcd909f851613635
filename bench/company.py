"""The company-scale benchmark (issue 8): prints a table of figures and writes them as JSON.

    python -m bench.company                      # scale 1: 66 branches, ≈ 73,000 journeys
    python -m bench.company --scale 10           # ≈ 730,000 journeys (own database, suffix _x10)
    python -m bench.company --sections api,board --requests 100

Sections: `api` (job-query latency per role vs. the same SQL raw), `board` (a 100-job day in
Chromium), `search` (the journey search box: a name, a job number, a phone fragment), `sync`
(a 2,000-job day from the simulator, then a no-change re-sync) and `webhooks` (accepted events
per second). `api` and `board` run against the company-scale data, generated
on first use (see bench.company_data) and served by the app as a subprocess; `sync` and
`webhooks` use fresh databases of their own named after `--database-url`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
from dataclasses import asdict
from pathlib import Path

from bench import api_latency, journey_search, sync_day, webhook_rate
from bench.board import CHROMIUM, board_page_timings
from bench.company_data import ACCOUNTS, BOARD_JOBS, PASSWORD, CompanyData, ensure_company_data
from bench.report import Figure, at_most, reported, table, write_json
from config import ROOT, get_settings
from db.enums import Role
from tests.e2e.live_server import sibling_database, start_live_server

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/ccrm_bench_company"
SECTIONS = ("api", "board", "search", "sync", "webhooks")
#: Sections on databases of their own, each `run(database_url) -> list[Figure]`.
OWN_DATABASE_SECTIONS = {"sync": sync_day.run, "webhooks": webhook_rate.run}
BOARD_TARGET_MS = 1500.0


def database_url(base: str, scale: int) -> str:
    return base if scale == 1 else sibling_database(base, f"x{scale}")


def data_figures(data: CompanyData) -> list[Figure]:
    generation = "generation (earlier run)" if data.reused else "generation"
    return [
        reported("data", "journeys", data.journeys, "rows"),
        reported("data", "journey steps", data.steps, "rows"),
        reported("data", "crew assignments", data.crew_assignments, "rows"),
        reported("data", "branches", data.locations, ""),
        reported("data", "trucks", data.trucks, ""),
        reported("data", "users", data.users, ""),
        reported("data", generation, data.seconds, "s"),
    ]


def board_figures(timings: list[float]) -> list[Figure]:
    return [
        at_most("board", f"{BOARD_JOBS} cards visible, median of {len(timings)}", statistics.median(timings), "ms",
                BOARD_TARGET_MS),
        reported("board", f"{BOARD_JOBS} cards visible, slowest", max(timings), "ms"),
    ]


async def _served_sections(url: str, data: CompanyData, sections: list[str], args: argparse.Namespace,
                           context: dict[str, object]) -> list[Figure]:
    """`api`, `search` and `board`, against one server on the company-scale data."""
    server = start_live_server(url, env={
        "SEED_DEMO_DATA": "false", "SIMULATOR_ENABLED": "false", "LOG_LEVEL": "WARNING",
        "JWT_SECRET": get_settings().jwt_secret.get_secret_value(),
    })
    figures: list[Figure] = []
    try:
        await asyncio.to_thread(server.wait_ready)
        if "api" in sections:
            measured = await api_latency.measure(server.url, url, ACCOUNTS, requests=args.requests,
                                                 warmup=args.warmup, app_pid=server.pid)
            figures += api_latency.figures(measured, args.scale)
            context["api"] = [{"endpoint": m.endpoint, "role": m.role.value, "statements": m.statements,
                               "items": m.items, "api_ms": m.api_ms, "raw_ms": m.raw_ms} for m in measured]
        if "search" in sections:
            searched = await journey_search.measure(server.url, url, ACCOUNTS, requests=args.requests,
                                                    warmup=args.warmup)
            figures += journey_search.figures(searched)
            context["search"] = [{"kind": s.kind, "term": s.term, "role": s.role.value, "total": s.total,
                                  "ms": s.samples} for s in searched]
        if "board" in sections:
            if not await asyncio.to_thread(Path(CHROMIUM).exists):
                raise SystemExit(f"the board section needs Chromium at {CHROMIUM}")
            timings = await board_page_timings(server.url, ACCOUNTS[Role.DISPATCHER], PASSWORD,
                                               data.board_location_id, data.board_day, BOARD_JOBS, args.page_runs)
            figures += board_figures(timings)
            context["board_ms"] = timings
    finally:
        server.stop()
    return figures


def _load(averages: tuple[float, float, float]) -> str:
    return " ".join(f"{a:.1f}" for a in averages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1, help="multiplies the jobs per day (default 1: 200/day)")
    parser.add_argument("--sections", default=",".join(SECTIONS), help=f"comma-separated, of {', '.join(SECTIONS)}")
    parser.add_argument("--database-url", default=DEFAULT_URL, help="scale N > 1 uses this name + _xN")
    parser.add_argument("--requests", type=int, default=200, help="timed API requests per role and endpoint")
    parser.add_argument("--warmup", type=int, default=20, help="untimed API requests before those")
    parser.add_argument("--page-runs", type=int, default=5, help="board page loads")
    parser.add_argument("--regenerate", action="store_true", help="generate the data even if it is there")
    parser.add_argument("--output", type=Path, help="JSON file (default var/bench/company-x<scale>.json)")
    args = parser.parse_args()
    sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    if unknown := set(sections) - set(SECTIONS):
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    # One secret shared with the served app, so the tokens issued here are valid there.
    os.environ["JWT_SECRET"] = secrets.token_urlsafe(48)
    os.environ.setdefault("DEMO_MODE", "true")  # the bench process signs tokens; it is no production server
    get_settings.cache_clear()

    url = database_url(args.database_url, args.scale)
    figures: list[Figure] = []
    # The machine may be shared: its load says how much the figures can be trusted.
    load_before = os.getloadavg()
    context: dict[str, object] = {"scale": args.scale, "sections": sections}
    if {"api", "board", "search"} & set(sections):
        data = ensure_company_data(url, args.scale, regenerate=args.regenerate)
        context["data"] = {**asdict(data), "board_day": data.board_day.isoformat()}
        figures += data_figures(data)
        figures += asyncio.run(_served_sections(url, data, sections, args, context))
    for section in sections:
        if section in OWN_DATABASE_SECTIONS:
            figures += OWN_DATABASE_SECTIONS[section](args.database_url)
    load_after = os.getloadavg()
    context["load_average"] = {"before": load_before, "after": load_after}
    print(table(figures))
    print(f"\nload average (1, 5, 15 min): before {_load(load_before)}, after {_load(load_after)}")
    output = args.output or ROOT / "var" / "bench" / f"company-x{args.scale}.json"
    write_json(figures, output, **context)
    print(f"\nwritten to {output}")


if __name__ == "__main__":
    main()
