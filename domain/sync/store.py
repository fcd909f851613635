"""Writing synced journeys: one bulk upsert keyed on (company_id, external_id).

Rows go as executemany parameter sets of one cached statement: SQLAlchemy's "insertmanyvalues"
batches them into multi-row INSERTs within each driver's parameter limit, compiling the SQL once
(a `.values([...])` statement per batch was compiled anew each time, the sync's main cost).

`INSERT ... ON CONFLICT (company_id, external_id) DO UPDATE` sets only the sync-owned columns
(`mapping.SYNC_COLUMNS`) and the bookkeeping ones; the schedule is kept when no job times came.
Status follows SmartMoving both ways: CANCELLED (with `sync_reason`) when the job is not booked
there, and back to the live status of its phase when a journey the sync cancelled is booked
again (a journey dispatch cancelled itself stays cancelled). Crew, truck, steps, notes and
progress are never in the statement; a planned journey the change breaks is released and flagged
by `attention.guard_plans`. New journeys get their six steps. Each status change (cancelled,
re-booked) and move to another date gets an audit entry by the sync's system actor. Runs in the
caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import DataSource, JourneyStatus, JourneySyncStatus, Phase
from db.models import CrewAssignment, Journey, JourneyStep
from db.workflow_defaults import PHASE_STATUS
from domain.audit import record as audit
from domain.events import bus as events
from domain.events.touched import JourneyWrite, journeys_synced
from domain.sync.attention import Raised, guard_plans, plan_states
from domain.sync.jobs import PendingWrite
from domain.sync.mapping import SCHEDULE_COLUMNS, SYNC_COLUMNS, new_steps
from domain.sync.runs import SYSTEM_ACTOR

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
    live = case(*((current.current_phase == phase.value, status.value) for phase, status in PHASE_STATUS.items()),
                else_=JourneyStatus.SCHEDULED.value)
    assignments["status"] = case(
        (new.status == JourneyStatus.CANCELLED.value, new.status),
        ((current.status == JourneyStatus.CANCELLED.value) & current.sync_reason.is_not(None), live),
        else_=current.status)
    for column in ("data_source", "sync_status", "last_sync_at", "updated_at"):
        assignments[column] = new[column]
    return stmt.on_conflict_do_update(index_elements=["company_id", "external_id"], set_=assignments).returning(
        current.id, current.external_id, current.location_id).execution_options(insertmanyvalues_page_size=BATCH_ROWS)


async def write_journeys(session: AsyncSession, company_id: int, pending: list[PendingWrite],
                         now: datetime) -> WriteResult:
    """Upsert the pending journeys, add the steps of new ones, keep crew dates in line, and
    queue one event for them all (`journeys.synced`)."""
    if not pending:
        return WriteResult([], [])
    pending = list({p.external_id: p for p in pending}.values())  # one row per job per statement
    rows = [{"company_id": company_id, "external_id": p.external_id, **p.values,
             "data_source": DataSource.SMARTMOVING, "sync_status": JourneySyncStatus.SYNCED, "last_sync_at": now,
             "current_phase": Phase.CREATION, "progress": 0, "created_at": now, "updated_at": now}
            for p in pending]
    before = await plan_states(session, [p.existing["id"] for p in pending if p.existing is not None])
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
    raised = await guard_plans(session, company_id, [(p.existing["id"], p.values, p.existing) for p in pending
                                                     if p.existing is not None], before)
    if moved:
        await session.execute(
            update(CrewAssignment).where(CrewAssignment.journey_id.in_(moved))
            .values(journey_date=select(Journey.journey_date).where(Journey.id == CrewAssignment.journey_id)
                    .scalar_subquery()))
    _audit_transitions(session, company_id, pending, raised)
    _queue_batch(session, company_id, written, by_external, before, raised)
    return WriteResult(created, updated)


def _transition(p: PendingWrite) -> str | None:
    """What the write did to the journey's life: cancelled, re-booked, moved to another date."""
    if p.existing is None:
        return None
    was_cancelled = p.existing["status"] is JourneyStatus.CANCELLED
    if p.values["status"] is JourneyStatus.CANCELLED and not was_cancelled:
        return "cancelled"
    if p.values["status"] is not JourneyStatus.CANCELLED and was_cancelled and p.existing.get("sync_reason"):
        return "rebooked"
    if p.existing["journey_date"] != p.values["journey_date"]:
        return "moved"
    return None


def _audit_transitions(session: AsyncSession, company_id: int, pending: list[PendingWrite],
                       raised: dict[int, Raised]) -> None:
    for p in pending:
        transition = _transition(p)
        attention = raised.get(p.existing["id"]) if p.existing else None
        if transition is None and attention is None:
            continue
        assert p.existing is not None
        old = {"status": p.existing["status"].value, "journey_date": p.existing["journey_date"].isoformat(),
               "sync_reason": p.existing.get("sync_reason")}
        new = {"status": p.values["status"].value, "journey_date": p.values["journey_date"].isoformat(),
               "sync_reason": p.values.get("sync_reason"), "external_id": p.external_id}
        if attention is not None:
            new |= {"needs_attention": attention.kind, "attention_reason": attention.reason,
                    "released_user_ids": list(attention.released_user_ids)}
        audit.record(session, None, f"sync_{transition or 'plan_changed'}", "journey", p.existing["id"],
                     old=old, new=new, company_id=company_id, actor_email=SYSTEM_ACTOR)


def _queue_batch(session: AsyncSession, company_id: int, written: dict[str, tuple[int, int]],
                 pending: dict[str, PendingWrite], before: dict[int, Any], raised: dict[int, Raised]) -> None:
    """One event for the whole write: every journey written, where it was if it moved, its crew
    (released members included), the ones flagged for attention."""
    writes = []
    for external_id, (journey_id, location_id) in written.items():
        p, plan = pending[external_id], before.get(journey_id)
        was = (p.existing["location_id"], p.existing["journey_date"]) if p.existing is not None else None
        writes.append(JourneyWrite(journey_id, location_id, p.values["journey_date"],
                                   crew=tuple(plan.crew_user_ids) if plan else (), was=was,
                                   needs_attention=journey_id in raised))
    events.queue(session, journeys_synced(company_id, writes))
