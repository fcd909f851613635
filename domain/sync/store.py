"""Writing synced journeys: one bulk upsert keyed on (company_id, external_id).

Rows go as executemany parameter sets of one cached statement: SQLAlchemy's "insertmanyvalues"
batches them into multi-row INSERTs within each driver's parameter limit, compiling the SQL once
(a `.values([...])` statement per batch was compiled anew each time, the sync's main cost).

`INSERT ... ON CONFLICT (company_id, external_id) DO UPDATE` sets only the sync-owned columns
(`mapping.SYNC_COLUMNS`) and the bookkeeping ones; status changes only by the CANCELLED rule;
the schedule is kept when no job times came. Crew, truck, steps, notes and progress are never
in the statement. New journeys get their six steps. Runs in the caller's transaction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import DataSource, JourneyStatus, JourneySyncStatus, Phase
from db.models import CrewAssignment, Journey, JourneyStep
from domain.events import bus as events
from domain.events.bus import DomainEvent, EventType
from domain.sync.jobs import PendingWrite
from domain.sync.mapping import SCHEDULE_COLUMNS, SYNC_COLUMNS, new_steps

#: Rows per multi-row INSERT (SQLAlchemy's insertmanyvalues page; it also keeps within each
#: driver's parameter limit on its own).
BATCH_ROWS = 1000

_journeys = Journey.__table__
_steps = JourneyStep.__table__


@dataclass(frozen=True, slots=True)
class WriteResult:
    created: list[int]
    updated: list[int]


def dialect_insert(session: AsyncSession, table: Any) -> Any:
    """INSERT with ON CONFLICT support, for the session's database (PostgreSQL or SQLite)."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def _upsert_statement(session: AsyncSession) -> Any:
    stmt = dialect_insert(session, _journeys)
    new, current = stmt.excluded, _journeys.c
    assignments: dict[str, Any] = {c: new[c] for c in SYNC_COLUMNS if c not in SCHEDULE_COLUMNS}
    assignments["scheduled_start"] = func.coalesce(new.scheduled_start, current.scheduled_start)
    assignments["scheduled_end"] = case((new.scheduled_start.is_(None), current.scheduled_end),
                                        else_=new.scheduled_end)
    assignments["status"] = case((new.status == JourneyStatus.CANCELLED.value, new.status), else_=current.status)
    for column in ("data_source", "sync_status", "last_sync_at", "updated_at"):
        assignments[column] = new[column]
    return stmt.on_conflict_do_update(index_elements=["company_id", "external_id"], set_=assignments).returning(
        current.id, current.external_id, current.location_id).execution_options(insertmanyvalues_page_size=BATCH_ROWS)


async def write_journeys(session: AsyncSession, company_id: int, pending: list[PendingWrite],
                         now: datetime) -> WriteResult:
    """Upsert the pending journeys, add the steps of new ones, keep crew dates in line, and
    queue one event per journey written."""
    if not pending:
        return WriteResult([], [])
    pending = list({p.external_id: p for p in pending}.values())  # one row per job per statement
    rows = [{"company_id": company_id, "external_id": p.external_id, **p.values,
             "data_source": DataSource.SMARTMOVING, "sync_status": JourneySyncStatus.SYNCED, "last_sync_at": now,
             "current_phase": Phase.CREATION, "progress": 0, "created_at": now, "updated_at": now}
            for p in pending]
    result = await session.execute(_upsert_statement(session), rows)
    written = {external_id: (journey_id, location_id) for journey_id, external_id, location_id in result}
    by_external = {p.external_id: p for p in pending}
    created = [written[p.external_id][0] for p in pending if p.existing is None]
    updated = [written[p.external_id][0] for p in pending if p.existing is not None]
    if created:
        steps = [step for journey_id in created for step in new_steps(journey_id, now)]
        add_steps = dialect_insert(session, _steps).on_conflict_do_nothing(index_elements=["journey_id", "phase"])
        await session.execute(add_steps.execution_options(insertmanyvalues_page_size=BATCH_ROWS), steps)
    moved = [p.existing["id"] for p in pending
             if p.existing is not None and p.existing["journey_date"] != p.values["journey_date"]]
    if moved:
        await session.execute(
            update(CrewAssignment).where(CrewAssignment.journey_id.in_(moved))
            .values(journey_date=select(Journey.journey_date).where(Journey.id == CrewAssignment.journey_id)
                    .scalar_subquery()))
    await _queue_events(session, company_id, written, by_external)
    return WriteResult(created, updated)


async def _queue_events(session: AsyncSession, company_id: int, written: dict[str, tuple[int, int]],
                        pending: dict[str, PendingWrite]) -> None:
    crew: dict[int, list[int]] = defaultdict(list)
    updated_ids = [written[e][0] for e, p in pending.items() if p.existing is not None]
    if updated_ids:
        for journey_id, user_id in await session.execute(
                select(CrewAssignment.journey_id, CrewAssignment.user_id)
                .where(CrewAssignment.journey_id.in_(updated_ids))):
            crew[journey_id].append(user_id)
    for external_id, (journey_id, location_id) in written.items():
        p = pending[external_id]
        if p.existing is None:
            kind = EventType.JOURNEY_CREATED
        elif p.values["status"] is JourneyStatus.CANCELLED and p.existing["status"] is not JourneyStatus.CANCELLED:
            kind = EventType.JOURNEY_CANCELLED
        else:
            kind = EventType.JOURNEY_CHANGED
        events.queue(session, DomainEvent(kind, company_id, location_id, journey_id,
                                          user_ids=tuple(sorted(crew.get(journey_id, ()))),
                                          data={"source": DataSource.SMARTMOVING.value, "external_id": external_id}))
