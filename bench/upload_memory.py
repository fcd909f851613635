"""Benchmark of upload memory: N concurrent maximum-size images (6300×6300 PNGs, highly
compressible: small on the wire, 40 MP decoded) through the app's image processing
(`domain.workflow.media.prepare_within_budget`, what every upload path calls), in this process.

    python -m bench.upload_memory [--uploads 8] [--side 6300]

Prints resident memory (VmRSS, sampled every 5 ms by a thread) before, at the peak and after,
once with the decode pixel budget (`DECODE_PIXEL_BUDGET`) and once without it (an unlimited
budget: the app before issue 17), and the budget's own accounting (peak pixels held, peak
concurrent decodes). The target of issue 17: 8 uploads stay under +400 MB, and memory returns.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import io
import threading
import time
from pathlib import Path

from PIL import Image, ImageDraw

from db.enums import MediaKind
from domain.workflow import media
from domain.workflow.pixel_budget import PixelBudget

UNLIMITED = 10**15


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def big_png(side: int) -> bytes:
    image = Image.new("RGB", (side, side), "white")
    ImageDraw.Draw(image).rectangle((side // 4, side // 4, side // 2, side // 2), fill="steelblue")
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


class PeakSampler:
    def __init__(self) -> None:
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_mb())
            time.sleep(0.005)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


async def run(data: bytes, uploads: int, budget: PixelBudget) -> tuple[float, float, float]:
    media.DECODE_BUDGET = budget
    gc.collect()
    before = rss_mb()
    with PeakSampler() as sampler:
        await asyncio.gather(*(media.prepare_within_budget(data, MediaKind.PHOTO) for _ in range(uploads)))
    gc.collect()
    await asyncio.sleep(0.2)
    return before, sampler.peak, rss_mb()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--uploads", type=int, default=8)
    parser.add_argument("--side", type=int, default=6300)
    args = parser.parse_args()
    data = big_png(args.side)
    print(f"{args.uploads} concurrent {args.side}×{args.side} PNGs of {len(data) / 1024:.0f} KB "
          f"({args.side * args.side / 1e6:.1f} MP each)")
    for label, capacity in (("with the budget", media.DECODE_PIXEL_BUDGET), ("without (unlimited)", UNLIMITED)):
        budget = PixelBudget(capacity)
        before, peak, after = asyncio.run(run(data, args.uploads, budget))
        print(f"{label:>20}: RSS before {before:7.0f} MB, peak {peak:7.0f} MB (+{peak - before:5.0f} MB), "
              f"after {after:7.0f} MB (+{after - before:5.0f} MB); "
              f"peak decodes at once {budget.peak_active}, peak pixels held {budget.peak_in_use / 1e6:.1f} MP")


if __name__ == "__main__":
    main()
