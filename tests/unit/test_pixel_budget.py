"""The decode pixel budget of uploads, by its accounting (never by time or memory: the figures
are bench/upload_memory.py's): concurrent decodes never hold more pixels than the budget, an image
larger than the budget decodes alone, waiters go first come first served, a cancelled waiter
leaves the budget as it was, and the budget serves one event loop after another."""

from __future__ import annotations

import asyncio
import io

import pytest
from PIL import Image

from db.enums import MediaKind
from domain.errors import ValidationFailed
from domain.workflow import media
from domain.workflow.pixel_budget import PixelBudget


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def fresh_peaks() -> PixelBudget:
    """The app's own budget, its peaks counted from now."""
    budget = media.DECODE_BUDGET
    assert budget.in_use == 0 and budget.active == 0
    budget.peak_in_use = budget.peak_active = 0
    return budget


async def test_eight_concurrent_images_never_exceed_the_budget(fresh_peaks: PixelBudget) -> None:
    side = 4000  # 16 MP: three fit in the 48 MP budget, the fourth waits
    data = _png(side, side)
    prepared = await asyncio.gather(*(media.prepare_within_budget(data, MediaKind.PHOTO) for _ in range(8)))
    assert len(prepared) == 8 and all(p.width == side for p in prepared)
    assert fresh_peaks.peak_active == media.DECODE_PIXEL_BUDGET // (side * side) == 3
    assert fresh_peaks.peak_in_use <= media.DECODE_PIXEL_BUDGET
    assert (fresh_peaks.in_use, fresh_peaks.active) == (0, 0)


async def test_images_at_the_size_limit_decode_one_at_a_time(fresh_peaks: PixelBudget) -> None:
    data = _png(6300, 6300)  # 39.7 MP, under the 40 MP limit; 128 KB-ish on the wire
    assert media.declared_pixels(data) == 6300 * 6300
    await asyncio.gather(*(media.prepare_within_budget(data, MediaKind.PHOTO) for _ in range(3)))
    assert fresh_peaks.peak_active == 1


async def test_refused_images_give_their_share_back(fresh_peaks: PixelBudget) -> None:
    for bad in (b"not an image", _png(8000, 8000)[:2000]):
        with pytest.raises(ValidationFailed):
            await media.prepare_within_budget(bad, MediaKind.PHOTO)
    assert (fresh_peaks.in_use, fresh_peaks.active) == (0, 0)


async def test_waiters_are_served_in_order_and_oversized_ones_alone() -> None:
    budget = PixelBudget(10)
    order: list[str] = []
    release = asyncio.Event()

    async def hold(name: str, pixels: int) -> None:
        async with budget.reserve(pixels):
            order.append(name)
            await release.wait()

    first = asyncio.create_task(hold("big", 100))  # capped to the whole budget
    await asyncio.sleep(0)
    others = [asyncio.create_task(hold(name, 4)) for name in ("a", "b", "c")]
    await asyncio.sleep(0)
    assert order == ["big"] and (budget.in_use, budget.active) == (10, 1)
    release.set()
    await asyncio.gather(first, *others)
    assert order == ["big", "a", "b", "c"]
    assert budget.peak_in_use == 10 and budget.peak_active == 2  # a and b together (8), c waited
    assert (budget.in_use, budget.active) == (0, 0)


async def test_a_cancelled_waiter_takes_nothing() -> None:
    budget = PixelBudget(10)
    async with budget.reserve(10):
        waiter = asyncio.create_task(_reserve_once(budget, 5))
        await asyncio.sleep(0)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
    assert (budget.in_use, budget.active) == (0, 0)
    await _reserve_once(budget, 10)  # nothing left behind in the queue


async def _reserve_once(budget: PixelBudget, pixels: int) -> None:
    async with budget.reserve(pixels):
        await asyncio.sleep(0)


def test_one_budget_serves_one_event_loop_after_another() -> None:
    budget = PixelBudget(4)

    async def contended() -> None:
        await asyncio.gather(*(_reserve_once(budget, 3) for _ in range(3)))

    asyncio.run(contended())
    asyncio.run(contended())
    assert budget.peak_active == 1 and (budget.in_use, budget.active) == (0, 0)
