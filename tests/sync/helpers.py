"""Helpers of the sync tests: run a sync to its end, read what it wrote, count SQL writes."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, func, select

from db.enums import DataSource, JourneyStatus, SyncKind
from db.models import Journey, SyncRun
from db.session import get_engine
from domain.sync.jobs import CREATED_FROM
from domain.sync.mapping import BOOKED_STATUSES
from domain.sync.runs import open_run
from domain.sync.service import run_sync
from domain.unit_of_work import read_session
from integrations.smartmoving.simulator.server import SimulatorState
from tests.sync.conftest import FAST

COMPANY_TZ = "America/Toronto"  # the demo company's


def window() -> tuple[dt.date, dt.date]:
    today = dt.datetime.now(dt.UTC).astimezone(ZoneInfo(COMPANY_TZ)).date()
    return today, today + dt.timedelta(days=1)


def window_job_ids(sim: SimulatorState) -> set[str]:
    """The jobs of today and tomorrow the sync must turn into journeys: the booked ones, and the
    cancelled or lost ones (shown CANCELLED)."""
    first, last = window()
    return {job.id for opp in sim.opportunities_between(first, last) if opp.status in CREATED_FROM
            for job in opp.jobs if first <= job.day <= last}


def live_job_ids(sim: SimulatorState) -> set[str]:
    """Of those, the booked ones."""
    first, last = window()
    return {job.id for opp in sim.opportunities_between(first, last) if opp.status in BOOKED_STATUSES
            for job in opp.jobs if first <= job.day <= last}


async def run(integration_id: int, kind: SyncKind = SyncKind.JOBS, **options: Any) -> SyncRun:
    """Run a sync to its end (fast client settings unless overridden); its SyncRun."""
    info = await open_run(integration_id, kind, "test")
    await run_sync(info, **(FAST | options))
    return await sync_run(info.run_id)


async def sync_run(run_id: int) -> SyncRun:
    async with read_session() as session:
        run = await session.get(SyncRun, run_id)
        assert run is not None
        return run


async def synced_journeys() -> dict[str, Journey]:
    """SmartMoving journeys written by the sync (the demo seed's have no external data)."""
    async with read_session() as session:
        rows = await session.scalars(select(Journey).where(Journey.data_source == DataSource.SMARTMOVING,
                                                           Journey.external_data.is_not(None)))
        return {j.external_id: j for j in rows}


async def journey_count() -> int:
    async with read_session() as session:
        return int(await session.scalar(select(func.count()).select_from(Journey)) or 0)


@contextlib.contextmanager
def _listening(record: Callable[[str, Any], None]) -> Iterator[None]:
    """`record(sql, parameters)` for each statement executed inside the block (upper case,
    whitespace collapsed)."""

    def listen(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        record(" ".join(statement.split()).upper(), parameters)

    engine = get_engine().sync_engine
    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", listen)


@contextlib.contextmanager
def executed_sql(matches: Callable[[str], bool]) -> Iterator[list[str]]:
    """The SQL statements executed inside the block (upper case, whitespace collapsed) that `matches`."""
    seen: list[str] = []
    with _listening(lambda sql, _parameters: seen.append(sql) if matches(sql) else None):
        yield seen


@contextlib.contextmanager
def executed_with_parameters(matches: Callable[[str], bool]) -> Iterator[list[tuple[str, Any]]]:
    """`executed_sql`, each statement with its parameters."""
    seen: list[tuple[str, Any]] = []
    with _listening(lambda sql, parameters: seen.append((sql, parameters)) if matches(sql) else None):
        yield seen


def journey_writes() -> contextlib.AbstractContextManager[list[str]]:
    """The INSERT/UPDATE statements on journeys executed inside the block."""
    return executed_sql(lambda sql: sql.startswith(("INSERT INTO JOURNEYS ", "UPDATE JOURNEYS ")))


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def truth_mismatches(truth_rows: list[dict[str, Any]], journeys: dict[str, Journey], first: dt.date,
                     last: dt.date) -> list[str]:
    """Every difference between SmartMoving's truth (`SimulatorScript.truth` rows: one per job of
    [first, last]) and the synced journeys: a booked job is a live journey with its date, start,
    addresses, customer and (one-job opportunities) value; a cancelled or lost one is CANCELLED
    with a reason, as is a journey of the window whose job SmartMoving no longer has there."""
    truth = {row["job_id"]: row for row in truth_rows}
    found: list[str] = []
    for job_id, row in truth.items():
        journey = journeys.get(job_id)
        booked, cancelled = row["status"] in BOOKED_STATUSES, row["status"] in (20, 30)
        if journey is None:
            if booked or cancelled:
                found.append(f"{job_id}: no journey for a job in status {row['status']}")
            continue
        if booked:
            if journey.status is JourneyStatus.CANCELLED or journey.sync_reason is not None:
                found.append(f"{job_id}: booked in SmartMoving, journey {journey.status.value} ({journey.sync_reason})")
            if _utc(journey.scheduled_start) != (dt.datetime.fromisoformat(row["start"]) if row["start"] else None):
                found.append(f"{job_id}: start {journey.scheduled_start} != {row['start']}")
            addresses = row["addresses"]
            if (journey.origin_address, journey.destination_address) != (
                    addresses[0] if addresses else None, addresses[-1] if len(addresses) > 1 else None):
                found.append(f"{job_id}: addresses differ")
            if row["job_count"] == 1:
                expected = None if row["final_total"] is None else Decimal(str(row["final_total"])).quantize(
                    Decimal("0.01"))
                if journey.estimated_value != expected:
                    found.append(f"{job_id}: value {journey.estimated_value} != {expected}")
        elif journey.status is not JourneyStatus.CANCELLED or not journey.sync_reason:
            found.append(f"{job_id}: status {row['status']} in SmartMoving, journey {journey.status.value}")
        if journey.journey_date.isoformat() != row["date"]:
            found.append(f"{job_id}: date {journey.journey_date} != {row['date']}")
        if journey.customer_name != row["customer_name"]:
            found.append(f"{job_id}: customer {journey.customer_name!r} != {row['customer_name']!r}")
    for job_id, journey in journeys.items():
        live = journey.status is not JourneyStatus.CANCELLED
        if first <= journey.journey_date <= last and job_id not in truth and live:
            found.append(f"{job_id}: live journey on {journey.journey_date}, SmartMoving has no such job then")
    return found


def detail_calls(sim: SimulatorState) -> int:
    return sum(n for path, n in sim.calls.items() if path.startswith("/api/opportunities/"))
