"""SmartMoving webhooks: authenticate, store, answer fast, refresh in the background.

SmartMoving signs nothing: the company sets a custom header with a shared secret in its
SmartMoving settings, compared here in constant time.

The inbox is durable: every accepted delivery is a `WebhookEvent` row, stored QUEUED before the
202, and the rows — not the process's memory — are the work to do. Deliveries repeat and come
in bursts: the same raw body (sha256 = `WebhookEvent.dedupe_key`) is one row. A re-send of a
delivery still QUEUED is the same work: it is answered "duplicate" and its refresh is (still)
queued — never ignored. A re-send after its refresh ran (or after DEDUPE_WINDOW) re-arms the
row, because "opportunity-changed" bodies are identical for every edit and a later edit must
not be lost.

One worker task per process is woken per integration (by a delivery, or on start-up for every
integration with QUEUED rows: `resume_inbox`). It waits DEBOUNCE for the rest of a burst, takes
the integration's sync guard (waiting for a running sync), and only then reads every QUEUED row
of the integration: the deliveries that arrived while it waited join the same run, and each
distinct opportunity is refreshed once per burst, in one WEBHOOK SyncRun. The rows it read are
then marked PROCESSED (or FAILED with the run) — unless re-armed meanwhile. Every stored
delivery (new or re-armed) gets an audit entry by the system actor WEBHOOK_ACTOR in the same
transaction; the run that processes deliveries has its own.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from db.enums import SyncRunStatus, WebhookStatus
from db.models import CompanyIntegration, SyncRun, WebhookEvent, utcnow
from domain.audit import record as audit
from domain.audit.record import audited_write
from domain.errors import DomainError, NotAuthenticated, ValidationFailed
from domain.sync.secrets import SecretUnreadable, decrypt_secret
from domain.sync.service import refresh_opportunities
from domain.sync.store import dialect_insert
from domain.unit_of_work import read_session, unit_of_work
from integrations.smartmoving import MalformedRecord, parse_webhook_event

log = logging.getLogger(__name__)

MAX_WEBHOOK_BYTES = 64 * 1024
DEDUPE_WINDOW = timedelta(seconds=60)
#: How long the worker waits for the rest of a burst before refreshing.
DEBOUNCE_SECONDS = 1.0
#: How long a refresh waits for a running sync of the same integration to finish.
GUARD_WAIT_SECONDS = 600.0
WEBHOOK_ACTOR = "system:smartmoving-webhook"


class PayloadTooLarge(DomainError):
    status_code = 413
    code = "payload_too_large"


@dataclass(frozen=True, slots=True)
class Receipt:
    event_id: int | None
    duplicate: bool
    queued: bool


@audited_write
async def receive_webhook(company_id: int, headers: Mapping[str, str], body: bytes) -> Receipt:
    """Check the secret header, store the delivery unless it is a duplicate, queue its refresh."""
    if len(body) > MAX_WEBHOOK_BYTES:
        raise PayloadTooLarge(f"webhook bodies are limited to {MAX_WEBHOOK_BYTES // 1024} KB")
    async with read_session() as session:
        integration = await session.scalar(
            select(CompanyIntegration).where(CompanyIntegration.company_id == company_id))
    _authenticate(integration, headers)
    assert integration is not None
    event = _parse(body)
    now = utcnow()
    duplicate = False
    stored = {"event_type": event.event_type[:60], "opportunity_id": (event.opportunity_id or "")[:100] or None}
    async with unit_of_work() as session:
        stmt = dialect_insert(session, WebhookEvent.__table__).values(
            integration_id=integration.id, dedupe_key=hashlib.sha256(body).hexdigest(), **stored,
            payload=event.raw, status=WebhookStatus.QUEUED if event.opportunity_id else WebhookStatus.PROCESSED,
            received_at=now, processed_at=None if event.opportunity_id else now)
        table = WebhookEvent.__table__.c
        stmt = stmt.on_conflict_do_update(
            index_elements=["integration_id", "dedupe_key"],
            set_={"received_at": stmt.excluded.received_at, "status": stmt.excluded.status,
                  "processed_at": stmt.excluded.processed_at, "payload": stmt.excluded.payload},
            where=(table.received_at < now - DEDUPE_WINDOW) | (table.status != WebhookStatus.QUEUED.value),
        ).returning(table.id)
        event_id = await session.scalar(stmt)
        if event_id is not None:
            audit.record(session, None, "receive", "webhook_event", event_id, company_id=integration.company_id,
                         actor_email=WEBHOOK_ACTOR, new=stored)
        else:  # the same delivery, still QUEUED: the same work
            event_id = await session.scalar(select(WebhookEvent.id).where(
                WebhookEvent.integration_id == integration.id,
                WebhookEvent.dedupe_key == hashlib.sha256(body).hexdigest()))
            duplicate = True
    if event.opportunity_id:
        worker.wake(integration.id)
    return Receipt(event_id, duplicate=duplicate, queued=bool(event.opportunity_id))


async def resume_inbox() -> list[int]:
    """On start-up: wake the worker for every integration with QUEUED deliveries (a crash or a
    restart left them); their ids."""
    async with read_session() as session:
        integration_ids = list(await session.scalars(
            select(WebhookEvent.integration_id).where(WebhookEvent.status == WebhookStatus.QUEUED).distinct()))
    for integration_id in integration_ids:
        worker.wake(integration_id)
    return integration_ids


def _authenticate(integration: CompanyIntegration | None, headers: Mapping[str, str]) -> None:
    refused = NotAuthenticated("unknown company or wrong webhook secret")
    if integration is None or not integration.active or not integration.webhook_secret_encrypted:
        raise refused
    try:
        expected = decrypt_secret(integration.webhook_secret_encrypted)
    except SecretUnreadable:
        raise refused from None
    given = headers.get(integration.webhook_header) or ""
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise refused


def _parse(body: bytes) -> Any:
    try:
        raw = json.loads(body)
        return parse_webhook_event(raw)
    except (ValueError, MalformedRecord) as exc:
        raise ValidationFailed(f"not a SmartMoving webhook payload: {exc}") from None


class WebhookWorker:
    """The per-process consumer of the inbox, woken per integration (started on first use in the
    running loop)."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[int] | None = None
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def wake(self, integration_id: int) -> None:
        loop = asyncio.get_running_loop()
        if self._queue is None or self._task is None or self._task.done() or self._loop is not loop:
            self._queue, self._loop = asyncio.Queue(), loop
            self._task = loop.create_task(self._run(self._queue))
        self._queue.put_nowait(integration_id)

    async def join(self) -> None:
        """Wait until every wake-up so far is handled (tests, shutdown)."""
        if self._queue is not None and self._loop is asyncio.get_running_loop():
            await self._queue.join()

    async def stop(self) -> None:
        if self._task is not None and self._loop is asyncio.get_running_loop():
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        self._queue = self._task = self._loop = None

    async def _run(self, queue: asyncio.Queue[int]) -> None:
        while True:
            woken = [await queue.get()]
            await asyncio.sleep(DEBOUNCE_SECONDS)
            while not queue.empty():
                woken.append(queue.get_nowait())
            try:
                for integration_id in dict.fromkeys(woken):
                    if not await process_inbox(integration_id):
                        queue.put_nowait(integration_id)  # a sync held the guard too long: again later
            except Exception:  # keep consuming; the run (if any) recorded what went wrong
                log.exception("webhook refresh failed")
            finally:
                for _ in woken:
                    queue.task_done()


@audited_write
async def process_inbox(integration_id: int, **client_options: Any) -> bool:
    """Refresh the opportunities of the integration's QUEUED deliveries in one WEBHOOK run (each
    once), reading them once the sync guard is held; then mark those rows done. False when the
    guard stayed taken (the rows stay QUEUED)."""
    taken: list[int] = []
    cutoff = utcnow()

    async def queued_opportunities() -> list[str]:
        nonlocal cutoff
        cutoff = utcnow()
        async with read_session() as session:
            rows = (await session.execute(
                select(WebhookEvent.id, WebhookEvent.opportunity_id)
                .where(WebhookEvent.integration_id == integration_id, WebhookEvent.status == WebhookStatus.QUEUED,
                       WebhookEvent.received_at <= cutoff, WebhookEvent.opportunity_id.is_not(None))
                .order_by(WebhookEvent.id))).all()
        taken.extend(row.id for row in rows)
        return list(dict.fromkeys(row.opportunity_id for row in rows))

    run_id = await refresh_opportunities(integration_id, queued_opportunities, wait_seconds=GUARD_WAIT_SECONDS,
                                         **client_options)
    if not taken or run_id is None:
        return bool(taken) or run_id is None
    async with unit_of_work() as session:
        run = await session.get_one(SyncRun, run_id)
        done = WebhookStatus.PROCESSED if run.status is SyncRunStatus.SUCCEEDED else WebhookStatus.FAILED
        for chunk in _chunks(taken):
            await session.execute(update(WebhookEvent).where(
                WebhookEvent.id.in_(chunk), WebhookEvent.status == WebhookStatus.QUEUED,
                WebhookEvent.received_at <= cutoff).values(status=done, processed_at=utcnow()))
        if run.status is SyncRunStatus.SUCCEEDED:
            await _mark_covered(session, integration_id, (run.details or {}).get("fetched_at", {}))
    return True


async def _mark_covered(session: Any, integration_id: int, fetched_at: dict[str, str]) -> None:
    """Deliveries that arrived during the run but before their opportunity was read are covered by
    that read: PROCESSED too (one refresh per opportunity for the whole burst, not one more)."""
    for opportunity_id, asked_at in fetched_at.items():
        await session.execute(update(WebhookEvent).where(
            WebhookEvent.integration_id == integration_id, WebhookEvent.opportunity_id == opportunity_id,
            WebhookEvent.status == WebhookStatus.QUEUED,
            WebhookEvent.received_at <= datetime.fromisoformat(asked_at)).values(
                status=WebhookStatus.PROCESSED, processed_at=utcnow()))


def _chunks(ids: list[int], size: int = 1000) -> list[list[int]]:
    return [ids[i:i + size] for i in range(0, len(ids), size)]


worker = WebhookWorker()
