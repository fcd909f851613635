"""What the super admin portal shows of a company's write-back (counts, the last error in words,
the rows given up on) and its one action: try a failed row again."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from db.enums import WriteBackKind, WriteBackStatus
from db.models import Journey, WriteBack, utcnow
from domain.access.rbac import Permission, Principal
from domain.audit import record as audit
from domain.audit.record import audited_write
from domain.errors import Conflict, Forbidden, NotFound
from domain.journeys.labels import journey_label
from domain.unit_of_work import read_session, unit_of_work

#: Failed rows listed in the portal (the newest first).
FAILED_LISTED = 20
WHAT = {WriteBackKind.ATTACHMENT: "Completion report", WriteBackKind.NOTE: "Job note"}


@dataclass(frozen=True, slots=True)
class FailedWriteBack:
    id: int
    journey: str
    customer: str
    what: str
    reason: str


@dataclass(frozen=True, slots=True)
class WriteBackSummary:
    queued: int
    sent: int
    failed: int
    skipped: int
    #: The newest reason a row is waiting, failed or skipped (None when all went well).
    last_error: str | None
    failed_rows: tuple[FailedWriteBack, ...]


def _require(principal: Principal, company_id: int, permission: Permission) -> None:
    principal.require(permission)
    if not principal.reaches_company(company_id):
        raise Forbidden("this company is outside your scope")


async def write_back_summary(principal: Principal, company_id: int) -> WriteBackSummary:
    _require(principal, company_id, Permission.VIEW_SMARTMOVING_DATA)
    async with read_session() as session:
        counts = dict((await session.execute(select(WriteBack.status, func.count()).where(
            WriteBack.company_id == company_id).group_by(WriteBack.status))).tuples().all())
        last_error = await session.scalar(select(WriteBack.last_error).where(
            WriteBack.company_id == company_id, WriteBack.status != WriteBackStatus.SENT,
            WriteBack.last_error.is_not(None)).order_by(WriteBack.updated_at.desc(), WriteBack.id.desc()).limit(1))
        failed = (await session.execute(
            select(WriteBack, Journey).join(Journey, Journey.id == WriteBack.journey_id)
            .where(WriteBack.company_id == company_id, WriteBack.status == WriteBackStatus.FAILED)
            .order_by(WriteBack.updated_at.desc(), WriteBack.id.desc()).limit(FAILED_LISTED))).tuples().all()
    return WriteBackSummary(
        queued=counts.get(WriteBackStatus.QUEUED, 0) + counts.get(WriteBackStatus.SENDING, 0),
        sent=counts.get(WriteBackStatus.SENT, 0), failed=counts.get(WriteBackStatus.FAILED, 0),
        skipped=counts.get(WriteBackStatus.SKIPPED, 0), last_error=last_error,
        failed_rows=tuple(FailedWriteBack(row.id, journey_label(j.id, j.data_source, j.job_number), j.customer_name,
                                          WHAT[row.kind], row.last_error or "")
                          for row, j in failed))


@audited_write
async def retry_write_back(principal: Principal, write_back_id: int) -> None:
    """Queue a FAILED row again, due now, with its attempts counted from zero."""
    async with unit_of_work() as session:
        row = await session.get(WriteBack, write_back_id, with_for_update=True) if 0 < write_back_id < 2**63 else None
        if row is None:
            raise NotFound("this write-back no longer exists")
        _require(principal, row.company_id, Permission.SYNC_DATA)
        if row.status is not WriteBackStatus.FAILED:
            raise Conflict("only a write-back that failed can be tried again")
        old = {"status": row.status, "attempts": row.attempts, "last_error": row.last_error}
        row.status, row.attempts, row.next_attempt_at = WriteBackStatus.QUEUED, 0, utcnow()
        audit.record(session, principal, "smartmoving.write_back.retried", "journey", row.journey_id, old=old,
                     new={"status": row.status, "what": WHAT[row.kind]}, company_id=row.company_id)
