"""Bench: a crew phone's outbox replayed after a dead spot (issue 14).

    python -m bench.outbox_replay [--database-url URL] [--runs N] [--actions 50] [--photos 5]

Starts the app (`python app.py`, demo data) on `<database of URL>` (emptied first) and opens a
driver's journey in headless Chromium at 390×844. Each run takes the phone offline, queues N
actions in its outbox (ticks, and `--photos` distinct 2048×1536 JPEG photos made in the browser,
as the camera path leaves them), brings the network back and measures until the server has
acknowledged every action, and the server process's CPU time (user + system, from /proc) over
that time. Checks that the database holds each action once. Prints each run, the median, and the
machine's load (`uptime`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from db.enums import Phase
from db.models import ClientAction, CrewAssignment, Journey, User
from db.session import sync_url
from tests.e2e.live_server import CHROMIUM_ARGS, blank_database, signed_in_page, start_live_server

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/ccrm_bench_outbox"
DRIVER = "driver@demo.ccrm"
ACK_TIMEOUT_MS = 300_000

#: Queue the actions in the page's outbox: photos spread evenly among ticks, each photo distinct.
QUEUE_JS = """
async ([run, actions, photos]) => {
  const every = photos ? Math.floor(actions / photos) : actions + 1;
  for (let n = 0; n < actions; n++) {
    if (photos && n % every === 0 && n / every < photos) {
      const canvas = Object.assign(document.createElement("canvas"), { width: 2048, height: 1536 });
      const ctx = canvas.getContext("2d");
      const gradient = ctx.createLinearGradient(0, 0, 2048, 1536);
      gradient.addColorStop(0, `hsl(${(run * 67 + n * 13) % 360} 70% 45%)`);
      gradient.addColorStop(1, "#f5f5f5");
      ctx.fillStyle = gradient;
      ctx.fillRect(0, 0, 2048, 1536);
      for (let i = 0; i < 400; i++) { // some detail, so the JPEG is photo-sized
        ctx.fillStyle = `hsl(${(i * 37 + n) % 360} 60% ${30 + (i % 40)}%)`;
        ctx.fillRect((i * 97 + n * 31) % 2000, (i * 53 + run * 17) % 1500, 40 + (i % 60), 30 + (i % 50));
      }
      ctx.font = "120px sans-serif";
      ctx.fillText(`run ${run} photo ${n}`, 200, 800);
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
      await window.ccrmCrew.enqueue({ kind: "item.record", phase: "MORNING_PREP", item_key: "vehicle_photo",
                                      value: null, blob, mediaKind: "PHOTO", label: "Vehicle photo" });
    } else {
      await window.ccrmCrew.enqueue({ kind: "item.record", phase: "MORNING_PREP", item_key: "lights_ok",
                                      value: n % 2 === 0, label: "Lights working" });
    }
  }
  return window.ccrmCrew.waiting();
}
"""


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def driver_journey(url: str) -> int:
    engine = create_engine(sync_url(url))
    try:
        with Session(engine) as session:
            driver = session.scalars(select(User).where(User.email == DRIVER)).one()
            return session.scalars(select(Journey.id).join(CrewAssignment, CrewAssignment.journey_id == Journey.id)
                                   .where(CrewAssignment.user_id == driver.id,
                                          Journey.current_phase == Phase.MORNING_PREP)
                                   .order_by(Journey.id).limit(1)).one()
    finally:
        engine.dispose()


def stored_actions(url: str, journey_id: int) -> int:
    engine = create_engine(sync_url(url))
    try:
        with Session(engine) as session:
            return session.scalar(select(func.count()).select_from(ClientAction)
                                  .where(ClientAction.journey_id == journey_id)) or 0
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--actions", type=int, default=50)
    parser.add_argument("--photos", type=int, default=5)
    args = parser.parse_args()
    url = blank_database(args.database_url)
    server = start_live_server(url, env={"LOG_LEVEL": "WARNING"}).wait_ready()
    seconds, cpu = [], []
    try:
        journey_id = driver_journey(url)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = signed_in_page(browser, server.url, DRIVER)
            page.set_viewport_size({"width": 390, "height": 844})
            page.goto(f"/mobile/journey/{journey_id}")
            page.wait_for_function("window.did_handshake === true && !!window.ccrmCrew")
            for run in range(1, args.runs + 1):
                before = stored_actions(url, journey_id)
                page.context.set_offline(True)
                queued = page.evaluate(QUEUE_JS, [run, args.actions, args.photos])
                assert queued == args.actions, queued
                cpu_start, start = cpu_seconds(server.pid), time.perf_counter()
                page.context.set_offline(False)
                page.wait_for_function("window.ccrmCrew.counts().waiting === 0 && !window.ccrmCrew.counts().sending",
                                       timeout=ACK_TIMEOUT_MS, polling=20)
                seconds.append(time.perf_counter() - start)
                cpu.append(cpu_seconds(server.pid) - cpu_start)
                refused = page.evaluate("window.ccrmCrew.counts().refused")
                stored = stored_actions(url, journey_id) - before
                assert refused == 0 and stored == args.actions, (refused, stored)
                print(f"  run {run}: {args.actions} actions ({args.photos} photos) acknowledged in "
                      f"{seconds[-1]:.2f} s, server CPU {cpu[-1]:.2f} s", file=sys.stderr, flush=True)
            browser.close()
    finally:
        server.stop()
    uptime = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    print(f"outbox replay after reconnect, {args.actions} actions with {args.photos} photos, {args.runs} runs: "
          f"all acknowledged in median {statistics.median(seconds):.2f} s (max {max(seconds):.2f} s); "
          f"server CPU median {statistics.median(cpu):.2f} s (max {max(cpu):.2f} s); "
          f"{os.cpu_count()} cores; uptime: {uptime}")


if __name__ == "__main__":
    main()
