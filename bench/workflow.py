"""Figures for the crew workflow on PostgreSQL: the photo pipeline, recording an item, reading a
journey's six phases, completing and rejecting a phase.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/ccrm_bench python -m bench.workflow

The database is dropped and recreated with the demo data (never point this at real data).
"""

from __future__ import annotations

import asyncio
import io
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable

from PIL import Image, ImageDraw
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from db.enums import JourneyStatus, MediaKind, Phase
from db.migrate import upgrade_to_head
from db.models import CrewAssignment, Journey, User
from db.seed import DEMO_PASSWORD, seed_demo
from db.session import dispose_engine, init_engine, sync_url
from domain.workflow import phases as workflow
from domain.workflow.media import prepare_image
from domain.access.passwords import hash_password
from domain.access.rbac import load_principal
from domain.unit_of_work import read_session, unit_of_work

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/ccrm_bench"
ROUNDS = 200


def _recreate(url: str) -> None:
    parsed = make_url(sync_url(url))
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
    upgrade_to_head(url)


def _phone_photo() -> bytes:
    image = Image.new("RGB", (4032, 3024), "steelblue")
    draw = ImageDraw.Draw(image)
    for i in range(0, 4032, 64):  # some detail, so the encoder has work to do
        draw.line([(i, 0), (4032 - i, 3024)], fill=(i % 255, 120, 200 - i % 200), width=9)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    return out.getvalue()


def _line(name: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    print(f"{name:<44} n={len(samples):<4} p50={statistics.median(samples):8.1f} ms  p95={p95:8.1f} ms")


async def _timed(action: Callable[[], Awaitable[object]], rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        await action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


async def main() -> None:
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="ccrm-bench-media-"))
    await asyncio.to_thread(_recreate, url)
    init_engine(url)
    try:
        async with unit_of_work() as session:
            await seed_demo(session, await asyncio.to_thread(hash_password, DEMO_PASSWORD))
        async with read_session() as session:
            driver_user = await session.scalar(select(User).where(User.email == "driver@demo.ccrm"))
            assert driver_user is not None
            driver = await load_principal(session, driver_user.id)
            journey_id = await session.scalar(
                select(Journey.id).join(CrewAssignment, CrewAssignment.journey_id == Journey.id)
                .where(CrewAssignment.user_id == driver_user.id, Journey.status == JourneyStatus.MORNING_PREP)
                .order_by(Journey.id))
        assert driver is not None and journey_id is not None

        photo = _phone_photo()
        print(f"photo: 4032×3024 JPEG, {len(photo) / 1e6:.1f} MB")
        _line("validate + re-encode + thumbnail (12 MP)",
              [await asyncio.to_thread(_time_sync, lambda: prepare_image(photo, MediaKind.PHOTO)) for _ in range(5)])
        _line("record a check item", await _timed(
            lambda: workflow.record_item(driver, journey_id, Phase.MORNING_PREP, "lights_ok", True), ROUNDS))
        _line("read a journey's six phases", await _timed(
            lambda: workflow.journey_workflow(driver, journey_id), ROUNDS))
        _line("record a photo (12 MP, stored + row + audit)", await _timed(
            lambda: workflow.record_photo(driver, journey_id, Phase.MORNING_PREP, "vehicle_photo", photo), 5))
        for key, value in (("fuel_level", 80), ("tires", "good"), ("brakes_ok", True), ("equipment_loaded", True)):
            await workflow.record_item(driver, journey_id, Phase.MORNING_PREP, key, value)
        async with read_session() as session:
            manager_user = await session.scalar(select(User).where(User.email == "manager@demo.ccrm"))
            assert manager_user is not None
            manager = await load_principal(session, manager_user.id)
        assert manager is not None
        completes, rejects = [], []
        for _ in range(50):
            completes += await _timed(lambda: workflow.complete_phase(driver, journey_id, Phase.MORNING_PREP), 1)
            rejects += await _timed(
                lambda: workflow.reject_phase(manager, journey_id, Phase.MORNING_PREP, "bench"), 1)
        _line("complete a phase (checks every item)", completes)
        _line("reject a phase", rejects)
    finally:
        await dispose_engine()


def _time_sync(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


if __name__ == "__main__":
    asyncio.run(main())
