"""Sending the write-back outbox to SmartMoving: a scheduled drain, one row at a time.

Each row goes through three short steps, each its own transaction:
1. claim — the due row is locked (`FOR UPDATE SKIP LOCKED`: two instances never take the same
   row), set SENDING with a lease (`next_attempt_at = now + LEASE`, longer than any call with its
   429 retries can take), `attempts` + 1, its `generation` + 1 (only the latest claim, or a newer
   completion, settles the row), and, for the attachment, the report and the file name to send
   written down; committed *before* the call;
2. the call, outside any transaction;
3. settle — SENT (with its audit entry, the report's SHA-256 in it), back to QUEUED with a backoff
   (exponential, equal jitter, capped) or FAILED with the reason in words. The calls made are
   added to the row (`api_calls`): they count against the integration's monthly call budget
   (domain/sync/budget.py), which is read before every claim; when what is left would not cover
   a row, the drain stops and the rows wait for the next month, saying so.

Exactly once across restarts. SmartMoving's API takes no idempotency key, so a process killed
after SmartMoving took a call but before step 3 must not send it again blindly. A row left
SENDING by a dead process becomes due again when its lease ends.
- The attachment's file name carries the first 12 hex digits of the report's SHA-256
  (`…-<sha12>.pdf`). It is written in step 1, so when a row is claimed with the same file name
  again (after a crash, a timeout or a 5xx: any earlier attempt that may have landed), the drain
  first lists the opportunity's documents (`GET …/documents`) and, if a document whose title holds
  that marker is there, marks the row SENT without attaching again. (That the documents list
  shows attachments by file name is what the simulator does; the live API's listing of
  attachments is not documented: check it against a Premium account before relying on it.)
- The note is written with `PATCH …/jobs/{jobId}/notes`, which *sets* the job's dispatcher notes
  field: sending the same text again leaves the job exactly as one send would (the job view has
  no notes to read back, so the write itself is made idempotent instead). The field is replaced,
  which is the price of that: what the office wrote in the dispatcher notes before the move is
  overwritten by the completion summary.
An attachment waits (QUEUED, not an attempt) until the journey's completion report exists: the
documents part issues it in the completion's transaction or after it.
"""

from __future__ import annotations

import logging
import random
import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import DocumentKind, IntegrationPlan, WriteBackKind, WriteBackStatus
from db.models import CompanyIntegration, MoveDocument, WriteBack, utcnow
from domain.audit import record as audit
from domain.audit.record import audited_write
from domain.errors import DomainError
from domain.sync.budget import budget_of, next_month_start
from domain.sync.connection import load_connection, open_client
from domain.unit_of_work import read_session, unit_of_work
from domain.writeback.queue import BASIC_PLAN_REASON
from integrations.smartmoving import (
    AuthenticationError,
    NotFoundError,
    RateLimitedError,
    RequestError,
    ServerError,
    SmartMovingClient,
    SmartMovingError,
)

log = logging.getLogger(__name__)

WRITE_BACK_ACTOR = "system:smartmoving-write-back"
#: A claimed row is due again after this long: its sender died (or hung) mid-call.
LEASE = timedelta(minutes=5)
#: Backoff after a failed attempt: BACKOFF_BASE × 2^(attempts - 1), capped, with equal jitter.
BACKOFF_BASE = timedelta(seconds=60)
BACKOFF_CAP = timedelta(hours=6)
#: Attempts before a row is given up (FAILED): with the cap, about two days of trying.
MAX_ATTEMPTS = 12
#: How often an attachment looks for its completion report while none is issued yet.
REPORT_WAIT = timedelta(minutes=2)
#: Calls one row may cost (documents check + the write + a 429 retry): the budget must cover it.
CALLS_PER_ROW = 3
#: The largest report attached (SmartMoving publishes no limit; its base64 JSON body is a third
#: larger): a bigger one fails with words instead of being sent and refused over and over.
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
#: Rows sent per integration per drain; the rest goes on the next one.
BATCH = 50
#: SmartMoving's job note field the summary is written to (see the module's docstring).
NOTE_FIELD = "dispatcherNotes"
MARKER_DIGITS = 12
_FILE_STEM = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(slots=True)
class DrainReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0
    calls: int = 0
    #: Integrations whose rows wait for the budget of next month.
    over_budget: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Claim:
    row_id: int
    generation: int
    kind: WriteBackKind
    journey_id: int
    company_id: int
    opportunity_id: str
    job_id: str | None
    attempts: int
    note_text: str | None = None
    file_name: str | None = None
    content: bytes = b""
    sha256: str | None = None
    #: An earlier attempt sent this very file and may have landed: look before sending.
    look_first: bool = False


@dataclass(frozen=True, slots=True)
class _Sent:
    remote_id: str | None = None
    #: Found already in SmartMoving (an earlier attempt landed): no write was made now.
    found: bool = False


def attachment_name(document: MoveDocument) -> str:
    """The file name sent: the report's own name plus the marker (its SHA-256's first digits)."""
    stem = _FILE_STEM.sub("-", document.filename.removesuffix(".pdf")).strip("-")[:200] or "completion-report"
    return f"{stem}-{document.sha256[:MARKER_DIGITS]}.pdf"


def backoff(attempts: int, rng: random.Random | None = None) -> timedelta:
    """The wait after the `attempts`-th failed attempt: exponential, capped, equal jitter."""
    ceiling = min(BACKOFF_BASE * (1 << min(max(attempts - 1, 0), 20)), BACKOFF_CAP)
    return ceiling / 2 + ceiling / 2 * (rng or random).random()


@audited_write
async def drain_write_backs(*, now: datetime | None = None, limit: int = BATCH,
                            client_options: dict[str, Any] | None = None) -> DrainReport:
    """Send the due rows of every integration (the scheduler's job; `now` and the client's
    `clock`/`sleep` are injectable for tests). Each row sent, failed or skipped is audited."""
    now = now or utcnow()
    report = DrainReport()
    async with read_session() as session:
        integration_ids = list(await session.scalars(
            select(WriteBack.integration_id).where(_due(now)).distinct().order_by(WriteBack.integration_id)))
    for integration_id in integration_ids:
        try:
            await _drain_integration(integration_id, now, limit, client_options or {}, report)
        except DomainError as problem:  # e.g. the integration lost its API key: its rows wait
            log.warning("write-back of integration %s waits: %s", integration_id, problem)
    return report


def _due(now: datetime) -> ColumnElement[bool]:
    return WriteBack.status.in_((WriteBackStatus.QUEUED, WriteBackStatus.SENDING)) & (WriteBack.next_attempt_at <= now)


async def _drain_integration(integration_id: int, now: datetime, limit: int, options: dict[str, Any],
                             report: DrainReport) -> None:
    connection = await load_connection(integration_id)
    if connection.plan is IntegrationPlan.BASIC:
        await _skip_all(integration_id, now, report)
        return
    if not connection.active:
        return  # switched off: the rows wait for it to be switched on
    async with open_client(connection, **options) as client:
        for _ in range(limit):
            claim = await _claim(integration_id, now, report)
            if claim is None:
                return
            before = client.calls
            outcome: _Sent | SmartMovingError
            try:
                outcome = await _send(client, claim)
            except SmartMovingError as failure:
                outcome = failure
            calls = client.calls - before
            report.calls += calls
            retrying = await _settle(claim, outcome, calls, now, report)
            if retrying:
                return  # SmartMoving is struggling: the rest waits for the next drain


async def _skip_all(integration_id: int, now: datetime, report: DrainReport) -> None:
    async with unit_of_work() as session:
        for row in await session.scalars(select(WriteBack).where(
                WriteBack.integration_id == integration_id, _due(now)).with_for_update(skip_locked=True)):
            row.status, row.last_error = WriteBackStatus.SKIPPED, BASIC_PLAN_REASON
            _audit(session, row, "smartmoving.write_back.skipped", reason=BASIC_PLAN_REASON)
            report.skipped += 1


async def _claim(integration_id: int, now: datetime, report: DrainReport) -> _Claim | None:
    """The next due row, claimed (SENDING, leased) in its own committed transaction; rows that
    need no call (report not issued yet, or already attached) are settled on the way."""
    while True:
        async with unit_of_work() as session:
            row = await session.scalar(select(WriteBack).where(WriteBack.integration_id == integration_id, _due(now))
                                       .order_by(WriteBack.next_attempt_at, WriteBack.id).limit(1)
                                       .with_for_update(skip_locked=True))
            if row is None:
                return None
            integration = await session.get_one(CompanyIntegration, integration_id)
            budget = await budget_of(session, integration, now)
            if budget.remaining < CALLS_PER_ROW:
                await _wait_for_budget(session, integration_id, now, budget.used, budget.quota)
                report.over_budget.append(integration_id)
                return None
            claim = await _claim_row(session, row, now, report)
            if claim is not None:
                return claim


async def _wait_for_budget(session: AsyncSession, integration_id: int, now: datetime, used: int, quota: int) -> None:
    words = (f"waiting for next month's call budget: {used:,} of {quota:,} SmartMoving calls "
             "are used this month")
    for row in await session.scalars(select(WriteBack).where(
            WriteBack.integration_id == integration_id, _due(now)).with_for_update(skip_locked=True)):
        row.status, row.next_attempt_at, row.last_error = WriteBackStatus.QUEUED, next_month_start(now), words


async def _claim_row(session: AsyncSession, row: WriteBack, now: datetime, report: DrainReport) -> _Claim | None:
    claim = _Claim(row.id, row.generation, row.kind, row.journey_id, row.company_id, row.opportunity_id,
                   row.job_id, row.attempts + 1, note_text=row.note_text)
    if row.kind is WriteBackKind.ATTACHMENT:
        document = await session.scalar(select(MoveDocument).where(
            MoveDocument.journey_id == row.journey_id, MoveDocument.kind == DocumentKind.COMPLETION_REPORT)
            .order_by(MoveDocument.version.desc()).limit(1))
        if document is None:
            row.status, row.next_attempt_at = WriteBackStatus.QUEUED, now + REPORT_WAIT
            row.last_error = "waiting for the completion report to be issued"
            return None
        if document.sha256 == row.sent_sha256:
            row.status, row.sent_at, row.last_error = WriteBackStatus.SENT, now, None
            _audit(session, row, "smartmoving.write_back.sent", sha256=document.sha256, unchanged=True)
            report.sent += 1
            return None
        if document.size_bytes > MAX_ATTACHMENT_BYTES:
            row.status = WriteBackStatus.FAILED
            row.last_error = (f"the completion report is {document.size_bytes / 1048576:.1f} MB, more than the "
                              f"{MAX_ATTACHMENT_BYTES // 1048576} MB sent to SmartMoving: attach it by hand")
            _audit(session, row, "smartmoving.write_back.failed", reason=row.last_error)
            report.failed += 1
            return None
        name = attachment_name(document)
        claim = replace(claim, file_name=name, content=document.content, sha256=document.sha256,
                        look_first=row.file_name == name)
        row.document_id, row.file_name = document.id, name
    row.status, row.attempts, row.last_attempt_at = WriteBackStatus.SENDING, claim.attempts, now
    row.next_attempt_at = now + LEASE
    row.generation += 1  # only this claim's answer settles the row (not a late one of an expired lease)
    return replace(claim, generation=row.generation)


async def _send(client: SmartMovingClient, claim: _Claim) -> _Sent:
    if claim.kind is WriteBackKind.NOTE:
        if not claim.job_id:
            raise RequestError("the journey has no SmartMoving job to add the note to", 400)
        await client.update_job_notes(claim.opportunity_id, claim.job_id, **{NOTE_FIELD: claim.note_text or ""})
        return _Sent()
    assert claim.file_name is not None and claim.sha256 is not None
    if claim.look_first:
        marker = claim.sha256[:MARKER_DIGITS]
        there = next((d for d in await client.opportunity_documents(claim.opportunity_id)
                      if marker in d.title), None)  # the title may be shown without its extension
        if there is not None:
            return _Sent(remote_id=there.id, found=True)
    await client.attach_file(claim.opportunity_id, claim.file_name, claim.content,
                             notes="Completion report issued by C&C CRM")
    return _Sent()


async def _settle(claim: _Claim, outcome: _Sent | SmartMovingError, calls: int, now: datetime,
                  report: DrainReport) -> bool:
    """Write the outcome; True when the failure is one to retry later."""
    async with unit_of_work() as session:
        row = await session.get(WriteBack, claim.row_id, with_for_update=True)
        if row is None:  # the journey was deleted meanwhile
            return False
        row.api_calls += calls
        if isinstance(outcome, _Sent) and claim.sha256 is not None:
            row.sent_sha256 = claim.sha256  # attached, whatever happened to the row meanwhile
        if row.generation != claim.generation or row.status is not WriteBackStatus.SENDING:
            return False  # re-queued by a new completion (or re-claimed) meanwhile: that one settles it
        if isinstance(outcome, _Sent):
            row.status, row.sent_at, row.last_error = WriteBackStatus.SENT, now, None
            row.remote_id = outcome.remote_id or row.remote_id
            _audit(session, row, "smartmoving.write_back.sent", sha256=claim.sha256, found_there=outcome.found)
            report.sent += 1
            return False
        words, retry = failure_words(outcome)
        row.last_error = words
        if retry and claim.attempts < MAX_ATTEMPTS:
            row.status, row.next_attempt_at = WriteBackStatus.QUEUED, now + backoff(claim.attempts)
            report.retrying += 1
            return True
        if retry:
            row.last_error = f"gave up after {claim.attempts} attempts: {words}"
        row.status = WriteBackStatus.FAILED
        _audit(session, row, "smartmoving.write_back.failed", reason=row.last_error)
        report.failed += 1
        return False


def failure_words(failure: SmartMovingError) -> tuple[str, bool]:
    """What went wrong, in words for the super admin, and whether trying again may help."""
    if isinstance(failure, AuthenticationError):
        return ("SmartMoving refused the API key for this write: Premium is needed to write "
                "(check the plan and the key in the integration settings)", False)
    if isinstance(failure, NotFoundError):
        return "SmartMoving no longer has this opportunity or job", False
    if isinstance(failure, RateLimitedError):
        return "SmartMoving is limiting calls (too many requests): trying again later", True
    if isinstance(failure, ServerError):
        return f"SmartMoving answered with a server error ({failure.status_code}): trying again later", True
    if isinstance(failure, RequestError):
        detail = str(failure).rsplit(": ", 1)[-1]
        said = "" if detail.startswith("HTTP ") else f": {detail}"
        return f"SmartMoving refused the write ({failure.status_code}){said}", False
    return "SmartMoving could not be reached or answered something unreadable: trying again later", True


def _audit(session: AsyncSession, row: WriteBack, action: str, **facts: Any) -> None:
    audit.record(session, None, action, "journey", row.journey_id, company_id=row.company_id,
                 actor_email=WRITE_BACK_ACTOR,
                 new={"what": "completion report" if row.kind is WriteBackKind.ATTACHMENT else "job note",
                      "opportunity_id": row.opportunity_id, "file_name": row.file_name,
                      "attempts": row.attempts, **facts})
