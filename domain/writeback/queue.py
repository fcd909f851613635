"""Queueing a completed journey's write-back, in the completion's own unit of work.

One row per (journey, kind) — the table's unique key. The rule when a journey completes again
(a phase rejected, redone, completed once more):
- the NOTE row is re-queued only if the note's text changed (same crew, times and exceptions:
  nothing to send again);
- the ATTACHMENT row is re-queued, and the sender attaches the newest completion report only if
  its SHA-256 differs from the one already attached (a re-issued, changed report is attached as a
  new file; the same bytes are not sent twice).
A row already waiting (QUEUED) just takes the new note; one being sent (SENDING) is re-queued with
its generation bumped, so the send in flight does not mark the newer content as sent.
Only journeys that came from SmartMoving, of a company with an active SmartMoving integration,
queue anything. On a Basic plan (read-only API) the rows are written SKIPPED, with the reason in
words, so that the super admin sees why nothing went.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import DataSource, IntegrationPlan, IntegrationSource, WriteBackKind, WriteBackStatus
from db.models import CompanyIntegration, Journey, WriteBack, utcnow
from domain.writeback.note import completion_note

BASIC_PLAN_REASON = ("not sent: the company's SmartMoving plan is Basic, whose API is read-only "
                     "(Premium is needed to attach the completion report and add the job note)")


async def queue_write_back(session: AsyncSession, journey: Journey) -> list[WriteBack]:
    """Queue (or re-queue, see the module's rule) the attachment and the note of a journey that
    has just completed; the rows written or changed (none for a journey not from SmartMoving)."""
    if journey.data_source is not DataSource.SMARTMOVING or not journey.external_opportunity_id:
        return []
    integration = await session.scalar(select(CompanyIntegration).where(
        CompanyIntegration.company_id == journey.company_id,
        CompanyIntegration.source == IntegrationSource.SMARTMOVING,
        CompanyIntegration.active.is_(True)))
    if integration is None:
        return []
    note = await completion_note(session, journey)
    rows = {row.kind: row for row in await session.scalars(
        select(WriteBack).where(WriteBack.journey_id == journey.id).with_for_update())}
    basic = integration.plan is IntegrationPlan.BASIC
    changed: list[WriteBack] = []
    for kind in WriteBackKind:
        row = rows.get(kind)
        text = note if kind is WriteBackKind.NOTE else None
        if row is None:
            row = WriteBack(company_id=journey.company_id, integration_id=integration.id, journey_id=journey.id,
                            kind=kind, opportunity_id=journey.external_opportunity_id, job_id=journey.external_id,
                            note_text=text)
            session.add(row)
        elif kind is WriteBackKind.NOTE and row.status is WriteBackStatus.SENT and row.note_text == text:
            continue
        else:
            _requeue(row, integration.id, journey, text)
        if basic:
            row.status, row.last_error = WriteBackStatus.SKIPPED, BASIC_PLAN_REASON
        changed.append(row)
    await session.flush()
    return changed


def _requeue(row: WriteBack, integration_id: int, journey: Journey, text: str | None) -> None:
    if row.status is not WriteBackStatus.QUEUED:
        row.generation += 1
        row.attempts = 0
    row.status = WriteBackStatus.QUEUED
    row.integration_id = integration_id
    row.opportunity_id = journey.external_opportunity_id or row.opportunity_id
    row.job_id = journey.external_id
    row.note_text = text
    row.next_attempt_at = utcnow()
    row.last_error = None
